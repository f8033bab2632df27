//! `draw verify`: recompute a random draw (双随机) from its published document, offline, or from
//! the database by id.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tongquan_store::enforcement::draws::DrawDocument;

use crate::Result;
use crate::config::{self, Location};

#[derive(Subcommand)]
pub enum DrawCommand {
    /// Recompute a draw: the seed must match the commitment, the inputs their published digest,
    /// and the picks what the seed and inputs give. Exit 0 when verified, 1 when not.
    Verify {
        /// The published document (GET /api/v1/draws/{id}/document), or - for standard input.
        file: Option<PathBuf>,
        /// Or read draw ID's document from the database.
        #[arg(long, conflicts_with = "file")]
        id: Option<i64>,
        #[command(flatten)]
        at: Location,
    },
}

pub async fn run(config_file: Option<&Path>, command: DrawCommand) -> Result<ExitCode> {
    let DrawCommand::Verify { file, id, at } = command;
    let doc: DrawDocument = match (file, id) {
        (_, Some(id)) => {
            config::load(config_file, &at, None)?
                .open()
                .await?
                .draw_document(id)
                .await?
        }
        (Some(path), None) => {
            let mut text = String::new();
            if path.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            serde_json::from_str(&text)
                .map_err(|e| format!("不是抽取公布文件 / not a draw document: {e}"))?
        }
        (None, None) => return Err("give the document FILE or --id N".to_owned().into()),
    };
    match doc.verify() {
        Ok(()) => {
            let picks = doc.outcome.as_ref().map_or(0, |o| o.picks.len());
            println!(
                "抽取 {} 核验通过：{picks} 个对象，种子与承诺值一致，输入与摘要一致，重算结果一致\ndraw {} verified: {picks} objects; seed matches commitment, inputs match digest, picks recomputed",
                doc.draw_id, doc.draw_id
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if doc.seed.is_none() => {
            eprintln!(
                "抽取 {} 尚未公布种子 / draw {} not revealed yet ({})",
                doc.draw_id,
                doc.draw_id,
                e.code()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!(
                "抽取 {} 核验未通过 / DRAW {} NOT VERIFIED\n  {}: {}\n  {}",
                doc.draw_id,
                doc.draw_id,
                e.code(),
                e.message_zh(),
                e.message_en()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
