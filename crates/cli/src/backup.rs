//! `backup --to FILE`.

use std::path::Path;
use std::process::ExitCode;

use crate::Result;
use crate::config::Config;

pub async fn run(config: Config, to: &Path) -> Result<ExitCode> {
    let store = config.open().await?;
    store.backup_to(to).await?;
    let size = std::fs::metadata(to)?.len();
    println!(
        "backed up {} to {} ({size} bytes)",
        config.describe(),
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}
