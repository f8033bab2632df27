//! Free text that people type: names, addresses, phone numbers.

use unicode_normalization::UnicodeNormalization;

use crate::DomainError;

/// Trimmed text of at most `max` characters, with no control characters, in Unicode NFC: the
/// same name typed on two keyboards (a composed or a decomposed ü) is stored, and found, as one.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let value: String = value.trim().nfc().collect();
    let value = value.as_str();
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

/// How to reach an applicant: a mainland mobile number (11 digits from 13 to 19) or a landline
/// with its area code (0534-2345678), optionally with +86; spaces and hyphens are kept as typed.
pub fn contact_phone(field: &str, value: &str) -> Result<String, DomainError> {
    let value = bounded(field, value, 20)?;
    let compact: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let national = compact.strip_prefix("+86").unwrap_or(&compact);
    let digits = national.bytes().all(|b| b.is_ascii_digit());
    let mobile =
        national.len() == 11 && national.starts_with('1') && national.as_bytes()[1] >= b'3';
    let landline = (10..=12).contains(&national.len())
        && national.starts_with('0')
        && !national.starts_with("00");
    if !(digits && (mobile || landline)) {
        return Err(DomainError::invalid(
            field,
            format!(
                "联系电话“{value}”应为 11 位手机号码或带区号的固定电话，如 13805340000、0534-2345678"
            ),
            format!(
                "contact {value:?} must be an 11-digit mobile number or a landline with its area code, e.g. 13805340000, 0534-2345678"
            ),
        ));
    }
    Ok(value)
}

/// A phone number as shown to someone who proved only a check code: its last four digits.
pub fn masked_phone(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!(
        "{}{tail}",
        "*".repeat(digits.len().saturating_sub(4).min(7))
    )
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
    fn text_is_stored_composed() {
        let decomposed = "Mu\u{308}ller";
        assert_eq!(bounded("name", decomposed, 10).unwrap(), "M\u{fc}ller");
    }

    #[test]
    fn contacts_are_phone_numbers() {
        for ok in [
            "13805340000",
            "138 0534 0000",
            "+86 138-0534-0000",
            "0534-2345678",
            "010-12345678",
        ] {
            assert_eq!(contact_phone("contact", ok).unwrap(), ok);
        }
        for bad in [
            "1",
            "12345",
            "abc",
            "12805340000",
            "1380534000",
            "00534-2345678",
            "138053400001",
            "电话13805340000",
            "0534-2345678 转 8",
        ] {
            let e = contact_phone("contact", bad).unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_field", Some("contact")),
                "{bad}"
            );
        }
        assert_eq!(masked_phone("13805340000"), "*******0000");
        assert_eq!(masked_phone("0534-2345678"), "*******5678");
        assert_eq!(masked_phone(""), "");
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
