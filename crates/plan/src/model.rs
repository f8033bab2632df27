//! The problem model: demand points, candidate sites and the distances between them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tongquan_domain::geo::{LatLon, distance_km};

use crate::PlanError;
use crate::bnb::Fix;

/// Great-circle km between two WGS-84 points in decimal degrees: the product's one distance
/// function (`tongquan_domain::geo::distance_km`), in the (lat, lon) form the planners use.
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    distance_km(
        LatLon {
            lat: lat1,
            lon: lon1,
        },
        LatLon {
            lat: lat2,
            lon: lon2,
        },
    )
}

/// A place that needs service, e.g. a town weighted by population or case volume.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    pub id: String,
    /// (latitude, longitude) in WGS-84 degrees; `None` when unknown.
    pub at: Option<(f64, f64)>,
    pub weight: f64,
}

/// A place where an office may stand. `keep` marks an existing office that must stay open.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: String,
    pub at: Option<(f64, f64)>,
    pub keep: bool,
}

/// Something left out of the plan, and why; always reported, never dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub id: String,
    /// `point` or `site`.
    pub kind: &'static str,
    pub reason: &'static str,
    pub reason_zh: &'static str,
}

/// A validated planning instance: weights, fixed-open sites and a dense point × site distance matrix.
#[derive(Debug, Clone)]
pub struct Instance {
    pub(crate) point_ids: Vec<String>,
    pub(crate) weights: Vec<f64>,
    pub(crate) site_ids: Vec<String>,
    pub(crate) keep: Vec<bool>,
    /// Row-major: `dist[i * sites + j]`.
    pub(crate) dist: Vec<f64>,
    pub(crate) excluded: Vec<Excluded>,
}

impl Instance {
    /// Builds great-circle distances. Points or sites without coordinates are excluded and listed.
    pub fn from_coordinates(points: &[DemandPoint], sites: &[Site]) -> Result<Self, PlanError> {
        check_points(points)?;
        check_sites(sites)?;
        let mut excluded = Vec::new();
        let located_points = located(points, |p| (&p.id, p.at), "point", &mut excluded);
        let located_sites = located(sites, |s| (&s.id, s.at), "site", &mut excluded);
        if located_points.is_empty() {
            return Err(PlanError::EmptyPoints);
        }
        if located_sites.is_empty() {
            return Err(PlanError::EmptySites);
        }
        let mut dist = Vec::with_capacity(located_points.len() * located_sites.len());
        for p in &located_points {
            let (la, lo) = p.at.unwrap_or_default();
            for s in &located_sites {
                let (lb, lob) = s.at.unwrap_or_default();
                dist.push(great_circle_km(la, lo, lb, lob));
            }
        }
        Ok(Instance {
            point_ids: located_points.iter().map(|p| p.id.clone()).collect(),
            weights: located_points.iter().map(|p| p.weight).collect(),
            site_ids: located_sites.iter().map(|s| s.id.clone()).collect(),
            keep: located_sites.iter().map(|s| s.keep).collect(),
            dist,
            excluded,
        })
    }

    /// Uses a given point × site distance matrix (row-major); coordinates are ignored.
    pub fn from_matrix(
        points: &[DemandPoint],
        sites: &[Site],
        dist: Vec<f64>,
    ) -> Result<Self, PlanError> {
        check_points(points)?;
        check_sites(sites)?;
        if dist.len() != points.len() * sites.len() {
            return Err(PlanError::invalid(
                "distances",
                format!(
                    "expected {} × {} values, got {}",
                    points.len(),
                    sites.len(),
                    dist.len()
                ),
                format!(
                    "应有 {} × {} 个距离，实际 {} 个",
                    points.len(),
                    sites.len(),
                    dist.len()
                ),
            ));
        }
        if let Some(k) = dist.iter().position(|d| !d.is_finite() || *d < 0.0) {
            let id = format!(
                "{} → {}",
                points[k / sites.len()].id,
                sites[k % sites.len()].id
            );
            return Err(PlanError::NanCoordinate { id });
        }
        Ok(Instance {
            point_ids: points.iter().map(|p| p.id.clone()).collect(),
            weights: points.iter().map(|p| p.weight).collect(),
            site_ids: sites.iter().map(|s| s.id.clone()).collect(),
            keep: sites.iter().map(|s| s.keep).collect(),
            dist,
            excluded: Vec::new(),
        })
    }

