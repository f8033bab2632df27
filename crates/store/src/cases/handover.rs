//! The hand-offs of a cross-window case (跨域通办): the intake window hands the application to
//! the competent office; that office returns the result to the intake window.

use chrono::NaiveDate;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::Actor;
use tongquan_domain::case::{Handover, Window};

use super::{Case, acting_office, insert_event};
use crate::db::Sql;
use crate::{Result, Store, StoreError};

impl Store {
    /// Records a hand-off by the window whose turn it is; `lock_version` is the case as seen.
    pub async fn hand_off(
        &self,
        actor: &Actor,
        id: i64,
        step: Handover,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<Case> {
        let case = self.case(actor, id, today).await?;
        let office = acting_office(actor).ok_or_else(|| {
            DomainError::forbidden(
                "只有窗口工作人员办理通办交接",
                "only window staff hand cases over",
            )
        })?;
        let window = if case.intake_office_code.as_deref() == Some(office.as_str()) {
            Window::Intake
        } else if case.summary.office_code == office.as_str() {
            Window::Competent
        } else {
            return Err(DomainError::forbidden(
                "本窗口既不是收件窗口也不是承办机构",
                "this window neither took the case in nor decides it",
            )
            .into());
        };
        if lock_version != case.lock_version {
            return Err(StoreError::Stale {
                kind: "case",
                id: case.summary.tracking_no.clone(),
                expected: lock_version,
            });
        }
        case.handover_state()?.check(step, window)?;
        let column = match step {
            Handover::HandOver => "handed_over_on",
            Handover::Return => "returned_on",
        };
        let mut w = self.write(actor).await?;
        let mut update = Sql::new("UPDATE cases SET ");
        update
            .push(column)
            .push(" = ")
            .bind(today.to_string())
            .push(", updated_at = ")
            .bind(w.at().to_owned())
            .push(", lock_version = lock_version + 1 WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(lock_version);
        if update.query().execute(w.conn()).await?.rows_affected() != 1 {
            return Err(StoreError::Stale {
                kind: "case",
                id: case.summary.tracking_no.clone(),
                expected: lock_version,
            });
        }
        let state = case.state();
        insert_event(
            &mut w,
            id,
            step.slug(),
            Some(state),
            state,
            &actor.audit_name(),
            Some(&office),
            today,
            "",
            &[],
        )
        .await?;
        w.audit(
            &format!("case.{}", step.slug()),
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "intake": case.intake_office_code, "office": case.summary.office_code }),
        );
        w.commit().await?;
        self.case(actor, id, today).await
    }
}
