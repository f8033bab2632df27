//! Coordinates and the one distance function used everywhere in the product.

use geo::{Distance, Haversine, Point};
use serde::Serialize;

use crate::DomainError;

/// A WGS-84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn parse(field: &str, lat: f64, lon: f64) -> Result<Self, DomainError> {
        if !(lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon))
        {
            return Err(DomainError::invalid(
                field,
                format!("坐标无效：纬度 {lat}，经度 {lon}"),
                format!("invalid coordinates: lat {lat}, lon {lon}"),
            ));
        }
        Ok(Self { lat, lon })
    }

    pub fn point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

/// Great-circle distance in kilometres (haversine, GRS80 mean Earth radius).
pub fn distance_km(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(a.point(), b.point()) / 1000.0
}

/// How far a town lies from its county's service hall, in the bands the reform reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceBand {
    /// Within 10 km.
    Near,
    /// More than 10 km, up to 15 km.
    Beyond10,
    /// More than 15 km.
    Beyond15,
}

impl DistanceBand {
    pub fn of(km: f64) -> Self {
        if km > 15.0 {
            Self::Beyond15
        } else if km > 10.0 {
            Self::Beyond10
        } else {
            Self::Near
        }
    }
}

/// How many towns lie beyond 10 km and beyond 15 km of their hall, among those with coordinates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BandCounts {
    pub towns: usize,
    /// Towns with coordinates; the shares are of these.
    pub located: usize,
    /// More than 10 km (including those beyond 15 km).
    pub beyond_10: usize,
    pub beyond_15: usize,
}

impl BandCounts {
    /// Tallies distances; `None` is a town without coordinates, counted but not placed.
    pub fn tally(kms: impl IntoIterator<Item = Option<f64>>) -> Self {
        let mut c = Self::default();
        for km in kms {
            c.towns += 1;
            if let Some(km) = km {
                c.located += 1;
                c.beyond_10 += usize::from(DistanceBand::of(km) != DistanceBand::Near);
                c.beyond_15 += usize::from(DistanceBand::of(km) == DistanceBand::Beyond15);
            }
        }
        c
    }

    pub fn unlocated(&self) -> usize {
        self.towns - self.located
    }

    /// Percentage of located towns, 0 when none are located.
    fn percent(&self, n: usize) -> f64 {
        if self.located == 0 {
            0.0
        } else {
            100.0 * n as f64 / self.located as f64
        }
    }

    pub fn beyond_10_pct(&self) -> f64 {
        self.percent(self.beyond_10)
    }

    pub fn beyond_15_pct(&self) -> f64 {
        self.percent(self.beyond_15)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = distance_km(
            LatLon {
                lat: 37.0,
                lon: 116.0,
            },
            LatLon {
                lat: 38.0,
                lon: 116.0,
            },
        );
        assert!((d - 111.2).abs() < 0.1, "{d}");
    }

    #[test]
    fn distance_is_symmetric_and_zero_on_the_diagonal() {
        let a = LatLon {
            lat: 37.45,
            lon: 116.29,
        };
        let b = LatLon {
            lat: 37.73,
            lon: 117.23,
        };
        assert_eq!(distance_km(a, a), 0.0);
        assert!((distance_km(a, b) - distance_km(b, a)).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_or_nan_coordinates_are_rejected() {
        assert!(LatLon::parse("lat", f64::NAN, 116.0).is_err());
        assert!(LatLon::parse("lat", 91.0, 116.0).is_err());
        assert!(LatLon::parse("lat", 37.0, 116.0).is_ok());
    }

    #[test]
    fn tallies_count_unlocated_towns_without_placing_them() {
        let c = BandCounts::tally([Some(3.0), Some(12.0), Some(20.0), None]);
        assert_eq!(
            (c.towns, c.located, c.beyond_10, c.beyond_15, c.unlocated()),
            (4, 3, 2, 1, 1)
        );
        assert!((c.beyond_10_pct() - 66.666).abs() < 0.01);
        assert_eq!(BandCounts::tally([None]).beyond_15_pct(), 0.0);
    }

    #[test]
    fn bands_are_open_above_their_threshold() {
        assert_eq!(DistanceBand::of(10.0), DistanceBand::Near);
        assert_eq!(DistanceBand::of(10.01), DistanceBand::Beyond10);
        assert_eq!(DistanceBand::of(15.0), DistanceBand::Beyond10);
        assert_eq!(DistanceBand::of(15.5), DistanceBand::Beyond15);
    }
}

/// The polygons of a GeoJSON Polygon or MultiPolygon geometry; anything else is empty.
pub fn polygons(geometry: &str) -> geo::MultiPolygon<f64> {
    let g: serde_json::Value = serde_json::from_str(geometry).unwrap_or_default();
    let list: Vec<&serde_json::Value> = match g["type"].as_str() {
        Some("Polygon") => vec![&g["coordinates"]],
        Some("MultiPolygon") => g["coordinates"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let ring = |r: &serde_json::Value| -> geo::LineString<f64> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(geo::Coord {
                    x: c[0].as_f64()?,
                    y: c[1].as_f64()?,
                })
            })
            .collect()
    };
    geo::MultiPolygon(
        list.into_iter()
            .filter_map(|p| p.as_array())
            .filter(|rings| !rings.is_empty())
            .map(|rings| geo::Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect()))
            .collect(),
    )
}

/// The nearest of `candidates` to `p`, if any.
pub fn nearest<T>(p: LatLon, candidates: impl IntoIterator<Item = (T, LatLon)>) -> Option<T> {
    candidates
        .into_iter()
        .map(|(t, at)| (distance_km(p, at), t))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, t)| t)
}

#[cfg(test)]
mod polygon_tests {
    use geo::Contains;

    use super::*;

    #[test]
    fn polygons_read_geojson_and_contain_inner_points() {
        let square =
            r#"{"type":"Polygon","coordinates":[[[116,37],[117,37],[117,38],[116,38],[116,37]]]}"#;
        let m = polygons(square);
        assert!(
            m.contains(
                &LatLon {
                    lat: 37.5,
                    lon: 116.5
                }
                .point()
            )
        );
        assert!(
            !m.contains(
                &LatLon {
                    lat: 39.0,
                    lon: 116.5
                }
                .point()
            )
        );
        assert!(polygons("not json").0.is_empty());
        let near = nearest(
            LatLon {
                lat: 37.5,
                lon: 116.5,
            },
            [
                (
                    "far",
                    LatLon {
                        lat: 38.0,
                        lon: 117.0,
                    },
                ),
                (
                    "near",
                    LatLon {
                        lat: 37.4,
                        lon: 116.5,
                    },
                ),
            ],
        );
        assert_eq!(near, Some("near"));
    }
}
