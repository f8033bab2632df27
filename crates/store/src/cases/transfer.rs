//! Cases whose office lost the power before deciding them. Competence is judged on the day of
//! receipt, so by default the office keeps such a case until it is decided; under a batch that
//! says `transfer`, the case moves to the body competent today, and its history records the
//! hand-over for the applicant to see.

use chrono::NaiveDate;
use serde_json::json;
use tongquan_domain::access::Actor;
use tongquan_domain::case::CaseState;
use tongquan_domain::codes::{OfficeCode, TownCode};

use super::{case_scope, insert_event};
use crate::db::Sql;
use crate::{Result, Store};

/// The name of the history step a transfer records.
pub const TRANSFER: &str = "transfer";

/// An undecided case under a `transfer` batch, not yet transferred.
type Candidate = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const CANDIDATES: &str = "SELECT c.id, c.item_id, c.county_code, c.town_code, c.office_code, c.state, c.tracking_no, c.doc_number
     FROM cases c JOIN batches b ON b.county_code = c.county_code AND b.doc_number = c.doc_number
     WHERE b.open_cases = 'transfer'
       AND c.state IN ('submitted', 'supplement_requested', 'accepted', 'under_review')
       AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'transfer')";

impl Store {
    /// Moves every undecided case whose office no longer holds its power today, under a batch that
    /// transfers open cases, to the body competent today. Returns how many moved.
    pub async fn transfer_cases(&self, today: NaiveDate) -> Result<usize> {
        let rows: Vec<Candidate> = sqlx::query_as(CANDIDATES).fetch_all(self.pool()).await?;
        let mut moved = 0;
        for row in rows {
            moved += usize::from(self.transfer(row, today).await?.is_some());
        }
        Ok(moved)
    }

    /// The same for one case, before its office acts on it: the office it went to, if it moved.
    pub(super) async fn transfer_case(
        &self,
        id: i64,
        today: NaiveDate,
    ) -> Result<Option<OfficeCode>> {
        let mut sql = Sql::new(CANDIDATES);
        sql.push(" AND c.id = ").bind(id);
        let row: Option<Candidate> = sql.query_as().fetch_optional(self.pool()).await?;
        match row {
            Some(row) => self.transfer(row, today).await,
            None => Ok(None),
        }
    }

    async fn transfer(&self, row: Candidate, today: NaiveDate) -> Result<Option<OfficeCode>> {
        let (id, item, county, town, office, state, tracking_no, doc) = row;
        let town_code = TownCode::parse("town", &town)?;
        let competence = self.competence(item, &town_code, today).await?;
        if competence.kind != "office" || competence.code == office {
            return Ok(None);
        }
        let to = OfficeCode::parse("office", &competence.code)?;
        let doc = doc.unwrap_or_default();
        let why = format!(
            "{office} 依 {doc} 取得的办理权限已中止或撤销，按该文件规定本件移交 {}（{to}）继续办理，已进行的程序继续有效 / the power {office} held under {doc} was suspended or revoked; as that document provides, the case goes to {} ({to}), and what was done stands",
            competence.name, competence.name
        );
        let actor = Actor::System("transfer");
        let mut w = self.write(&actor).await?;
        let at = w.at().to_owned();
        sqlx::query(
            "UPDATE cases SET office_code = $1, doc_number = $2, updated_at = $3, lock_version = lock_version + 1 WHERE id = $4",
        )
        .bind(to.to_string())
        .bind(competence.doc_number.clone())
        .bind(at)
        .bind(id)
        .execute(w.conn())
        .await?;
        let state = CaseState::parse("state", &state)?;
        insert_event(
            &mut w,
            id,
            TRANSFER,
            Some(state),
            state,
            &actor.audit_name(),
            Some(&to),
            today,
            &why,
            &[],
        )
        .await?;
        w.audit(
            "case.transfer",
            "case",
            &tracking_no,
            &case_scope(&county, &town, to.as_str()),
            json!({ "from": office, "to": to.to_string(), "doc_number": doc }),
        );
        w.commit().await?;
        Ok(Some(to))
    }
}
