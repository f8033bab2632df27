//! Where the data lives and how the server listens: command line, then environment, then the
//! configuration file, then defaults.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;
use tongquan_domain::clock::Clock;
use tongquan_store::{Durability, Store};

use crate::Result;

pub const DEFAULT_DATA: &str = "tongquan-data";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DB_FILE: &str = "tongquan.db";

/// The clock of this run: the real Beijing time, or a day pinned with `--today`/`TONGQUAN_TODAY`.
static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

pub fn set_clock(clock: Clock) {
    let _ = CLOCK.set(clock);
}

pub fn clock() -> Clock {
    CLOCK.get().copied().unwrap_or_default()
}

/// Which database: the embedded one in a data directory, or a server.
#[derive(Args, Debug, Clone, Default)]
pub struct Location {
    /// Data directory holding the embedded SQLite database.
    #[arg(long, env = "TONGQUAN_DATA")]
    pub data: Option<PathBuf>,
    /// A database URL instead, e.g. postgres://user@host/db.
    #[arg(long, env = "TONGQUAN_DATABASE_URL", conflicts_with = "data")]
    pub database: Option<String>,
}

/// The configuration file's keys; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    data: Option<PathBuf>,
    database: Option<String>,
    addr: Option<String>,
    secure_cookies: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data: PathBuf,
    /// Set when a server database is used instead of the embedded file.
    pub database: Option<String>,
    pub addr: String,
    pub secure_cookies: bool,
}

impl Config {
    pub fn sqlite_path(&self) -> PathBuf {
        self.data.join(DB_FILE)
    }

    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| tongquan_store::sqlite_url(&self.sqlite_path()))
    }

    /// Opens the database (creating the data directory for the embedded one), migrates it and
    /// loads the reference geography into it if it is new.
    pub async fn open(&self) -> Result<Store> {
        self.open_with(Durability::Full).await
    }

    pub async fn open_with(&self, durability: Durability) -> Result<Store> {
        if self.database.is_none() {
            std::fs::create_dir_all(&self.data)?;
        }
        let store = Store::open_with(&self.database_url(), durability)
            .await?
            .with_clock(clock());
        if tongquan_store::seed::load_reference(&store).await? {
            eprintln!(
                "loaded the reference geography and organisation into {}",
                self.describe()
            );
        }
        Ok(store)
    }

    /// Where the database is, for people.
    pub fn describe(&self) -> String {
        match &self.database {
            Some(url) => format!("{} (PostgreSQL)", redact(url)),
            None => format!("{} (SQLite)", self.sqlite_path().display()),
        }
    }
}

/// A URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub fn load(file: Option<&Path>, at: &Location, addr: Option<String>) -> Result<Config> {
    let data_hint = at
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| data_hint.join("tongquan.toml"));
    let from_file: File = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?,
        Err(_) if file.is_none() => File::default(),
        Err(e) => return Err(format!("{}: {e}", path.display()).into()),
    };
    Ok(Config {
        data: at
            .data
            .clone()
            .or(from_file.data)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)),
        database: at.database.clone().or(from_file.database),
        addr: addr
            .or(from_file.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.into()),
        secure_cookies: from_file.secure_cookies.unwrap_or(false),
    })
}

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_when_printing_a_url() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/tq"),
            "postgres://app:***@db:5432/tq"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }

    #[test]
    fn command_line_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:9000\"\nsecure_cookies = true\n").unwrap();
        let at = Location {
            data: Some(dir.path().into()),
            database: None,
        };
        let c = load(Some(&file), &at, None).unwrap();
        assert_eq!((c.addr.as_str(), c.secure_cookies), ("0.0.0.0:9000", true));
        let c = load(Some(&file), &at, Some("127.0.0.1:1".into())).unwrap();
        assert_eq!(c.addr, "127.0.0.1:1");
        std::fs::write(&file, "adr = 1\n").unwrap();
        assert!(
            load(Some(&file), &at, None).is_err(),
            "unknown keys are errors, not silently ignored"
        );
    }
}
