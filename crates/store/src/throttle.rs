//! Guessing secrets (passwords, check codes) is throttled per subject and per client, as OWASP ASVS
//! V2.2.1 asks: a client that keeps failing is slowed down, but cannot lock the owner out from
//! elsewhere, and no subject takes more than a fixed number of guesses per hour from everyone.
//!
//! An attempt is written down before its secret is checked and struck off when the secret proves
//! right, so guesses sent all at once are counted as surely as guesses sent one by one.

use chrono::Duration;
use tongquan_domain::clock;

use crate::db::{Sql, timestamp};
use crate::{Result, Store, StoreError};

/// Who is guessing: the client's address as this server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client(String);

impl Client {
    pub fn new(address: impl std::fmt::Display) -> Self {
        Self(address.to_string())
    }

    /// Work done on this machine (the command line, tests).
    pub fn local() -> Self {
        Self("local".into())
    }
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A kind of secret and the limits on guessing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// A staff password; the subject is the username.
    Password,
    /// A case's or bundle's check code; the subject is the tracking number.
    CheckCode,
}

#[derive(Clone, Copy)]
enum Per {
    Subject,
    Client,
    SubjectFromClient,
}

struct Limit {
    per: Per,
    failures: i64,
    minutes: i64,
}

impl Secret {
    fn kind(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::CheckCode => "check_code",
        }
    }

    fn limits(self) -> &'static [Limit] {
        match self {
            // Five wrong passwords slow down the one client that sent them; the owner signs in
            // from elsewhere. A hundred an hour from everyone at once is ASVS's ceiling.
            Self::Password => &[
                Limit {
                    per: Per::SubjectFromClient,
                    failures: 5,
                    minutes: 15,
                },
                Limit {
                    per: Per::Client,
                    failures: 30,
                    minutes: 15,
                },
                Limit {
                    per: Per::Subject,
                    failures: 100,
                    minutes: 60,
                },
            ],
            // A check code is six digits: five wrong ones close that number for a quarter hour
            // whoever sends them, and a window can issue the applicant a new code.
            Self::CheckCode => &[
                Limit {
                    per: Per::Subject,
                    failures: 5,
                    minutes: 15,
                },
                Limit {
                    per: Per::Client,
                    failures: 20,
                    minutes: 15,
                },
            ],
        }
    }
}

/// An attempt written down before its secret is checked.
#[must_use = "an attempt is a failure until `succeeded` strikes it off"]
pub(crate) struct Attempt {
    secret: Secret,
    subject: String,
    client: Client,
}

impl Store {
    /// Writes down an attempt at `subject`'s secret from `client`, or refuses it with the time the
    /// limit it reached lifts. Guesses that pass the first count together meet the second.
    pub(crate) async fn attempt(
        &self,
        secret: Secret,
        subject: &str,
        client: &Client,
    ) -> Result<Attempt> {
        let now = self.clock().now();
        self.over_limit(secret, subject, client, now, 0).await?;
        sqlx::query("DELETE FROM attempts WHERE at < $1")
            .bind(timestamp(now - Duration::days(1)))
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO attempts (kind, subject, client, at) VALUES ($1, $2, $3, $4)")
            .bind(secret.kind())
            .bind(subject.to_owned())
            .bind(client.0.clone())
            .bind(timestamp(now))
            .execute(self.pool())
            .await?;
        self.over_limit(secret, subject, client, now, 1).await?;
        Ok(Attempt {
            secret,
            subject: subject.to_owned(),
            client: client.clone(),
        })
    }

    /// Refuses when any of the secret's limits holds `failures` attempts besides `own`.
    async fn over_limit(
        &self,
        secret: Secret,
        subject: &str,
        client: &Client,
        now: chrono::DateTime<chrono::Utc>,
        own: i64,
    ) -> Result<()> {
        for limit in secret.limits() {
            let mut sql = Sql::new("SELECT at FROM attempts WHERE kind = ");
            sql.bind(secret.kind().to_owned())
                .push(" AND at > ")
                .bind(timestamp(now - Duration::minutes(limit.minutes)));
            if matches!(limit.per, Per::Subject | Per::SubjectFromClient) {
                sql.push(" AND subject = ").bind(subject.to_owned());
            }
            if matches!(limit.per, Per::Client | Per::SubjectFromClient) {
                sql.push(" AND client = ").bind(client.0.clone());
            }
            // The `failures`-th newest attempt in the window: once it ages out, a guess is allowed.
            sql.push(&format!(
                " ORDER BY at DESC, id DESC LIMIT 1 OFFSET {}",
                limit.failures - 1 + own
            ));
            let q = sql.query_as::<(String,)>();
            if let Some((at,)) = q.fetch_optional(self.pool()).await? {
                let lifts = chrono::DateTime::parse_from_rfc3339(&at)
                    .map(|t| t.to_utc() + Duration::minutes(limit.minutes))
                    .unwrap_or(now);
                return Err(StoreError::Throttled {
                    secret,
                    until: clock::display(lifts),
                    seconds: (lifts - now).num_seconds().max(1),
                });
            }
        }
        Ok(())
    }

    /// Runs `check` as one counted attempt at `subject`'s secret: what it finds is the answer, and
    /// nothing found is `not_found`, a wrong code and an unknown subject alike.
    pub(crate) async fn guarded<T>(
        &self,
        secret: Secret,
        subject: &str,
        client: &Client,
        kind: &'static str,
        check: impl std::future::Future<Output = Result<Option<T>>>,
    ) -> Result<T> {
        let attempt = self.attempt(secret, subject, client).await?;
        match check.await? {
            Some(found) => {
                self.succeeded(attempt).await?;
                Ok(found)
            }
            None => Err(StoreError::not_found(kind, subject)),
        }
    }

    /// The secret was right: this client's failures at the subject are forgiven.
    pub(crate) async fn succeeded(&self, a: Attempt) -> Result<()> {
        sqlx::query("DELETE FROM attempts WHERE kind = $1 AND subject = $2 AND client = $3")
            .bind(a.secret.kind())
            .bind(a.subject)
            .bind(a.client.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Every failure at a subject is forgotten, as when a window issues a new check code.
pub(crate) async fn forget_attempts(
    conn: &mut sqlx::AnyConnection,
    secret: Secret,
    subject: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM attempts WHERE kind = $1 AND subject = $2")
        .bind(secret.kind())
        .bind(subject.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}
