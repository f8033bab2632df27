//! Illustrative placement of the reform's 21 approval branches. The real placements are not
//! public, so the demo derives them from geography: branches go to counties in proportion to their
//! towns lying beyond 10 km of the county hall, and each branch serves 2-5 neighbouring such towns.
//! Every branch is flagged `illustrative` in the product.

use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::geo::{LatLon, distance_km};
use tongquan_domain::org::TownKind;

use super::reference::{CountyRecord, TownRecord};

pub const BRANCH_COUNT: usize = 21;
pub const MIN_TOWNS: usize = 2;
pub const MAX_TOWNS: usize = 5;
/// Towns beyond this distance from their hall are the ones a branch should serve.
const FAR_KM: f64 = 10.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BranchPlan {
    pub county: CountyCode,
    /// 1-based number within the county.
    pub number: usize,
    /// The town the branch stands in.
    pub seat: TownCode,
    pub towns: Vec<TownCode>,
}

struct Far<'a> {
    town: &'a TownRecord,
    at: LatLon,
    /// Distance from the county hall.
    km: f64,
    bearing: f64,
}

/// Rural towns (not urban streets) with coordinates lying beyond `FAR_KM` of the county hall.
fn far_towns<'a>(county: &CountyRecord, towns: &'a [TownRecord]) -> Vec<Far<'a>> {
    let seat = county.seat;
    let mut far: Vec<Far> = towns
        .iter()
        .filter(|t| {
            t.county() == county.code && matches!(t.kind, TownKind::Town | TownKind::Township)
        })
        .filter_map(|t| t.position.map(|at| (t, at)))
        .map(|(t, at)| (t, at, distance_km(at, seat)))
        .filter(|(_, _, km)| *km > FAR_KM)
        .map(|(town, at, km)| {
            let dx = (at.lon - seat.lon) * seat.lat.to_radians().cos();
            let dy = at.lat - seat.lat;
            Far {
                town,
                at,
                km,
                bearing: dx.atan2(dy),
            }
        })
        .collect();
    far.sort_by(|a, b| {
        a.bearing
            .total_cmp(&b.bearing)
            .then_with(|| a.town.code.cmp(&b.town.code))
    });
    far
}

/// Splits `total` branches over counties by largest remainder of their share of far towns,
/// never giving a county more branches than it has pairs of far towns.
fn allocate(far_counts: &[usize], total: usize) -> Vec<usize> {
    let sum: usize = far_counts.iter().sum();
    let cap = |n: usize| n / MIN_TOWNS;
    let quota: Vec<f64> = far_counts
        .iter()
        .map(|&n| (total * n) as f64 / sum.max(1) as f64)
        .collect();
    let mut alloc: Vec<usize> = quota
        .iter()
        .zip(far_counts)
        .map(|(q, &n)| (q.floor() as usize).min(cap(n)))
        .collect();
    let mut order: Vec<usize> = (0..far_counts.len()).collect();
    order.sort_by(|&a, &b| {
        (quota[b] - alloc[b] as f64)
            .total_cmp(&(quota[a] - alloc[a] as f64))
            .then(a.cmp(&b))
    });
    let room: usize = alloc
        .iter()
        .zip(far_counts)
        .map(|(&a, &n)| cap(n) - a)
        .sum();
    let mut left = total.saturating_sub(alloc.iter().sum()).min(room);
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        if alloc[i] < cap(far_counts[i]) {
            alloc[i] += 1;
            left -= 1;
        }
    }
    alloc
}

/// The member that minimises the sum of distances to the others, and that sum.
fn medoid(group: &[&Far]) -> (usize, f64) {
    group
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                i,
                group.iter().map(|b| distance_km(a.at, b.at)).sum::<f64>(),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("groups are not empty")
}

