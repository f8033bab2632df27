//! Codes as types: a value of one of these has been checked once, at the boundary.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::DomainError;
use crate::org::{DepartmentKind, OfficeKind};

/// Declares a code newtype whose only constructor is `parse`.
macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident, $what_zh:literal, $what_en:literal, $shape:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(field: &str, value: &str) -> Result<Self, DomainError> {
                let value = value.trim();
                if value.is_empty() {
                    return Err(DomainError::Required { field: field.into() });
                }
                let check: fn(&str) -> bool = $check;
                // Every code is ASCII; checking that first keeps the shape checks' byte slicing on
                // character boundaries.
                if value.is_ascii() && check(value) {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(DomainError::invalid(
                        field,
                        format!("{}格式不正确：“{}”，应为{}", $what_zh, value, $shape),
                        format!("malformed {} {:?}; expected {}", $what_en, value, $shape),
                    ))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

code_type!(
    /// Six-digit county-level division code (统计用区划代码), e.g. 371402.
    CountyCode, "县级区划代码", "county code", "6 digits", |s| digits(s, 6)
);

code_type!(
    /// Nine-digit township-level division code, e.g. 371402001.
    TownCode, "乡镇区划代码", "town code", "9 digits", |s| digits(s, 9)
);

code_type!(
    /// An office: the county hall `371402H`, a branch `371402B01`, or a town centre `371402001C`.
    OfficeCode, "办事机构代码", "office code",
    "371402H, 371402B01 or 371402001C",
    |s| office_kind_of(s).is_some()
);

code_type!(
    /// A county department: county code plus the kind's two letters, e.g. 371402SJ.
    DepartmentCode, "部门代码", "department code", "6 digits and 2 letters, e.g. 371402SJ",
    |s| s.len() == 8 && digits(&s[..6], 6) && DepartmentKind::from_letters(&s[6..]).is_some()
);

code_type!(
    /// A staff login name.
    Username, "用户名", "username",
    "3-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter",
    |s| (3..=32).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
);

code_type!(
    /// An item's base code (基本编码), the same in every county, e.g. 511A0138000000 or G-000007-001.
    BaseCode, "基本编码", "base code",
    "4-40 letters, digits or '-'",
    |s| (4..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
);

code_type!(
    /// An item's implementation code (实施编码): unique within a county's catalog.
    ImplCode, "实施编码", "implementation code",
    "6-120 letters, digits or '-'",
    |s| (6..=120).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
);

fn office_kind_of(s: &str) -> Option<OfficeKind> {
    let b = s.as_bytes();
    match b.len() {
        7 if digits(&s[..6], 6) && b[6] == b'H' => Some(OfficeKind::CountyHall),
        9 if digits(&s[..6], 6) && b[6] == b'B' && digits(&s[7..], 2) => Some(OfficeKind::Branch),
        10 if digits(&s[..9], 9) && b[9] == b'C' => Some(OfficeKind::Centre),
        _ => None,
    }
}

/// The county an already-checked code belongs to: its first six digits.
fn county_prefix(code: &str) -> CountyCode {
    CountyCode(code[..6].to_owned())
}

impl TownCode {
    pub fn county(&self) -> CountyCode {
        county_prefix(&self.0)
    }
}

impl OfficeCode {
    pub fn county(&self) -> CountyCode {
        county_prefix(&self.0)
    }

    pub fn kind(&self) -> OfficeKind {
        office_kind_of(&self.0).expect("checked at parse")
    }

    pub fn county_hall(county: &CountyCode) -> Self {
        Self(format!("{county}H"))
    }

    /// Branch number `n` (1-based) of a county.
    pub fn branch(county: &CountyCode, n: usize) -> Self {
        assert!((1..=99).contains(&n), "a county has at most 99 branches");
        Self(format!("{county}B{n:02}"))
    }

    pub fn centre(town: &TownCode) -> Self {
        Self(format!("{town}C"))
    }

    /// The town a convenience centre belongs to.
    pub fn centre_town(&self) -> Option<TownCode> {
        (self.kind() == OfficeKind::Centre).then(|| TownCode(self.0[..9].to_owned()))
    }
}

impl DepartmentCode {
    pub fn new(county: &CountyCode, kind: DepartmentKind) -> Self {
        Self(format!("{county}{}", kind.letters()))
    }

    pub fn county(&self) -> CountyCode {
        county_prefix(&self.0)
    }

    pub fn kind(&self) -> DepartmentKind {
        DepartmentKind::from_letters(&self.0[6..]).expect("checked at parse")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn office_codes_carry_kind_and_county() {
        let hall = OfficeCode::parse("office", "371402H").unwrap();
        assert_eq!(hall.kind(), OfficeKind::CountyHall);
        let branch = OfficeCode::parse("office", "371481B03").unwrap();
        assert_eq!(
            (branch.kind(), branch.county().as_str()),
            (OfficeKind::Branch, "371481")
        );
        let centre = OfficeCode::parse("office", " 371402001C ").unwrap();
        assert_eq!(centre.centre_town().unwrap().as_str(), "371402001");
        for bad in [
            "371402",
            "371402X",
            "371402B1",
            "37140200C",
            "３７１４０２H",
        ] {
            let err = OfficeCode::parse("office", bad).unwrap_err();
            assert_eq!(err.code(), "invalid_field", "{bad}");
            assert_eq!(err.field(), Some("office"));
        }
    }

    #[test]
    fn blank_is_required_not_malformed() {
        assert_eq!(
            CountyCode::parse("county", "  "),
            Err(DomainError::Required {
                field: "county".into()
            })
        );
    }

    #[test]
    fn department_codes_name_a_known_kind() {
        let c = CountyCode::parse("c", "371402").unwrap();
        let d = DepartmentCode::new(&c, DepartmentKind::MarketRegulation);
        assert_eq!(d.as_str(), "371402SJ");
        assert_eq!(
            DepartmentCode::parse("d", d.as_str()).unwrap().kind(),
            DepartmentKind::MarketRegulation
        );
        assert!(DepartmentCode::parse("d", "371402XX").is_err());
    }

    /// Every code parser is total: any text gives a code or an error naming the field, never a panic,
    /// and a code it gives reads back the same.
    fn total<T: fmt::Display>(parse: fn(&str, &str) -> Result<T, DomainError>, s: &str) {
        match parse("f", s) {
            Ok(code) => assert_eq!(code.to_string(), s.trim()),
            Err(e) => assert_eq!(e.field(), Some("f"), "{s:?}"),
        }
    }

    #[test]
    fn non_ascii_near_a_code_is_refused_not_a_panic() {
        for s in [
            "00000\u{ba}",
            "00000\u{ba}x",
            "371402B0\u{e9}",
            "37140200\u{e9}C",
            "３7140H",
        ] {
            assert!(OfficeCode::parse("o", s).is_err(), "{s}");
            assert!(DepartmentCode::parse("d", s).is_err(), "{s}");
            assert!(crate::access::Jurisdiction::parse("j", s).is_err(), "{s}");
            assert!(crate::catalog::Recipient::parse("r", s).is_err(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn every_code_parser_is_total(s in "\\PC{0,12}|[0-9]{5,9}\\PC{1,3}|[0-9]{6}[A-Z]{1,2}\\PC?") {
            total(CountyCode::parse, &s);
            total(TownCode::parse, &s);
            total(OfficeCode::parse, &s);
            total(DepartmentCode::parse, &s);
            total(Username::parse, &s);
            total(BaseCode::parse, &s);
            total(ImplCode::parse, &s);
            let _ = crate::access::Jurisdiction::parse("f", &s);
            let _ = crate::catalog::Recipient::parse("f", &s);
            let _ = crate::enforcement::lead::Handler::parse("department", &s);
            for kind in [crate::applicant::ApplicantKind::Person, crate::applicant::ApplicantKind::Enterprise] {
                if let Ok(id) = crate::applicant::ApplicantId::parse("f", kind, &s) {
                    let _ = id.masked();
                }
            }
        }

        #[test]
        fn county_codes_are_exactly_six_ascii_digits(s in "\\PC{0,10}") {
            let ok = CountyCode::parse("county", &s).is_ok();
            let t = s.trim();
            prop_assert_eq!(ok, t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()));
        }

        #[test]
        fn usernames_accept_only_the_documented_alphabet(s in "[a-zA-Z0-9._@ -]{0,40}") {
            if let Ok(u) = Username::parse("username", &s) {
                prop_assert!(u.as_str().len() >= 3 && u.as_str().len() <= 32);
                prop_assert!(u.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)));
            }
        }
    }
}
