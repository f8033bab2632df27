//! Free text that people type: names, addresses, phone numbers.

use crate::DomainError;

/// Trimmed text of at most `max` characters, with no control characters.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::Required {
            field: field.into(),
        });
    }
    if value.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("过长，最多 {max} 个字符"),
            format!("too long; at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "含有控制字符",
            "contains control characters",
        ));
    }
    if let Some(c) = value.chars().find(|c| unmeant(*c)) {
        return Err(DomainError::invalid(
            field,
            format!("含有不可见或无法显示的字符 U+{:04X}", u32::from(c)),
            format!("contains a character no one types: U+{:04X}", u32::from(c)),
        ));
    }
    if value.chars().all(invisible) {
        return Err(DomainError::Required {
            field: field.into(),
        });
    }
    Ok(value.to_owned())
}

/// Characters a person cannot have meant in a name or address: direction overrides and isolates,
/// which make text display other than it is stored (U+202E turns "exe.txt" around), private-use
/// code points, which no font shows, and the Unicode noncharacters.
fn unmeant(c: char) -> bool {
    let n = u32::from(c);
    matches!(n, 0x202A..=0x202E | 0x2066..=0x2069 | 0xE000..=0xF8FF | 0xFDD0..=0xFDEF)
        || n >= 0xF_0000
        || n & 0xFFFE == 0xFFFE
}

/// Zero-width characters: text made only of them looks empty.
fn invisible(c: char) -> bool {
    matches!(u32::from(c), 0x200B..=0x200D | 0x2060 | 0xFEFF)
}

/// Like [`bounded`], but may be left empty; line breaks of a text area become spaces.
pub fn optional(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let value = value.replace(['\r', '\n'], " ");
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    bounded(field, &value, max)
}

/// A telephone number as printed on a service guide: digits with optional +, -, spaces, parentheses.
pub fn phone(field: &str, value: &str) -> Result<String, DomainError> {
    let value = bounded(field, value, 32)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits < 5
        || !value
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
    {
        return Err(DomainError::invalid(
            field,
            format!("电话号码格式不正确：“{value}”"),
            format!("malformed telephone number {value:?}"),
        ));
    }
    Ok(value)
}

/// A password: long enough to resist guessing, short enough to bound the hashing work.
pub fn password(field: &str, value: &str) -> Result<String, DomainError> {
    let n = value.chars().count();
    if !(10..=128).contains(&n) {
        return Err(DomainError::invalid(
            field,
            "密码长度须为 10 到 128 个字符",
            "a password must have 10 to 128 characters",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_person_cannot_have_meant_is_refused() {
        for bad in [
            "张三\u{202E}txt",
            "\u{E000}",
            "名\u{FFFF}",
            "\u{FDD0}",
            "\u{10FFFD}",
        ] {
            assert_eq!(
                bounded("name", bad, 50).unwrap_err().code(),
                "invalid_field",
                "{bad:?}"
            );
        }
        assert_eq!(
            bounded("name", "\u{200B}\u{200D}\u{FEFF}", 50)
                .unwrap_err()
                .code(),
            "required_field"
        );
        assert_eq!(bounded("name", "德州\u{200B}", 50).unwrap(), "德州\u{200B}");
        assert_eq!(bounded("name", "张三 👩‍💻", 50).unwrap(), "张三 👩‍💻");
    }

    #[test]
    fn text_is_trimmed_bounded_and_printable() {
        assert_eq!(bounded("name", "  德城区  ", 5).unwrap(), "德城区");
        assert_eq!(
            bounded("name", "一二三四五六", 5).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            bounded("name", "a\u{7}b", 5).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            bounded("name", " ", 5).unwrap_err().code(),
            "required_field"
        );
    }

    #[test]
    fn phones_need_digits_and_nothing_else() {
        assert!(phone("phone", "0534-2688123").is_ok());
        assert!(phone("phone", "(0534) 268 8123").is_ok());
        assert!(phone("phone", "call me").is_err());
        assert!(phone("phone", "12").is_err());
    }
}
