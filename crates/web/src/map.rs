//! The map, drawn on the server as SVG from the shipped GeoJSON: no tiles, no network.

use std::fmt::Write;

use geo::{LineString, Simplify};
use tongquan_domain::codes::CountyCode;
use tongquan_domain::geo::{BandCounts, DistanceBand};
use tongquan_plan::CoverageReport;
use tongquan_store::geography::{Boundary, County, Town};

use crate::i18n::Lang;

pub const WIDTH: f64 = 900.0;

const MAP_CSS: &str = include_str!("../assets/map.css");

/// A map as a file of its own: the same SVG with its styles inside.
pub fn standalone(svg: &str) -> String {
    let at = svg.find('>').map_or(0, |i| i + 1);
    format!("{}<style>{MAP_CSS}</style>{}", &svg[..at], &svg[at..])
}

pub struct MapView {
    pub svg: String,
    pub bands: BandCounts,
    /// Towns of the shown area that have no coordinates and so are listed, not drawn.
    pub unlocated: Vec<Town>,
}

/// Rings of a Polygon or MultiPolygon geometry, as (lon, lat) line strings.
fn rings(geometry: &str) -> Vec<LineString<f64>> {
    tongquan_domain::geo::polygons(geometry)
        .into_iter()
        .flat_map(|p| {
            let (outer, inner) = p.into_inner();
            std::iter::once(outer).chain(inner)
        })
        .collect()
}

/// Equirectangular projection of a lon/lat box onto the SVG canvas.
struct Projection {
    min_lon: f64,
    max_lat: f64,
    kx: f64,
    ky: f64,
    height: f64,
}

impl Projection {
    fn fit(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Self {
        let pad_lon = (max_lon - min_lon) * 0.03 + 0.005;
        let pad_lat = (max_lat - min_lat) * 0.03 + 0.005;
        let (min_lon, max_lon, min_lat, max_lat) = (
            min_lon - pad_lon,
            max_lon + pad_lon,
            min_lat - pad_lat,
            max_lat + pad_lat,
        );
        let squash = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let kx = WIDTH / (max_lon - min_lon);
        let ky = kx / squash;
        Self {
            min_lon,
            max_lat,
            kx,
            ky,
            height: (max_lat - min_lat) * ky,
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.min_lon) * self.kx,
            (self.max_lat - lat) * self.ky,
        )
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn band_class(band: Option<DistanceBand>) -> &'static str {
    match band {
        Some(DistanceBand::Near) => "near",
        Some(DistanceBand::Beyond10) => "beyond10",
        Some(DistanceBand::Beyond15) => "beyond15",
        None => "unlocated",
    }
}

/// What the town points show.
pub enum Layer<'a> {
    /// Each town's distance to its county hall.
    HallDistance,
    /// A coverage plan: each town's distance to its nearest office in the proposal, the proposed
    /// branches, and a line from each far town to its branch.
    Plan(&'a CoverageReport),
}

impl Layer<'_> {
    /// The distance the layer colours a town by.
    fn km(&self, t: &Town) -> Option<f64> {
        match self {
            Layer::HallDistance => t.hall_km,
            Layer::Plan(r) => r
                .towns
                .iter()
                .find(|x| x.code == t.code.as_str())
                .and_then(|x| x.proposal_km),
        }
    }
}

