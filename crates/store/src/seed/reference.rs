//! The reference files shipped in `data/` (see data/SOURCES.md), parsed into checked records.

use serde::Deserialize;
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::geo::LatLon;
use tongquan_domain::org::TownKind;
use tongquan_domain::{DomainError, text};

pub const COUNTIES_CSV: &str = include_str!("../../../../data/dezhou_counties.csv");
pub const TOWNS_CSV: &str = include_str!("../../../../data/dezhou_towns.csv");
pub const BOUNDARIES_GEOJSON: &str = include_str!("../../../../data/dezhou_counties.geojson");

#[derive(Debug, Clone)]
pub struct CountyRecord {
    pub code: CountyCode,
    pub name: String,
    pub seat: LatLon,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct TownRecord {
    pub code: TownCode,
    pub name: String,
    pub kind: TownKind,
    pub position: Option<LatLon>,
    pub source: String,
}

impl TownRecord {
    pub fn county(&self) -> CountyCode {
        self.code.county()
    }
}

#[derive(Debug, Clone)]
pub struct BoundaryRecord {
    pub code: String,
    pub name: String,
    pub level: String,
    pub geometry: String,
}

#[derive(Deserialize)]
struct CountyCsv {
    county_code: String,
    county_name: String,
    seat_lat: f64,
    seat_lon: f64,
    source: String,
}

#[derive(Deserialize)]
struct TownCsv {
    county_code: String,
    town_code: String,
    town_name: String,
    town_kind: String,
    lat: Option<f64>,
    lon: Option<f64>,
    source: String,
}

/// Reads a CSV file into rows, naming file, row and column on any error.
fn rows<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
) -> Result<Vec<(usize, T)>, DomainError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, r)| {
            // Row numbers as a spreadsheet shows them: the header is row 1.
            let row = i + 2;
            r.map(|v| (row, v)).map_err(|e| {
                DomainError::invalid(
                    format!("{file} row {row}"),
                    format!("无法读取：{e}"),
                    format!("unreadable: {e}"),
                )
            })
        })
        .collect()
}

fn at(file: &str, row: usize) -> impl Fn(DomainError) -> DomainError + '_ {
    move |e| {
        let field = format!("{file} row {row} column {}", e.field().unwrap_or("?"));
        e.at(field)
    }
}

pub fn counties(text: &str) -> Result<Vec<CountyRecord>, DomainError> {
    let file = "dezhou_counties.csv";
    rows::<CountyCsv>(file, text)?
        .into_iter()
        .map(|(row, r)| {
            Ok(CountyRecord {
                code: CountyCode::parse("county_code", &r.county_code).map_err(at(file, row))?,
                name: text::bounded("county_name", &r.county_name, 40).map_err(at(file, row))?,
                seat: LatLon::parse("seat_lat", r.seat_lat, r.seat_lon).map_err(at(file, row))?,
                source: r.source,
            })
        })
        .collect()
}

pub fn towns(text: &str) -> Result<Vec<TownRecord>, DomainError> {
    let file = "dezhou_towns.csv";
    rows::<TownCsv>(file, text)?
        .into_iter()
        .map(|(row, r)| {
            let code = TownCode::parse("town_code", &r.town_code).map_err(at(file, row))?;
            if code.county().as_str() != r.county_code.trim() {
                return Err(DomainError::invalid(
                    "town_code",
                    format!("乡镇代码不属于县 {}", r.county_code),
                    format!("town code does not belong to county {}", r.county_code),
                ))
                .map_err(at(file, row));
            }
            let kind = TownKind::from_zh(r.town_kind.trim()).ok_or_else(|| {
                at(file, row)(DomainError::invalid(
                    "town_kind",
                    format!("未知类型“{}”", r.town_kind),
                    format!("unknown kind {:?}", r.town_kind),
                ))
            })?;
            let position = match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => {
                    Some(LatLon::parse("lat", lat, lon).map_err(at(file, row))?)
                }
                (None, None) => None,
                _ => {
                    return Err(at(file, row)(DomainError::invalid(
                        "lat",
                        "纬度和经度须同时给出或同时为空",
                        "lat and lon must both be given or both be empty",
                    )));
                }
            };
            Ok(TownRecord {
                code,
                name: text::bounded("town_name", &r.town_name, 40).map_err(at(file, row))?,
                kind,
                position,
                source: r.source,
            })
        })
        .collect()
}

pub fn boundaries(text: &str) -> Result<Vec<BoundaryRecord>, DomainError> {
    let bad = |why: String| {
        DomainError::invalid(
            "dezhou_counties.geojson",
            format!("无法读取：{why}"),
            format!("unreadable: {why}"),
        )
    };
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let features = doc["features"]
        .as_array()
        .ok_or_else(|| bad("no features array".into()))?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let prop = |k: &str| {
                f["properties"][k]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("feature {i} has no {k}")))
            };
            let geometry = &f["geometry"];
            if !matches!(geometry["type"].as_str(), Some("Polygon" | "MultiPolygon")) {
                return Err(bad(format!("feature {i} is not a polygon")));
            }
            Ok(BoundaryRecord {
                code: prop("code")?,
                name: prop("name")?,
                level: prop("level")?,
                geometry: geometry.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_hold_12_counties_135_towns_and_7_without_coordinates() {
        let counties = counties(COUNTIES_CSV).unwrap();
        let towns = towns(TOWNS_CSV).unwrap();
        assert_eq!(counties.len(), 12);
        assert_eq!(towns.len(), 135);
        assert_eq!(towns.iter().filter(|t| t.position.is_none()).count(), 7);
        for t in &towns {
            assert!(
                counties.iter().any(|c| c.code == t.county()),
                "{} has a county",
                t.code
            );
        }
        let b = boundaries(BOUNDARIES_GEOJSON).unwrap();
        assert_eq!(b.iter().filter(|b| b.level == "city").count(), 1);
        assert_eq!(b.iter().filter(|b| b.level == "county").count(), 11);
    }

    #[test]
    fn a_bad_row_is_named_by_file_row_and_column() {
        let text = "county_code,county_name,town_code,town_name,town_kind,lat,lon,source\n\
                    371402,德城区,371402001,新湖街道,街道,37.4,116.2,x\n\
                    371402,德城区,37140200X,新华街道,街道,37.4,116.2,x\n";
        let err = towns(text).unwrap_err();
        assert_eq!(err.field(), Some("dezhou_towns.csv row 3 column town_code"));
        let half = "county_code,county_name,town_code,town_name,town_kind,lat,lon,source\n\
                    371402,德城区,371402001,新湖街道,街道,37.4,,x\n";
        assert_eq!(
            towns(half).unwrap_err().field(),
            Some("dezhou_towns.csv row 2 column lat")
        );
        let wrong_county = "county_code,county_name,town_code,town_name,town_kind,lat,lon,source\n\
                    371403,陵城区,371402001,新湖街道,街道,37.4,116.2,x\n";
        assert!(
            towns(wrong_county)
                .unwrap_err()
                .message()
                .en
                .contains("does not belong")
        );
    }
}
