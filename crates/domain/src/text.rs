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
    Ok(value.to_owned())
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