pub fn render(
    boundaries: &[Boundary],
    counties: &[County],
    towns: &[Town],
    focus: Option<&CountyCode>,
    lang: Lang,
    layer: &Layer,
) -> MapView {
    let shown: Vec<&Town> = towns
        .iter()
        .filter(|t| focus.is_none_or(|f| &t.county_code == f))
        .collect();
    let shapes: Vec<(&Boundary, Vec<LineString<f64>>)> =
        boundaries.iter().map(|b| (b, rings(&b.geometry))).collect();

    // Frame: the focused county's polygon, else its towns and seat; the whole city otherwise.
    let frame_rings: Vec<&LineString<f64>> = shapes
        .iter()
        .filter(|(b, _)| match focus {
            Some(f) => b.code == f.as_str(),
            None => b.level == "city",
        })
        .flat_map(|(_, r)| r)
        .collect();
    let mut points: Vec<(f64, f64)> = frame_rings
        .iter()
        .flat_map(|r| r.coords().map(|c| (c.x, c.y)))
        .collect();
    if points.is_empty() {
        points.extend(
            shown
                .iter()
                .filter_map(|t| t.position())
                .map(|p| (p.lon, p.lat)),
        );
        points.extend(
            counties
                .iter()
                .filter(|c| focus.is_none_or(|f| &c.code == f))
                .map(|c| (c.seat_lon, c.seat_lat)),
        );
    }
    let fold = |f: fn(f64, f64) -> f64, init: f64, pick: fn(&(f64, f64)) -> f64| {
        points.iter().map(pick).fold(init, f)
    };
    let proj = Projection::fit(
        fold(f64::min, f64::INFINITY, |p| p.0),
        fold(f64::min, f64::INFINITY, |p| p.1),
        fold(f64::max, f64::NEG_INFINITY, |p| p.0),
        fold(f64::max, f64::NEG_INFINITY, |p| p.1),
    );
    // Simplify to about half a pixel: smaller pages, no visible loss.
    let epsilon = 0.5 / proj.kx;

    let mut svg = String::new();
    let title = lang.t("map.title");
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {WIDTH:.0} {:.0}" role="img" aria-labelledby="map-title"><title id="map-title">{title}</title>"#,
        proj.height
    );
    for (b, rs) in &shapes {
        let class = if b.level == "city" { "city" } else { "county" };
        let _ = write!(svg, r#"<path class="{class}" d=""#);
        for ring in rs {
            for (i, c) in ring.simplify(epsilon).coords().enumerate() {
                let (x, y) = proj.xy(c.x, c.y);
                let _ = write!(svg, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            svg.push('Z');
        }
        let _ = write!(svg, r#""><title>{}</title></path>"#, escape(&b.name));
    }
    for c in counties
        .iter()
        .filter(|c| focus.is_none_or(|f| &c.code == f))
    {
        let (x, y) = proj.xy(c.seat_lon, c.seat_lat);
        let _ = write!(
            svg,
            r#"<rect class="hall" x="{:.1}" y="{:.1}" width="9" height="9"><title>{} · {}</title></rect><text class="county-label" x="{:.1}" y="{:.1}">{}</text>"#,
            x - 4.5,
            y - 4.5,
            escape(&c.name),
            lang.t("map.legend.hall"),
            x + 7.0,
            y - 6.0,
            escape(&c.name)
        );
    }
    if let Layer::Plan(plan) = layer {
        // Lines under the points, so the points stay clickable.
        for b in plan
            .branches
            .iter()
            .filter(|b| focus.is_none_or(|f| b.county == f.as_str()))
        {
            let (bx, by) = proj.xy(b.at.1, b.at.0);
            for p in b
                .towns
                .iter()
                .filter_map(|code| shown.iter().find(|t| t.code.as_str() == code)?.position())
            {
                let (x, y) = proj.xy(p.lon, p.lat);
                let _ = write!(
                    svg,
                    r#"<line class="assign" x1="{x:.1}" y1="{y:.1}" x2="{bx:.1}" y2="{by:.1}"/>"#
                );
            }
        }
    }
    for t in &shown {
        let Some(p) = t.position() else { continue };
        let (x, y) = proj.xy(p.lon, p.lat);
        let km = layer.km(t);
        let _ = write!(
            svg,
            r#"<a href="/towns/{}"><circle class="town {}" cx="{x:.1}" cy="{y:.1}" r="4.5"><title>{} · {}</title></circle></a>"#,
            t.code,
            band_class(km.map(DistanceBand::of)),
            escape(&t.name),
            km.map_or_else(String::new, |k| format!("{k:.1} km")),
        );
    }
    if let Layer::Plan(plan) = layer {
        for b in plan
            .branches
            .iter()
            .filter(|b| focus.is_none_or(|f| b.county == f.as_str()))
        {
            let (x, y) = proj.xy(b.at.1, b.at.0);
            let _ = write!(
                svg,
                r#"<path class="branch{}" d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z"><title>{} · {} · {}</title></path>"#,
                if b.kept { " kept" } else { "" },
                y - 8.0,
                x + 7.0,
                y + 5.0,
                x - 7.0,
                y + 5.0,
                lang.t("plan.branch"),
                escape(&b.site),
                b.towns.len(),
            );
        }
    }
    svg.push_str("</svg>");
    MapView {
        svg,
        bands: BandCounts::tally(shown.iter().map(|t| layer.km(t))),
        unlocated: shown
            .into_iter()
            .filter(|t| !t.has_coordinates)
            .cloned()
            .collect(),
    }
}
