//! Who applies: a citizen by resident ID number (GB 11643) or an enterprise by unified social
//! credit code (GB 32100), each checked with its check character.

use std::fmt;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::DomainError;

kinds!(
    ApplicantKind, "申请人类型", "applicant kind" {
        Person = "person", "自然人", "citizen";
        Enterprise = "enterprise", "法人或其他组织", "enterprise or organisation";
    }
);

/// A checked identity: an 18-character resident ID number or unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApplicantId {
    kind: ApplicantKind,
    code: String,
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";
/// The 31 characters of a credit code: digits and capitals without I, O, Z, S and V.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

impl ApplicantId {
    pub fn parse(field: &str, kind: ApplicantKind, value: &str) -> Result<Self, DomainError> {
        let code = value.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(DomainError::Required {
                field: field.into(),
            });
        }
        match kind {
            ApplicantKind::Person => check_id_card(field, &code)?,
            ApplicantKind::Enterprise => check_credit_code(field, &code)?,
        }
        Ok(Self { kind, code })
    }

    /// The code made of 17 given characters and their check character (for generated data).
    pub fn complete(kind: ApplicantKind, first17: &str) -> Result<Self, DomainError> {
        let check = match kind {
            ApplicantKind::Person => id_check(first17.as_bytes()),
            ApplicantKind::Enterprise => credit_check(first17.as_bytes()),
        };
        let code = format!("{first17}{}", check.map_or('?', char::from));
        Self::parse("code", kind, &code)
    }

    pub fn kind(&self) -> ApplicantKind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// A person's birth date, as the ID number gives it.
    pub fn born(&self) -> Option<NaiveDate> {
        match self.kind {
            ApplicantKind::Person => NaiveDate::parse_from_str(&self.code[6..14], "%Y%m%d").ok(),
            ApplicantKind::Enterprise => None,
        }
    }

    /// An ID number whose holder is born after `today` was mistyped or made up.
    pub fn check_born_by(&self, field: &str, today: NaiveDate) -> Result<(), DomainError> {
        match self.born() {
            Some(born) if born > today => Err(DomainError::invalid(
                field,
                format!("身份证号码中的出生日期 {born} 晚于今天 {today}"),
                format!("the ID number's birth date {born} is after today {today}"),
            )),
            _ => Ok(()),
        }
    }

    /// The code as shown to anyone but its holder: an ID number keeps its region and last four.
    pub fn masked(&self) -> String {
        match self.kind {
            ApplicantKind::Person => format!("{}********{}", &self.code[..6], &self.code[14..]),
            ApplicantKind::Enterprise => self.code.clone(),
        }
    }
}

impl fmt::Display for ApplicantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl Serialize for ApplicantId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code)
    }
}

fn check_id_card(field: &str, code: &str) -> Result<(), DomainError> {
    let b = code.as_bytes();
    let shape = b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X');
    if !shape {
        return Err(DomainError::invalid(
            field,
            format!("身份证号码“{code}”应为 17 位数字加 1 位校验码（数字或 X）"),
            format!("ID number {code:?} must be 17 digits and a check character (digit or X)"),
        ));
    }
    let born = NaiveDate::parse_from_str(&code[6..14], "%Y%m%d").ok();
    if born.is_none_or(|d| d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d)) {
        return Err(DomainError::invalid(
            field,
            format!("身份证号码“{code}”中的出生日期 {} 不存在", &code[6..14]),
            format!(
                "ID number {code:?} has no valid birth date in {}",
                &code[6..14]
            ),
        ));
    }
    let expected = id_check(&b[..17]).unwrap_or(b'?');
    if b[17] != expected {
        return Err(check_failed(
            field,
            "身份证号码",
            "ID number",
            code,
            expected,
        ));
    }
    Ok(())
}

fn check_credit_code(field: &str, code: &str) -> Result<(), DomainError> {
    let shape = code.len() == 18
        && code.bytes().all(|c| USCC_CHARS.contains(&c))
        && code[2..8].bytes().all(|c| c.is_ascii_digit());
    if !shape {
        return Err(DomainError::invalid(
            field,
            format!(
                "统一社会信用代码“{code}”应为 18 位，由数字和除 I、O、Z、S、V 外的大写字母组成，第 3–8 位为行政区划代码"
            ),
            format!(
                "credit code {code:?} must be 18 digits or capitals other than I, O, Z, S and V, with a 6-digit division code at positions 3–8"
            ),
        ));
    }
    let expected = credit_check(&code.as_bytes()[..17]).unwrap_or(b'?');
    if code.as_bytes()[17] != expected {
        return Err(check_failed(
            field,
            "统一社会信用代码",
            "credit code",
            code,
            expected,
        ));
    }
    Ok(())
}

