//! The whole demo in one call: catalog, approval cases and convenience services, bundles and the
//! enforcement year, each stage timed. `tongquan demo` and the demo benchmark both run this, so
//! the figures the benchmark prints are the ones a first run takes.

use std::time::Instant;

use chrono::NaiveDate;

use super::{bundles, cases, catalog, enforcement};
use crate::{Result, Store};

/// What to generate: the reform's volume unless told otherwise.
#[derive(Debug, Clone, Copy)]
pub struct DemoVolume {
    pub approvals: usize,
    pub services: usize,
    pub today: NaiveDate,
}

/// What a run made, and how long each stage took.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub catalog: Option<catalog::DemoCatalog>,
    pub cases: Option<cases::DemoCases>,
    pub bundles: Option<bundles::DemoBundles>,
    pub enforcement: Option<enforcement::DemoEnforcement>,
    /// (stage, seconds), in order.
    pub stages: Vec<(&'static str, f64)>,
}

impl DemoReport {
    pub fn seconds(&self) -> f64 {
        self.stages.iter().map(|(_, s)| s).sum()
    }
}

/// Generates every part of the demo that the database does not have yet; a second run adds
/// nothing. `progress` gets (phase, done, total).
pub async fn generate(
    store: &Store,
    volume: DemoVolume,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<DemoReport> {
    let mut report = DemoReport::default();
    let mut clock = Instant::now();
    let mut lap = |report: &mut DemoReport, stage: &'static str| {
        report.stages.push((stage, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let made = catalog::load_demo_catalog(store, progress).await?;
    report.catalog = (made.counties > 0).then_some(made);
    lap(&mut report, "catalog");
    let cases_volume = cases::Volume {
        approvals: volume.approvals,
        services: volume.services,
        ..cases::Volume::demo(volume.today)
    };
    report.cases = cases::generate(store, cases_volume, progress).await?;
    lap(&mut report, "cases and services");
    // About 300 bundles with the reform's volume: 25 per county.
    report.bundles = bundles::generate(
        store,
        (volume.approvals / 3_480).max(1),
        cases_volume.from,
        volume.today,
        cases_volume.seed,
        progress,
    )
    .await?;
    lap(&mut report, "bundles");
    report.enforcement = enforcement::generate(
        store,
        enforcement::Volume::demo(volume.today),
        None,
        progress,
    )
    .await?;
    lap(&mut report, "enforcement");
    Ok(report)
}
