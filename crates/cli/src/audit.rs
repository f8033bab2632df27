//! `audit verify`.

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
}

pub async fn run(file: Option<&Path>, command: AuditCommand) -> Result<ExitCode> {
    let AuditCommand::Verify { at } = command;
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
