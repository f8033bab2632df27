//! `calendar due` and `calendar import`: the working-day calendar from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tongquan_domain::access::Actor;
use tongquan_domain::calendar::{Arrangement, Calendar};
use tongquan_domain::catalog::parse_date;

use crate::config::{self, Location};
use crate::{Failure, Result};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Print the date DAYS working days after FROM (FROM itself is not counted) as YYYY-MM-DD,
    /// then how it was computed. Uses the bundled official table (2019–2026), or the
    /// database's calendar when --data or --database is given. A year without an official
    /// arrangement is counted on its statutory holidays and the date is marked provisional.
    Due {
        #[arg(long)]
        from: String,
        #[arg(long)]
        days: u32,
        #[command(flatten)]
        at: Location,
    },
    /// Import a year's official arrangement (CSV: date,name,is_off_day) into the database's
    /// calendar; open cases whose due dates it moves are recomputed and listed.
    Import {
        file: PathBuf,
        /// The year the file is the arrangement of; every row must belong to it.
        #[arg(long)]
        year: Option<i32>,
        /// Correct a year that already has its official arrangement, giving the reason.
        #[arg(long, value_name = "REASON")]
        replace: Option<String>,
        #[command(flatten)]
        at: Location,
    },
}

pub async fn run(file: Option<&Path>, command: CalendarCommand) -> Result<ExitCode> {
    match command {
        CalendarCommand::Due { from, days, at } => {
            let from = parse_date("from", &from)?;
            let calendar = if at.data.is_some() || at.database.is_some() {
                config::load(file, &at, None)?
                    .open()
                    .await?
                    .calendar()
                    .await?
            } else {
                std::sync::Arc::new(Calendar::new(tongquan_store::calendar::bundled()?))
            };
            let due = calendar.due(from, days, &[], &[])?;
            println!("{}", due.date.unwrap_or(from));
            if !due.provisional.is_empty() {
                let years: Vec<String> = due.provisional.iter().map(ToString::to_string).collect();
                eprintln!(
                    "暂定 / provisional: {} arrangement not yet published",
                    years.join(", ")
                );
            }
            for line in &due.explanation {
                eprintln!("  {} / {}", line.zh, line.en);
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Import {
            file: path,
            year,
            replace,
            at,
        } => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            let arrangement = Arrangement::parse(&text, year)
                .map_err(|e| Failure(format!("{}: {}", path.display(), e.message())))?;
            let store = config::load(file, &at, None)?.open().await?;
            let outcome = store
                .import_calendar(
                    &Actor::System("cli"),
                    &arrangement,
                    replace.as_deref(),
                    store.clock().today(),
                )
                .await
                .map_err(|e| Failure(format!("{}: {}", path.display(), e.message())))?;
            println!(
                "新增 {} 天，更正 {} 天，未变 {} 天，重算在办件 {} 件 / added {}, changed {}, unchanged {}, open cases recomputed {}",
                outcome.added,
                outcome.changed,
                outcome.unchanged,
                outcome.recomputed.len(),
                outcome.added,
                outcome.changed,
                outcome.unchanged,
                outcome.recomputed.len()
            );
            for r in &outcome.recomputed {
                let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".into());
                println!(
                    "  {}  statutory {} → {}  promised {} → {}",
                    r.tracking_no,
                    show(&r.statutory_before),
                    show(&r.statutory_after),
                    show(&r.promised_before),
                    show(&r.promised_after)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
