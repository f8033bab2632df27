//! `calendar due` and `calendar import`: the working-day calendar from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tongquan_domain::access::Actor;
use tongquan_domain::calendar::Calendar;
use tongquan_domain::catalog::parse_date;

use crate::config::{self, Location};
use crate::{Failure, Result};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Print the date DAYS working days after FROM (FROM itself is not counted) as YYYY-MM-DD,
    /// then how it was computed. Uses the bundled official table (2019–2026), or the
    /// database's calendar when --data or --database is given.
    Due {
        #[arg(long)]
        from: String,
        #[arg(long)]
        days: u32,
        #[command(flatten)]
        at: Location,
    },
    /// Add a year's official arrangement (CSV: date,name,is_off_day) to the database's calendar.
    Import {
        file: PathBuf,
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
            for line in &due.explanation {
                eprintln!("  {} / {}", line.zh, line.en);
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Import { file: path, at } => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            let days = Calendar::parse_csv(&text)
                .map_err(|e| Failure(format!("{}: {}", path.display(), e.message())))?;
            let store = config::load(file, &at, None)?.open().await?;
            let outcome = store.import_calendar(&Actor::System("cli"), &days).await?;
            println!(
                "新增 {} 天，更正 {} 天，未变 {} 天 / added {}, changed {}, unchanged {}",
                outcome.added,
                outcome.changed,
                outcome.unchanged,
                outcome.added,
                outcome.changed,
                outcome.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
