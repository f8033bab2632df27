//! Persistence for tongquan on SQLite (embedded default) and PostgreSQL (server), through one
//! migration set and one query path: sqlx's `Any` driver with SQL both dialects understand.
//!
//! Every query that returns scoped records takes the acting [`Actor`] and filters by the access
//! policy in `tongquan_domain::access`; every write goes through [`write::Write`], which appends the
//! audit entry in the same transaction.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
mod db;
pub mod delegations;
pub mod departments;
pub mod enforcement;
pub mod error;
pub mod geography;
pub mod import;
mod migrate;
pub mod offices;
pub mod once;
pub mod page;
pub mod rules;
mod scope;
pub mod seed;
pub mod services;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use error::StoreError;
pub use page::{Page, PageRequest};
pub use tongquan_domain::access::Actor;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How durable each commit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit survives a power cut: what serving uses.
    Full,
    /// Commits are not waited onto the disk: for generating the demo into a new database, which
    /// is started over (`demo --fresh`) rather than recovered if the machine stops meanwhile.
    BulkLoad,
}

/// The calendar as last read, with the version stamp it was read at.
type CalendarCache = std::sync::Arc<
    std::sync::Mutex<Option<(String, std::sync::Arc<tongquan_domain::calendar::Calendar>)>>,
>;

/// A connection pool plus the knowledge of which backend is behind it.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The working-day calendar with the version stamp it was read at (see `calendar.rs`).
    calendar: CalendarCache,
    /// SQLite takes one writer at a time; waiting here wakes the next writer the moment the
    /// last one commits, where SQLite's busy handler would sleep and retry.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The one clock every timestamp and date is taken from (Beijing time; pinned in tests).
    clock: tongquan_domain::clock::Clock,
}

impl Store {
    /// Connects to `sqlite://FILE` or `postgres://…` and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(url, Durability::Full).await
    }

    /// As `open`, choosing how durable each commit is.
    pub async fn open_with(url: &str, durability: Durability) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {url:?}: use sqlite://FILE or postgres://…"
            )));
        };
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad database URL: {e}")))?
            .log_statements(tracing::log::LevelFilter::Trace)
            // sqlx logs a slow statement with its whole text, kilobytes for a bulk insert: only
            // when asked for (RUST_LOG=sqlx=debug), never at the default level.
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_millis(500));
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    let bulk = durability == Durability::BulkLoad;
                    if backend == Backend::Postgres && bulk {
                        sqlx::query("SET synchronous_commit = off")
                            .execute(&mut *conn)
                            .await?;
                    }
                    if backend == Backend::Sqlite {
                        // WAL lets pages be read while a write commits; FULL makes each commit durable.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            if bulk {
                                "PRAGMA synchronous = OFF"
                            } else {
                                "PRAGMA synchronous = FULL"
                            },
                            "PRAGMA busy_timeout = 15000",
                            // Generated rows refer only to rows the generator read or wrote;
                            // checking four references per row would double a bulk load.
                            if bulk {
                                "PRAGMA foreign_keys = OFF"
                            } else {
                                "PRAGMA foreign_keys = ON"
                            },
                            // Mapped pages are shared by all connections of the pool; without this
                            // each connection's small private cache rereads the catalog.
                            "PRAGMA mmap_size = 268435456",
                            // A bulk load inserts into indexes in no particular order; a large
                            // page cache keeps their pages in memory instead of rereading them.
                            if bulk {
                                "PRAGMA cache_size = -262144"
                            } else {
                                "PRAGMA cache_size = -2000"
                            },
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            backend,
            calendar: Default::default(),
            writer: Default::default(),
            clock: Default::default(),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The same store on another clock (a pinned day for tests and demos).
    pub fn with_clock(mut self, clock: tongquan_domain::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> tongquan_domain::clock::Clock {
        self.clock
    }

    /// Now, as stored: RFC 3339 in UTC.
    pub(crate) fn now(&self) -> String {
        db::timestamp(self.clock.now())
    }

    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Self> {
        Self::open(&sqlite_url(path)).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers; for /healthz.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}
