//! Merging a year's inspection plans of several departments into joint visits (综合查一次).
//!
//! Each requirement says one department must inspect one object once within a window of months.
//! Per object, the fewest visits that serve every requirement is the minimum number of months
//! stabbing all its windows. The classic greedy (windows by ascending last month; a window not yet
//! served gets a visit in its last month) is optimal, and it proves so itself: the windows that
//! opened a visit are pairwise disjoint, and no visit can serve two disjoint windows, so at least
//! that many visits are needed. `lower_bound` is the sum of those disjoint families.

use serde::{Deserialize, Serialize};

use crate::PlanError;

/// One department's duty to inspect one object within a window of months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub object: i64,
    pub department: String,
    /// First and last month (1..=12, inclusive) in which the inspection must happen.
    pub window: (u8, u8),
}

/// One visit to one object in one month, by all departments it serves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JointVisit {
    pub object: i64,
    pub month: u8,
    /// The department with most requirements in this visit; ties go to the smallest name.
    pub lead: String,
    /// Sorted, without duplicates.
    pub departments: Vec<String>,
    /// Requirements served by this visit.
    pub requirements: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergePlan {
    /// By object, then month.
    pub visits: Vec<JointVisit>,
    /// Visits without merging: one per requirement.
    pub separate_visits: usize,
    pub joint_visits: usize,
    /// Pairwise disjoint windows found, summed over objects: no plan can have fewer visits.
    pub lower_bound: usize,
    /// 100 · (separate − joint) / separate; 0 when there is nothing to merge.
    pub reduction_percent: f64,
}

/// The windows of a department inspecting `times_per_year` times in equal parts of the year.
pub fn frequency_windows(times_per_year: u8) -> Result<Vec<(u8, u8)>, PlanError> {
    match times_per_year {
        1 | 2 | 3 | 4 | 6 | 12 => {
            let len = 12 / times_per_year;
            Ok((0..times_per_year)
                .map(|i| (i * len + 1, (i + 1) * len))
                .collect())
        }
        t => Err(PlanError::invalid(
            "times_per_year",
            format!("{t} times a year does not split the year evenly; use 1, 2, 3, 4, 6 or 12"),
            format!("每年 {t} 次无法均分全年，应为 1、2、3、4、6 或 12 次"),
        )),
    }
}