    /// Reads a road-distance matrix from CSV with header `point,site,km`, one row per pair.
    /// Every point × site pair must be present exactly once.
    pub fn from_distance_csv(
        points: &[DemandPoint],
        sites: &[Site],
        csv_text: &str,
    ) -> Result<Self, PlanError> {
        let pidx: HashMap<&str, usize> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let sidx: HashMap<&str, usize> = sites
            .iter()
            .enumerate()
            .map(|(j, s)| (s.id.as_str(), j))
            .collect();
        let mut dist = vec![f64::NAN; points.len() * sites.len()];
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(csv_text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| PlanError::malformed(1, e.to_string()))?;
        if header.len() < 3 || &header[0] != "point" || &header[1] != "site" || &header[2] != "km" {
            return Err(PlanError::malformed(1, "header must be point,site,km"));
        }
        for record in reader.records() {
            let record = record.map_err(|e| {
                PlanError::malformed(e.position().map_or(0, |p| p.line() as usize), e.to_string())
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let i = *pidx.get(&record[0]).ok_or_else(|| {
                PlanError::malformed(line, format!("unknown point {:?}", &record[0]))
            })?;
            let j = *sidx.get(&record[1]).ok_or_else(|| {
                PlanError::malformed(line, format!("unknown site {:?}", &record[1]))
            })?;
            let km: f64 = record[2].parse().map_err(|_| {
                PlanError::malformed(line, format!("distance {:?} is not a number", &record[2]))
            })?;
            if !km.is_finite() || km < 0.0 {
                return Err(PlanError::malformed(
                    line,
                    format!("distance {km} must be finite and ≥ 0"),
                ));
            }
            let cell = &mut dist[i * sites.len() + j];
            if !cell.is_nan() {
                return Err(PlanError::malformed(
                    line,
                    format!("pair {} → {} given twice", &record[0], &record[1]),
                ));
            }
            *cell = km;
        }
        if let Some(k) = dist.iter().position(|d| d.is_nan()) {
            let (p, s) = (&points[k / sites.len()].id, &sites[k % sites.len()].id);
            return Err(PlanError::malformed(
                0,
                format!("no distance for pair {p} → {s}"),
            ));
        }
        Instance::from_matrix(points, sites, dist)
    }

    pub fn points(&self) -> usize {
        self.point_ids.len()
    }

    pub fn sites(&self) -> usize {
        self.site_ids.len()
    }

    pub fn distance(&self, point: usize, site: usize) -> f64 {
        self.dist[point * self.sites() + site]
    }

    pub fn excluded(&self) -> &[Excluded] {
        &self.excluded
    }

    /// Weighted cost of serving point `i` from site `j`, row-major like `dist`.
    pub(crate) fn costs(&self) -> Vec<f64> {
        let m = self.sites();
        self.dist
            .iter()
            .enumerate()
            .map(|(k, d)| d * self.weights[k / m])
            .collect()
    }

    /// For each point, the sites within `radius` (inclusive, with a tolerance for rounding).
    pub(crate) fn within(&self, radius: f64) -> Vec<Vec<usize>> {
        let m = self.sites();
        (0..self.points())
            .map(|i| {
                (0..m)
                    .filter(|&j| self.dist[i * m + j] <= radius * (1.0 + 1e-12))
                    .collect()
            })
            .collect()
    }

    /// Fails with the list of points that no site reaches within `radius`.
    pub(crate) fn check_coverable(&self, radius: f64) -> Result<Vec<Vec<usize>>, PlanError> {
        check_radius(radius)?;
        let near = self.within(radius);
        let lonely: Vec<String> = near
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_empty())
            .map(|(i, _)| self.point_ids[i].clone())
            .collect();
        if lonely.is_empty() {
            Ok(near)
        } else {
            Err(PlanError::RadiusUncoverable { points: lonely })
        }
    }
}

impl Instance {
    /// Kept offices start fixed open; every other site is free.
    pub(crate) fn kept_fix(&self) -> Vec<Fix> {
        self.keep
            .iter()
            .map(|&k| if k { Fix::Open } else { Fix::Free })
            .collect()
    }

