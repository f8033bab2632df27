//! Bundles (一件事): one application for several items, e.g. the four certificates an industrial
//! project needs, decided as parallel sub-cases with the materials they share entered once.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::catalog::{Material, Requirement};
use crate::{DomainError, text};

/// A bundle lists at least this many items, and at most this many.
pub const MIN_ITEMS: usize = 2;
pub const MAX_ITEMS: usize = 12;

/// A template as a county bureau defines it: a name and the items it bundles, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpec {
    pub name: String,
    pub description: String,
    pub items: Vec<i64>,
}

impl TemplateSpec {
    pub fn parse(name: &str, description: &str, items: &[i64]) -> Result<Self, DomainError> {
        let mut distinct: Vec<i64> = Vec::with_capacity(items.len());
        for i in items {
            if distinct.contains(i) {
                return Err(DomainError::invalid(
                    "items",
                    format!("事项 {i} 重复列入"),
                    format!("item {i} is listed twice"),
                ));
            }
            distinct.push(*i);
        }
        if !(MIN_ITEMS..=MAX_ITEMS).contains(&distinct.len()) {
            return Err(DomainError::invalid(
                "items",
                format!("一件事须包含 {MIN_ITEMS} 至 {MAX_ITEMS} 个事项"),
                format!("a bundle lists {MIN_ITEMS} to {MAX_ITEMS} items"),
            ));
        }
        Ok(Self {
            name: text::bounded("name", name, 100)?,
            description: text::optional("description", description, 500)?,
            items: distinct,
        })
    }
}

/// One material of a bundle's form: entered once, it counts for every item that lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedMaterial {
    pub name: String,
    /// Required when any of its items requires it.
    pub required: bool,
    /// Positions, in the bundle's item list, of the items that list it.
    pub items: Vec<usize>,
}

/// The union of the items' material lists, by name, in first-listed order.
pub fn shared_materials(lists: &[&[Material]]) -> Vec<SharedMaterial> {
    let mut all: Vec<SharedMaterial> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        for m in *list {
            let required = m.requirement == Requirement::Required.slug();
            match all.iter_mut().find(|s| s.name == m.name) {
                Some(s) => {
                    s.required |= required;
                    if !s.items.contains(&i) {
                        s.items.push(i);
                    }
                }
                None => all.push(SharedMaterial {
                    name: m.name.clone(),
                    required,
                    items: vec![i],
                }),
            }
        }
    }
    all
}

/// How long a bundle took from application to its last sub-case's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadTime {
    /// Calendar days; 0 means concluded the day it was applied for (当日办结).
    pub days: i64,
    /// Working days after the application day, up to and including the conclusion day.
    pub working_days: u32,
}

impl LeadTime {
    pub fn measure(
        calendar: &Calendar,
        submitted: NaiveDate,
        concluded: NaiveDate,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            days: (concluded - submitted).num_days(),
            working_days: calendar.working_days_between(submitted, concluded)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarDay;

    fn material(name: &str, requirement: Requirement) -> Material {
        Material {
            name: name.into(),
            requirement: requirement.slug().into(),
            form: "original".into(),
            copies: 1,
            note: String::new(),
        }
    }

    #[test]
    fn shared_materials_are_entered_once_and_required_if_any_item_requires_them() {
        let a = [
            material("营业执照", Requirement::Conditional),
            material("用地批准书", Requirement::Required),
        ];
        let b = [
            material("营业执照", Requirement::Required),
            material("施工图审查合格书", Requirement::Required),
        ];
        let shared = shared_materials(&[&a, &b]);
        let names: Vec<&str> = shared.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["营业执照", "用地批准书", "施工图审查合格书"]);
        assert!(shared[0].required);
        assert_eq!(shared[0].items, [0, 1]);
        assert_eq!(shared[2].items, [1]);
    }

    #[test]
    fn a_template_lists_distinct_items_within_bounds() {
        assert_eq!(
            TemplateSpec::parse("四证同发", "", &[1, 2, 1])
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        assert!(TemplateSpec::parse("四证同发", "", &[1]).is_err());
        assert!(TemplateSpec::parse(" ", "", &[1, 2]).is_err());
        let t = TemplateSpec::parse(" 四证同发 ", "", &[4, 3, 2, 1]).unwrap();
        assert_eq!((t.name.as_str(), t.items.len()), ("四证同发", 4));
    }

    #[test]
    fn lead_time_counts_from_the_day_after_and_only_working_days() {
        // 2026-10-01..07 is the National Day holiday; 10-10 (Saturday) a working day.
        let cal = Calendar::new((1..=7).map(|d| CalendarDay {
            date: NaiveDate::from_ymd_opt(2026, 10, d).unwrap(),
            name: "国庆节".into(),
            off: true,
        }));
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let same_day = LeadTime::measure(&cal, d(9, 29), d(9, 29)).unwrap();
        assert_eq!((same_day.days, same_day.working_days), (0, 0));
        let over_holiday = LeadTime::measure(&cal, d(9, 30), d(10, 9)).unwrap();
        assert_eq!((over_holiday.days, over_holiday.working_days), (9, 2));
    }
}
