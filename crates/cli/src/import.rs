//! `import items FILE --county CODE`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use tongquan_domain::access::Actor;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::CountyCode;
use tongquan_store::import::{MAX_IMPORT_BYTES, read_items};

use crate::config::{self, Location};
use crate::{Failure, Result};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Load an item list (.xlsx or .csv; a published list or our template) into a county's
    /// catalog. Any bad row rejects the whole file, with every problem listed.
    Items {
        file: PathBuf,
        /// The county whose catalog this is.
        #[arg(long)]
        county: String,
        /// The day new items come into force (default: today).
        #[arg(long)]
        valid_from: Option<String>,
        #[command(flatten)]
        at: Location,
    },
}

pub async fn run(file: Option<&Path>, command: ImportCommand) -> Result<ExitCode> {
    let ImportCommand::Items {
        file: path,
        county,
        valid_from,
        at,
    } = command;
    let county = CountyCode::parse("county", &county)?;
    let valid_from = match valid_from {
        Some(d) => parse_date("valid_from", &d)?,
        None => crate::config::clock().today(),
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_IMPORT_BYTES as u64 {
        return Err(Failure(format!(
            "{}：文件 {} MB 超过上限 {} MB / the file is {} MB, over the {} MB limit",
            path.display(),
            size / 1_048_576,
            MAX_IMPORT_BYTES / 1_048_576,
            size / 1_048_576,
            MAX_IMPORT_BYTES / 1_048_576
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let store = config::load(file, &at, None)?.open().await?;
    store.county(&county).await?;
    let started = std::time::Instant::now();
    let parsed = match read_items(&bytes, &county) {
        Ok(p) => p,
        Err(problems) => {
            eprintln!(
                "{} 有 {} 处问题，未导入任何内容 / {} problems; nothing was imported:",
                path.display(),
                problems.len(),
                problems.len()
            );
            for p in &problems {
                let at = match (p.row, p.column.as_str()) {
                    (0, _) => String::new(),
                    (r, "") => format!("row {r}: "),
                    (r, c) => format!("row {r}, column {c}: "),
                };
                eprintln!("  {at}{} / {}", p.zh, p.en);
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let bar = ProgressBar::new(parsed.records.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} rows {elapsed}")
            .expect("valid template"),
    );
    let on_row = |n: usize| bar.set_position(n as u64);
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let outcome = store
        .import_items(
            &Actor::System("cli"),
            &county,
            &parsed.records,
            valid_from,
            &source,
            &on_row,
        )
        .await?;
    bar.finish_and_clear();
    println!(
        "{}: {} rows in {:.2} s — {} created, {} unchanged, {} drafted for review (layout {:?}, in force from {valid_from})",
        path.display(),
        outcome.rows,
        started.elapsed().as_secs_f64(),
        outcome.created,
        outcome.unchanged,
        outcome.drafted,
        parsed.layout
    );
    for (zh, en) in &parsed.notes {
        println!("  {zh} / {en}");
    }
    Ok(ExitCode::SUCCESS)
}