/// GB 11643: weighted sum of the 17 digits mod 11.
fn id_check(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// GB 32100: weights 3^i mod 31 over the 31-character alphabet.
fn credit_check(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut weight = 1;
    let mut sum = 0;
    for c in first17 {
        sum += USCC_CHARS.iter().position(|x| x == c)? as u32 * weight;
        weight = weight * 3 % 31;
    }
    Some(USCC_CHARS[((31 - sum % 31) % 31) as usize])
}

fn check_failed(field: &str, zh: &str, en: &str, code: &str, expected: u8) -> DomainError {
    let expected = expected as char;
    DomainError::invalid(
        field,
        format!("{zh}“{code}”校验码错误（按前 17 位应为 {expected}），请核对"),
        format!(
            "{en} {code:?} fails its check character (the first 17 give {expected}); please re-check it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(s: &str) -> Result<ApplicantId, DomainError> {
        ApplicantId::parse("applicant_id", ApplicantKind::Person, s)
    }

    fn enterprise(s: &str) -> Result<ApplicantId, DomainError> {
        ApplicantId::parse("applicant_id", ApplicantKind::Enterprise, s)
    }

    #[test]
    fn the_standard_examples_pass() {
        // GB 11643's example, with a lower-case x as people type it.
        let id = person("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
        assert!(enterprise("91350100M000100Y43").is_ok());
        // Completing 17 characters gives a code that passes, for both kinds.
        let made = ApplicantId::complete(ApplicantKind::Enterprise, "91371402MA3C7ABC1").unwrap();
        assert_eq!(enterprise(made.as_str()).unwrap(), made);
        let made = ApplicantId::complete(ApplicantKind::Person, "37140219900101123").unwrap();
        assert_eq!(person(made.as_str()).unwrap(), made);
    }

    #[test]
    fn a_birth_date_after_today_is_refused() {
        let today: NaiveDate = "2026-12-08".parse().unwrap();
        let born_tomorrow =
            ApplicantId::complete(ApplicantKind::Person, "37140220261209123").unwrap();
        assert_eq!(
            born_tomorrow
                .check_born_by("applicant_id", today)
                .unwrap_err()
                .field(),
            Some("applicant_id")
        );
        let born_today = ApplicantId::complete(ApplicantKind::Person, "37140220261208123").unwrap();
        born_today.check_born_by("applicant_id", today).unwrap();
        enterprise("91350100M000100Y43")
            .unwrap()
            .check_born_by("applicant_id", today)
            .unwrap();
    }

    #[test]
    fn every_single_digit_change_is_caught() {
        let good = "11010519491231002X";
        for i in 0..17 {
            let mut b = good.as_bytes().to_vec();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            let bad = String::from_utf8(b).unwrap();
            assert!(person(&bad).is_err(), "{bad}");
        }
        let good = "91350100M000100Y43";
        for i in 0..17 {
            let mut b = good.as_bytes().to_vec();
            let p = USCC_CHARS.iter().position(|&c| c == b[i]).unwrap();
            b[i] = USCC_CHARS[(p + 1) % 31];
            let bad = String::from_utf8(b).unwrap();
            let Err(e) = enterprise(&bad) else {
                panic!("{bad} passed")
            };
            assert_eq!(e.field(), Some("applicant_id"));
        }
    }

    #[test]
    fn malformed_codes_say_what_is_wrong() {
        for (value, says) in [
            ("", "required"),
            ("1101051949123100", "17 digits"),
            ("11010519491331002X", "birth date"),
            ("110105194912310021", "check character"),
        ] {
            let e = person(value).unwrap_err();
            assert!(e.message().en.contains(says), "{value}: {e}");
        }
        for (value, says) in [
            ("91350100M000100Y4", "18 digits"),
            ("91350100M000100YI3", "18 digits"),
            ("913501AAM000100Y43", "division code"),
            ("91350100M000100Y44", "check character"),
        ] {
            let e = enterprise(value).unwrap_err();
            assert!(e.message().en.contains(says), "{value}: {e}");
        }
    }
}
