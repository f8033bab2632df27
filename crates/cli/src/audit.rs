//! `audit verify` and `audit rules`.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use tongquan_store::StoreError;

use crate::Result;
use crate::config::{self, Location};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Re-hash the whole trail; exit 0 when intact, 1 naming the first bad entry when not.
    Verify {
        #[command(flatten)]
        at: Location,
    },
    /// Hold every record to the rules the law sets, from the rows alone: decisions after their
    /// due dates, visits whose departments lacked two credentialed officers, recusal breaches.
    /// Prints the counts as JSON; exit 1 when a visit breaks a rule.
    Rules {
        #[command(flatten)]
        at: Location,
    },
}

pub async fn run(file: Option<&Path>, command: AuditCommand) -> Result<ExitCode> {
    let at = match command {
        AuditCommand::Rules { at } => {
            let store = config::load(file, &at, None)?.open().await?;
            let check = store.rule_check().await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&check).expect("counts serialise")
            );
            let broken = check.visits_short_of_credentialed_officers + check.recusal_breaches;
            return Ok(if broken == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        AuditCommand::Verify { at } => at,
    };
    let store = config::load(file, &at, None)?.open().await?;
    match store.verify_audit().await {
        Ok(n) => {
            println!("审计链完好：{n} 条记录 / audit trail intact: {n} entries");
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Chain(b)) => {
            let m = b.message();
            eprintln!(
                "审计链已被破坏 / AUDIT TRAIL BROKEN\n  {}\n  {}",
                m.zh, m.en
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
