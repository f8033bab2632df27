//! `tongquan`: the whole product in one binary.

mod audit;
mod backup;
mod calendar;
mod config;
mod draw;
mod import;
mod plan;
mod serve;
mod user;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Location;

#[derive(Parser)]
#[command(
    name = "tongquan",
    version,
    about = "县镇同权 — the county-town equal powers platform"
)]
struct Cli {
    /// Configuration file (TOML); defaults to DATA/tongquan.toml when it exists.
    #[arg(long, global = true, env = "TONGQUAN_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Pin today's date (Beijing time), YYYY-MM-DD, for demos and tests; the real date when absent.
    #[arg(long, global = true, env = "TONGQUAN_TODAY")]
    today: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up the embedded database with the Dezhou data and demo accounts, then serve.
    Demo {
        #[command(flatten)]
        at: Location,
        /// Address to listen on.
        #[arg(long, env = "TONGQUAN_ADDR")]
        addr: Option<String>,
        /// Delete the existing database first.
        #[arg(long)]
        fresh: bool,
        /// Approval cases to generate on a new database (the reform's volume by default).
        #[arg(long, default_value_t = 87_000)]
        cases: usize,
        /// Convenience services to generate on a new database.
        #[arg(long, default_value_t = 426_000)]
        services: usize,
    },
    /// Serve the product (loads the reference geography into a new database).
    Serve {
        #[command(flatten)]
        at: Location,
        #[arg(long, env = "TONGQUAN_ADDR")]
        addr: Option<String>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Planners: OR-Library benchmarks, VRPTW routes and branch coverage.
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// The working-day calendar: due dates, and later years' arrangements.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Random inspections (双随机): verify a published draw.
    Draw {
        #[command(subcommand)]
        command: draw::DrawCommand,
    },
    /// Load data from files.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Copy the embedded database to FILE while it is in use.
    Backup {
        #[command(flatten)]
        at: Location,
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

/// What went wrong, for the terminal: in both languages where the product has both.
#[derive(Debug)]
pub struct Failure(String);

impl From<tongquan_store::StoreError> for Failure {
    fn from(e: tongquan_store::StoreError) -> Self {
        Self(e.message().to_string())
    }
}

impl From<tongquan_domain::DomainError> for Failure {
    fn from(e: tongquan_domain::DomainError) -> Self {
        Self(e.message().to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Self(e)
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

async fn run(cli: Cli) -> Result<ExitCode> {
    config::set_clock(tongquan_domain::clock::Clock::parse(
        "--today",
        cli.today.as_deref().unwrap_or(""),
    )?);
    let file = cli.config.as_deref();
    match cli.command {
        Command::Demo {
            at,
            addr,
            fresh,
            cases,
            services,
        } => serve::demo(config::load(file, &at, addr)?, fresh, cases, services).await,
        Command::Serve { at, addr } => serve::serve(config::load(file, &at, addr)?).await,
        Command::Audit { command } => audit::run(file, command).await,
        Command::User { command } => user::run(file, command).await,
        Command::Plan { command } => plan::run(file, command).await,
        Command::Calendar { command } => calendar::run(file, command).await,
        Command::Draw { command } => draw::run(file, command).await,
        Command::Import { command } => import::run(file, command).await,
        Command::Backup { at, to } => backup::run(config::load(file, &at, None)?, &to).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    config::init_logging();
    match run(cli).await {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("tongquan: {message}");
            ExitCode::FAILURE
        }
    }
}