/// Merges requirements into the fewest visits per object (optimal, with the proof in
/// `lower_bound`). Each requirement is served by the earliest visit within its window; visits are
/// then spread over the months their requirements allow, least busy month first.
pub fn merge_year(reqs: &[Requirement]) -> Result<MergePlan, PlanError> {
    for r in reqs {
        let (first, last) = r.window;
        if !(1..=12).contains(&first) || !(1..=12).contains(&last) || first > last {
            return Err(PlanError::invalid(
                "window",
                format!(
                    "object {}: window ({first}, {last}) of {} must have 1 ≤ first ≤ last ≤ 12",
                    r.object, r.department
                ),
                format!(
                    "检查对象 {}：{} 的时间窗（{first}，{last}）应满足 1 ≤ 起始月 ≤ 结束月 ≤ 12",
                    r.object, r.department
                ),
            ));
        }
    }
    let Ok(count) = u32::try_from(reqs.len()) else {
        return Err(PlanError::invalid(
            "requirements",
            "more than 4,294,967,295 requirements",
            "检查要求超过 4,294,967,295 条",
        ));
    };
    // One sort of compact keys: (object, last, first, index) keeps memory at 16 bytes a requirement
    // and makes ties deterministic.
    let mut order: Vec<(i64, u8, u8, u32)> = (0..count)
        .map(|i| {
            let r = &reqs[i as usize];
            (r.object, r.window.1, r.window.0, i)
        })
        .collect();
    order.sort_unstable();

    let mut visits = Vec::new();
    let mut lower_bound = 0;
    // Visits planned in each month so far, to spread the year's work.
    let mut load = [0usize; 13];
    // Departments served by each of an object's visits, reused across objects.
    let mut served: Vec<Vec<&str>> = vec![Vec::new(); 12];
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let object = group[0].0;
        let mut months: Vec<u8> = Vec::with_capacity(12);
        let mut openers: Vec<(u8, u8)> = Vec::with_capacity(12);
        for &(_, last, first, _) in group {
            // Visits so far are at most `last` (windows come by ascending last month).
            if months.last().is_none_or(|&m| m < first) {
                months.push(last);
                openers.push((first, last));
            }
        }
        // The proof, checked rather than assumed: count openers each starting after the previous
        // counted one ends; sorted by end, that makes them pairwise disjoint.
        let mut end = 0;
        for &(first, last) in &openers {
            if first > end {
                lower_bound += 1;
                end = last;
            }
        }
        // Earliest visit at or after each month.
        let mut next = [usize::MAX; 14];
        for (k, &m) in months.iter().enumerate().rev() {
            for slot in next.iter_mut().take(m as usize + 1) {
                *slot = k;
            }
        }
        // Each visit may move within the months every requirement it serves allows.
        let mut range: Vec<(u8, u8)> = vec![(1, 12); months.len()];
        for &(_, last, first, i) in group {
            let k = next[first as usize];
            debug_assert!(months[k] <= reqs[i as usize].window.1);
            served[k].push(reqs[i as usize].department.as_str());
            range[k] = (range[k].0.max(first), range[k].1.min(last));
        }
        // The stabbing points sit at window ends (all the yearly visits in December); move each,
        // in order and between its neighbours, to the least busy month it may take. The count,
        // and so the proof, does not change.
        let planned = months.clone();
        for k in 0..months.len() {
            let after = if k == 0 { 0 } else { months[k - 1] };
            let before = planned.get(k + 1).map_or(13, |&m| m);
            let (lo, hi) = (range[k].0.max(after + 1), range[k].1.min(before - 1));
            months[k] = (lo..=hi)
                .min_by_key(|&m| (load[m as usize], m))
                .unwrap_or(planned[k]);
            load[months[k] as usize] += 1;
        }
        for (k, &month) in months.iter().enumerate() {
            let depts = &mut served[k];
            let requirements = depts.len();
            depts.sort_unstable();
            let mut lead = (depts[0], 0);
            let mut departments = Vec::new();
            for run in depts.chunk_by(|a, b| a == b) {
                // Runs come in name order, so keeping the first maximum breaks ties by name.
                if run.len() > lead.1 {
                    lead = (run[0], run.len());
                }
                departments.push(run[0].to_string());
            }
            visits.push(JointVisit {
                object,
                month,
                lead: lead.0.to_string(),
                departments,
                requirements,
            });
            depts.clear();
        }
    }
    let separate_visits = reqs.len();
    let joint_visits = visits.len();
    let reduction_percent = if separate_visits == 0 {
        0.0
    } else {
        100.0 * (separate_visits - joint_visits) as f64 / separate_visits as f64
    };
    Ok(MergePlan {
        visits,
        separate_visits,
        joint_visits,
        lower_bound,
        reduction_percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(object: i64, department: &str, window: (u8, u8)) -> Requirement {
        Requirement {
            object,
            department: department.into(),
            window,
        }
    }

    /// Checks every structural promise of a plan against its requirements.
    fn check(reqs: &[Requirement], plan: &MergePlan) {
        assert_eq!(plan.joint_visits, plan.visits.len());
        assert_eq!(plan.separate_visits, reqs.len());
        assert_eq!(plan.lower_bound, plan.joint_visits, "greedy proven optimal");
        // At most one visit per object and month, in (object, month) order.
        assert!(
            plan.visits
                .windows(2)
                .all(|w| (w[0].object, w[0].month) < (w[1].object, w[1].month))
        );
        // Each requirement goes to the earliest visit of its object within its window.
        let mut expected: Vec<Vec<&str>> = vec![Vec::new(); plan.visits.len()];
        for r in reqs {
            let k = plan
                .visits
                .iter()
                .position(|v| v.object == r.object && v.month >= r.window.0)
                .expect("a visit");
            let v = &plan.visits[k];
            assert!(v.month <= r.window.1, "{r:?} not served by {v:?}");
            expected[k].push(&r.department);
        }
        for (v, mut depts) in plan.visits.iter().zip(expected) {
            assert_eq!(v.requirements, depts.len());
            depts.sort_unstable();
            let count = |d: &str| depts.iter().filter(|x| **x == d).count();
            let best = depts.iter().map(|d| count(d)).max().unwrap();
            let lead = depts.iter().find(|d| count(d) == best).unwrap();
            assert_eq!(v.lead, *lead);
            depts.dedup();
            assert_eq!(v.departments, depts);
        }
    }

    #[test]
    fn frequency_windows_split_the_year() {
        assert_eq!(frequency_windows(1).unwrap(), vec![(1, 12)]);
        assert_eq!(frequency_windows(2).unwrap(), vec![(1, 6), (7, 12)]);
        assert_eq!(frequency_windows(3).unwrap(), vec![(1, 4), (5, 8), (9, 12)]);
        assert_eq!(
            frequency_windows(4).unwrap(),
            vec![(1, 3), (4, 6), (7, 9), (10, 12)]
        );
        assert_eq!(frequency_windows(6).unwrap()[5], (11, 12));
        assert_eq!(
            frequency_windows(12).unwrap(),
            (1..=12).map(|m| (m, m)).collect::<Vec<_>>()
        );
        for t in [0, 5, 7, 8, 9, 10, 11, 13, 255] {
            let err = frequency_windows(t).unwrap_err();
            assert_eq!(err.code(), "plan.invalid_parameter");
        }
    }

    #[test]
    fn hand_examples() {
        let reqs = vec![
            req(1, "market", (1, 12)),
            req(1, "fire", (1, 6)),
            req(1, "env", (7, 12)),
        ];
        let plan = merge_year(&reqs).unwrap();
        check(&reqs, &plan);
        assert_eq!(plan.joint_visits, 2);
        // Spread to the least busy month each visit may take: the first of each half-year.
        assert_eq!(plan.visits[0].month, 1);
        assert_eq!(plan.visits[0].departments, vec!["fire", "market"]);
        assert_eq!(plan.visits[1].month, 7);
        assert_eq!(plan.visits[1].departments, vec!["env"]);
        assert!((plan.reduction_percent - 100.0 / 3.0).abs() < 1e-9);

        let monthly: Vec<Requirement> = frequency_windows(12)
            .unwrap()
            .into_iter()
            .map(|w| req(7, "safety", w))
            .collect();
        let plan = merge_year(&monthly).unwrap();
        check(&monthly, &plan);
        assert_eq!(plan.joint_visits, 12);
        assert_eq!(plan.reduction_percent, 0.0);
    }

    #[test]
    fn departments_merge_across_frequencies() {
        // Quarterly and half-yearly and yearly: four visits serve all seven requirements.
        let mut reqs = Vec::new();
        for (dept, t) in [("tax", 4), ("fire", 2), ("market", 1)] {
            for w in frequency_windows(t).unwrap() {
                reqs.push(req(3, dept, w));
            }
        }
        reqs.push(req(4, "fire", (2, 2)));
        let plan = merge_year(&reqs).unwrap();
        check(&reqs, &plan);
        assert_eq!(plan.joint_visits, 5);
        let months: Vec<u8> = plan.visits.iter().map(|v| v.month).collect();
        // Object 3's four visits take the quarters' least busy months; object 4's is fixed.
        assert_eq!(months, vec![1, 4, 7, 10, 2]);
        assert_eq!(plan.visits[0].departments, vec!["fire", "market", "tax"]);
    }

    #[test]
    fn yearly_visits_spread_over_the_year_instead_of_piling_up_in_december() {
        let reqs: Vec<Requirement> = (0..24).map(|o| req(o, "market", (1, 12))).collect();
        let plan = merge_year(&reqs).unwrap();
        check(&reqs, &plan);
        let mut per_month = [0; 13];
        for v in &plan.visits {
            per_month[v.month as usize] += 1;
        }
        assert_eq!(&per_month[1..], &[2; 12]);
    }

    #[test]
    fn lead_is_busiest_then_smallest_name() {
        let reqs = vec![
            req(1, "b", (1, 3)),
            req(1, "c", (2, 3)),
            req(1, "c", (1, 4)),
            req(1, "a", (3, 3)),
        ];
        let plan = merge_year(&reqs).unwrap();
        check(&reqs, &plan);
        assert_eq!(plan.visits.len(), 1);
        assert_eq!(plan.visits[0].lead, "c");
        assert_eq!(plan.visits[0].requirements, 4);
        let tie = vec![req(1, "z", (1, 3)), req(1, "y", (2, 3))];
        assert_eq!(merge_year(&tie).unwrap().visits[0].lead, "y");
    }

    #[test]
    fn empty_and_bad_windows() {
        let plan = merge_year(&[]).unwrap();
        assert_eq!(
            (plan.joint_visits, plan.separate_visits, plan.lower_bound),
            (0, 0, 0)
        );
        assert_eq!(plan.reduction_percent, 0.0);
        for w in [(0, 3), (5, 4), (1, 13), (13, 13)] {
            let err = merge_year(&[req(1, "a", (1, 12)), req(42, "fire", w)]).unwrap_err();
            assert_eq!(err.code(), "plan.invalid_parameter");
            assert!(err.message_en().contains("object 42"), "{err}");
            assert!(err.message_zh().contains("检查对象 42"));
        }
    }

    /// Fewest months stabbing every window, by trying all subsets of months.
    fn brute_force(windows: &[(u8, u8)]) -> u32 {
        (0u32..1 << 12)
            .filter(|set| {
                windows
                    .iter()
                    .all(|&(a, b)| (a..=b).any(|m| set & (1 << (m - 1)) != 0))
            })
            .map(u32::count_ones)
            .min()
            .unwrap()
    }

    fn windows() -> impl Strategy<Value = Vec<(u8, u8)>> {
        proptest::collection::vec(
            (1u8..=12, 0u8..12).prop_map(|(a, len)| (a, (a + len).min(12))),
            1..=6,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn optimal_against_brute_force(objects in proptest::collection::vec(windows(), 1..4)) {
            let depts = ["env", "fire", "market"];
            let mut reqs = Vec::new();
            for (o, ws) in objects.iter().enumerate() {
                for (k, &w) in ws.iter().enumerate() {
                    reqs.push(req(10 - o as i64, depts[k % 3], w));
                }
            }
            let plan = merge_year(&reqs).unwrap();
            check(&reqs, &plan);
            let best: u32 = objects.iter().map(|ws| brute_force(ws)).sum();
            prop_assert_eq!(plan.joint_visits, best as usize);
        }
    }
}
