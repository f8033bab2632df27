//! Online backup of the embedded database.

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the SQLite database to `to` while the product keeps running
    /// (`VACUUM INTO` reads one snapshot). PostgreSQL has its own tools for this.
    pub async fn backup_to(&self, to: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Config(
                "backup copies the embedded SQLite database; for PostgreSQL use pg_dump".into(),
            ));
        }
        if to.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists; choose a new file",
                to.display()
            )));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", to.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
