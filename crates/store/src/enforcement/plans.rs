//! The year's inspection plan of a county: every department's planned inspections of every
//! object, from the inspection item lists (times a year by risk grade), merged into joint visits
//! (综合查一次) with a lead department. The merge is optimal and says so (`lower_bound`).

use std::collections::HashMap;

use serde::Serialize;
use tongquan_domain::codes::CountyCode;
use tongquan_domain::enforcement::{EnforcementDomain, RiskGrade};
use tongquan_plan::{Requirement, frequency_windows, merge_year};

use super::draws::plan_error;
use crate::{Result, Store};

/// A joint visit of the plan, with what a person needs to read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlannedVisit {
    pub object_id: i64,
    pub object_name: String,
    pub town_name: String,
    pub month: u8,
    /// The lead field's slug; its county department leads the visit.
    pub lead: String,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JointPlan {
    pub county_code: String,
    /// Planned inspections, one visit each if every department went alone.
    pub separate_visits: usize,
    pub joint_visits: usize,
    /// No plan can have fewer visits; equal to `joint_visits` means proven optimal.
    pub lower_bound: usize,
    pub optimal: bool,
    pub reduction_percent: f64,
    /// Joint visits in each month, January first.
    pub by_month: Vec<usize>,
    /// The first visits of the plan, by object then month (at most 200).
    pub visits: Vec<PlannedVisit>,
}

impl Store {
    /// Every department's planned inspections of the county's objects for a year: for each field
    /// that applies to an object, the most frequent of its department's items for the object's
    /// kind and grade, in equal windows of the year. Department names are field slugs.
    pub async fn plan_requirements(&self, county: &CountyCode) -> Result<Vec<Requirement>> {
        let items = self.inspection_items(Some(county), None).await?;
        let objects: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, kind, risk_grade, domains FROM inspection_objects WHERE county_code = $1 ORDER BY id",
        )
        .bind(county.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut windows: HashMap<u8, Vec<(u8, u8)>> = HashMap::new();
        let mut reqs = Vec::new();
        for (id, kind, grade, domains) in objects {
            let grade = RiskGrade::parse("risk_grade", &grade)?;
            for domain in EnforcementDomain::parse_list("domains", &domains)? {
                let times = items
                    .iter()
                    .filter(|i| {
                        i.domain == domain.slug() && i.object_kinds.split(',').any(|k| k == kind)
                    })
                    .map(|i| i.times_a_year(grade))
                    .max()
                    .unwrap_or(0);
                let times = u8::try_from(times).unwrap_or(0);
                if times == 0 {
                    continue;
                }
                let list = match windows.entry(times) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(frequency_windows(times).map_err(plan_error)?)
                    }
                };
                for window in list.iter() {
                    reqs.push(Requirement {
                        object: id,
                        department: domain.slug().to_owned(),
                        window: *window,
                    });
                }
            }
        }
        Ok(reqs)
    }

    /// The county's year of inspections merged into joint visits (public: plans are published).
    pub async fn joint_plan(&self, county: &CountyCode) -> Result<JointPlan> {
        self.county(county).await?;
        let plan = merge_year(&self.plan_requirements(county).await?).map_err(plan_error)?;
        let mut by_month = vec![0; 12];
        for v in &plan.visits {
            by_month[usize::from(v.month - 1)] += 1;
        }
        let shown = &plan.visits[..plan.visits.len().min(200)];
        let ids: Vec<i64> = shown.iter().map(|v| v.object).collect();
        let mut sql = crate::db::Sql::new(
            "SELECT x.id, x.name, t.name FROM inspection_objects x JOIN towns t ON t.code = x.town_code WHERE ",
        );
        sql.bind_in("x.id", &ids);
        let names: HashMap<i64, (String, String)> = sql
            .query_as::<(i64, String, String)>()
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(id, n, t)| (id, (n, t)))
            .collect();
        Ok(JointPlan {
            county_code: county.to_string(),
            separate_visits: plan.separate_visits,
            joint_visits: plan.joint_visits,
            lower_bound: plan.lower_bound,
            optimal: plan.lower_bound == plan.joint_visits,
            reduction_percent: plan.reduction_percent,
            by_month,
            visits: shown
                .iter()
                .map(|v| {
                    let (object_name, town_name) =
                        names.get(&v.object).cloned().unwrap_or_default();
                    PlannedVisit {
                        object_id: v.object,
                        object_name,
                        town_name,
                        month: v.month,
                        lead: v.lead.clone(),
                        departments: v.departments.clone(),
                    }
                })
                .collect(),
        })
    }
}