/// Cuts the towns, ordered by bearing around the hall, into `k` arcs of near-equal size, trying
/// every starting point and keeping the most compact cut.
fn group(far: &[Far], k: usize) -> Vec<Vec<usize>> {
    // Beyond k * MAX_TOWNS towns, the nearest of them stay with the hall.
    let mut nearest_first: Vec<usize> = (0..far.len()).collect();
    nearest_first.sort_by(|&a, &b| far[a].km.total_cmp(&far[b].km));
    let dropped = &nearest_first[..far.len().saturating_sub(k * MAX_TOWNS)];
    let kept: Vec<usize> = (0..far.len()).filter(|i| !dropped.contains(i)).collect();
    let n = kept.len();
    let sizes: Vec<usize> = (0..k).map(|g| n / k + usize::from(g < n % k)).collect();
    let mut best: Option<(f64, Vec<Vec<usize>>)> = None;
    for start in 0..n {
        let mut groups = Vec::with_capacity(k);
        let mut pos = start;
        for &size in &sizes {
            groups.push((0..size).map(|j| kept[(pos + j) % n]).collect::<Vec<_>>());
            pos += size;
        }
        let cost: f64 = groups
            .iter()
            .map(|g| medoid(&g.iter().map(|&i| &far[i]).collect::<Vec<_>>()).1)
            .sum();
        if best.as_ref().is_none_or(|(c, _)| cost < *c - 1e-9) {
            best = Some((cost, groups));
        }
    }
    best.map(|(_, g)| g).unwrap_or_default()
}

pub fn place(counties: &[CountyRecord], towns: &[TownRecord], total: usize) -> Vec<BranchPlan> {
    let far: Vec<Vec<Far>> = counties.iter().map(|c| far_towns(c, towns)).collect();
    let alloc = allocate(&far.iter().map(Vec::len).collect::<Vec<_>>(), total);
    let mut plans = Vec::new();
    for ((county, far), k) in counties.iter().zip(&far).zip(alloc) {
        for (g, members) in group(far, k).into_iter().enumerate() {
            let refs: Vec<&Far> = members.iter().map(|&i| &far[i]).collect();
            let (seat, _) = medoid(&refs);
            let mut served: Vec<TownCode> = refs.iter().map(|f| f.town.code.clone()).collect();
            served.sort();
            plans.push(BranchPlan {
                county: county.code.clone(),
                number: g + 1,
                seat: refs[seat].town.code.clone(),
                towns: served,
            });
        }
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::reference::{COUNTIES_CSV, TOWNS_CSV, counties, towns};

    #[test]
    fn allocation_uses_largest_remainders_within_caps() {
        assert_eq!(allocate(&[10, 10], 4), vec![2, 2]);
        assert_eq!(allocate(&[9, 1, 0], 4), vec![4, 0, 0]);
        assert_eq!(
            allocate(&[3, 3], 5),
            vec![1, 1],
            "caps stop at one branch per pair of towns"
        );
        assert_eq!(allocate(&[7, 5, 2], 5).iter().sum::<usize>(), 5);
    }

    #[test]
    fn dezhou_gets_21_branches_of_2_to_5_far_towns_each_served_once() {
        let counties = counties(COUNTIES_CSV).unwrap();
        let towns = towns(TOWNS_CSV).unwrap();
        let plans = place(&counties, &towns, BRANCH_COUNT);
        assert_eq!(plans.len(), BRANCH_COUNT);
        let mut served: Vec<&TownCode> = plans.iter().flat_map(|p| &p.towns).collect();
        let n = served.len();
        served.sort();
        served.dedup();
        assert_eq!(served.len(), n, "no town is served by two branches");
        for p in &plans {
            assert!((MIN_TOWNS..=MAX_TOWNS).contains(&p.towns.len()), "{p:?}");
            assert!(
                p.towns.contains(&p.seat),
                "a branch stands in a town it serves"
            );
            let county = counties.iter().find(|c| c.code == p.county).unwrap();
            for t in &p.towns {
                let town = towns.iter().find(|x| &x.code == t).unwrap();
                assert_eq!(town.county(), p.county);
                assert!(distance_km(town.position.unwrap(), county.seat) > FAR_KM);
            }
        }
    }

    #[test]
    fn placement_is_the_same_every_time() {
        let counties = counties(COUNTIES_CSV).unwrap();
        let towns = towns(TOWNS_CSV).unwrap();
        assert_eq!(
            place(&counties, &towns, BRANCH_COUNT),
            place(&counties, &towns, BRANCH_COUNT)
        );
    }
}