    /// `count` sites must include every kept one and, when `capped`, fit among the sites.
    pub(crate) fn check_count(
        &self,
        field: &'static str,
        count: usize,
        capped: bool,
    ) -> Result<(), PlanError> {
        let keep = self.keep.iter().filter(|&&k| k).count().max(1);
        let most = if capped { self.sites() } else { usize::MAX };
        if (keep..=most).contains(&count) {
            return Ok(());
        }
        let sites = if capped {
            format!(" and at most {most} (sites)")
        } else {
            String::new()
        };
        let sites_zh = if capped {
            format!("，且不超过 {most}（候选网点数）")
        } else {
            String::new()
        };
        Err(PlanError::invalid(
            field,
            format!(
                "{field} = {count} must be at least {keep} (one, and every kept office){sites}"
            ),
            format!("{field} = {count} 不能小于 {keep}（至少 1 个且包含全部保留网点）{sites_zh}"),
        ))
    }
}

pub(crate) fn check_radius(radius: f64) -> Result<(), PlanError> {
    if radius.is_finite() && radius >= 0.0 {
        Ok(())
    } else {
        Err(PlanError::invalid(
            "radius",
            format!("{radius} is not a distance ≥ 0"),
            format!("{radius} 不是有效距离"),
        ))
    }
}

/// The items with coordinates; the others are recorded in `excluded`.
fn located<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> (&String, Option<(f64, f64)>),
    kind: &'static str,
    excluded: &mut Vec<Excluded>,
) -> Vec<&'a T> {
    items
        .iter()
        .filter(|item| {
            let (id, at) = key(item);
            if at.is_none() {
                excluded.push(Excluded {
                    id: id.clone(),
                    kind,
                    reason: "no coordinates",
                    reason_zh: "缺少坐标",
                });
            }
            at.is_some()
        })
        .collect()
}

fn check_coordinate(id: &str, at: Option<(f64, f64)>) -> Result<(), PlanError> {
    match at {
        Some((lat, lon)) if !lat.is_finite() || !lon.is_finite() => {
            Err(PlanError::NanCoordinate { id: id.to_owned() })
        }
        Some((lat, lon)) if lat.abs() > 90.0 || lon.abs() > 180.0 => Err(PlanError::invalid(
            "coordinate",
            format!("{id}: ({lat}, {lon}) is outside WGS-84 degrees"),
            format!("{id}：({lat}, {lon}) 超出经纬度范围"),
        )),
        _ => Ok(()),
    }
}

fn check_unique<'a>(ids: impl Iterator<Item = &'a str>) -> Result<(), PlanError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(PlanError::DuplicatePoint { id: id.to_owned() });
        }
    }
    Ok(())
}

fn check_points(points: &[DemandPoint]) -> Result<(), PlanError> {
    if points.is_empty() {
        return Err(PlanError::EmptyPoints);
    }
    check_unique(points.iter().map(|p| p.id.as_str()))?;
    for p in points {
        check_coordinate(&p.id, p.at)?;
        if !p.weight.is_finite() || p.weight < 0.0 {
            return Err(PlanError::invalid(
                "weight",
                format!("{}: weight {} must be finite and ≥ 0", p.id, p.weight),
                format!("{}：权重 {} 必须为非负数", p.id, p.weight),
            ));
        }
    }
    Ok(())
}

fn check_sites(sites: &[Site]) -> Result<(), PlanError> {
    if sites.is_empty() {
        return Err(PlanError::EmptySites);
    }
    check_unique(sites.iter().map(|s| s.id.as_str()))?;
    sites.iter().try_for_each(|s| check_coordinate(&s.id, s.at))
}
