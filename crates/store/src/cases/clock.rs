//! The case's clock beyond supplements: periods the law excludes from the time limit (hearing,
//! expert review, public notice, testing), each with its reason, and extensions of the statutory
//! limit, which the county bureau approves (行政许可法 Art. 42, 45). Each change recomputes the
//! due dates and is recorded as an event of the case.

use chrono::NaiveDate;
use serde_json::json;
use tongquan_domain::access::{Actor, Jurisdiction, Role};
use tongquan_domain::calendar::{Arrangement, Calendar, Extension, PauseReason};
use tongquan_domain::case::CaseState;
use tongquan_domain::limits::check_extension;
use tongquan_domain::{DomainError, text};

use super::{Case, case_dues, insert_event, read_intake};
use crate::calendar::Recomputed;
use crate::{Result, Store, StoreError};

/// The approved extensions of a case, oldest first.
pub(super) async fn read_extensions<'e, E>(e: E, case_id: i64) -> Result<Vec<Extension>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT days, reason, decided_by FROM case_extensions WHERE case_id = $1 AND approved = 1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(e)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(days, reason, approved_by)| Extension {
            days: days as u32,
            reason,
            approved_by,
        })
        .collect())
}

fn clock_runs(case: &Case) -> Result<()> {
    match case.state() {
        CaseState::Accepted | CaseState::UnderReview => Ok(()),
        s => Err(DomainError::rule(
            "transition_not_allowed",
            format!("办件处于“{}”状态，不能变更办理时限", s.zh()),
            format!(
                "a case that is {} has no running time limit to change",
                s.en()
            ),
        )
        .into()),
    }
}

fn stale(case: &Case, lock_version: i64) -> Result<()> {
    if case.lock_version != lock_version {
        return Err(StoreError::Stale {
            kind: "case",
            id: case.summary.tracking_no.clone(),
            expected: lock_version,
        });
    }
    Ok(())
}

impl Store {
    /// Stops the clock for a period the law excludes; the reason says which and why.
    pub async fn pause_case(
        &self,
        actor: &Actor,
        id: i64,
        reason: PauseReason,
        note: &str,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<Case> {
        let (case, office) = self.office_case(actor, id, today).await?;
        stale(&case, lock_version)?;
        clock_runs(&case)?;
        if reason == PauseReason::Supplement {
            return Err(DomainError::invalid(
                "reason",
                "补正通过“一次性告知补正”办理",
                "a supplement is requested with the supplement notice",
            )
            .into());
        }
        if case.pauses.iter().any(|p| p.until_day.is_none()) {
            return Err(DomainError::rule(
                "transition_not_allowed",
                "计时已经中止，请先恢复",
                "the clock is already stopped; resume it first",
            )
            .into());
        }
        let note = text::bounded("note", note, 500)?;
        let mut w = self.write(actor).await?;
        sqlx::query("INSERT INTO case_pauses (case_id, reason, from_day) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(reason.slug())
            .bind(today.to_string())
            .execute(w.conn())
            .await?;
        let why = format!("{}：{note}", reason.zh());
        self.record_clock(
            &mut w,
            actor,
            &case,
            "pause",
            &why,
            &office,
            today,
            lock_version,
        )
        .await?;
        w.audit(
            "case.pause",
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "reason": reason.slug(), "note": note }),
        );
        w.commit().await?;
        self.case(actor, id, today).await
    }

    /// Starts the clock again after a pause the office opened.
    pub async fn resume_case(
        &self,
        actor: &Actor,
        id: i64,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<Case> {
        let (case, office) = self.office_case(actor, id, today).await?;
        stale(&case, lock_version)?;
        clock_runs(&case)?;
        let open = case
            .pauses
            .iter()
            .find(|p| p.until_day.is_none() && p.reason != PauseReason::Supplement.slug())
            .ok_or_else(|| {
                StoreError::from(DomainError::rule(
                    "transition_not_allowed",
                    "没有中止中的计时可以恢复",
                    "the clock is not stopped",
                ))
            })?;
        let reason = PauseReason::parse("reason", &open.reason)?;
        let mut w = self.write(actor).await?;
        sqlx::query(
            "UPDATE case_pauses SET until_day = $1 WHERE case_id = $2 AND until_day IS NULL",
        )
        .bind(today.to_string())
        .bind(id)
        .execute(w.conn())
        .await?;
        self.record_clock(
            &mut w,
            actor,
            &case,
            "resume",
            reason.zh(),
            &office,
            today,
            lock_version,
        )
        .await?;
        w.audit(
            "case.resume",
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "reason": reason.slug() }),
        );
        w.commit().await?;
        self.case(actor, id, today).await
    }

    /// The office asks for more working days; the limit changes only once the bureau approves.
    pub async fn request_extension(
        &self,
        actor: &Actor,
        id: i64,
        days: i64,
        reason: &str,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<Case> {
        let (case, office) = self.office_case(actor, id, today).await?;
        stale(&case, lock_version)?;
        clock_runs(&case)?;
        let (earlier,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM case_extensions WHERE case_id = $1 AND (approved IS NULL OR approved = 1)",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        let due = case
            .summary
            .statutory_due
            .as_deref()
            .map(|d| tongquan_domain::catalog::parse_date("statutory_due", d))
            .transpose()?;
        let days = check_extension(days, earlier as usize, due, today)?;
        let reason = text::bounded("reason", reason, 500)?;
        let mut w = self.write(actor).await?;
        sqlx::query(
            "INSERT INTO case_extensions (case_id, days, reason, requested_by, requested_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i64::from(days))
        .bind(reason.clone())
        .bind(actor.audit_name())
        .bind(today.to_string())
        .execute(w.conn())
        .await?;
        let why = format!("申请延长 {days} 个工作日：{reason}");
        self.record_clock(
            &mut w,
            actor,
            &case,
            "extension_request",
            &why,
            &office,
            today,
            lock_version,
        )
        .await?;
        w.audit(
            "case.extension.request",
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "days": days, "reason": reason }),
        );
        w.commit().await?;
        self.case(actor, id, today).await
    }

    /// The county bureau approves or refuses the pending extension of a case of its county.
    pub async fn decide_extension(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        today: NaiveDate,
    ) -> Result<Case> {
        let case = self.load_case(id, today).await?;
        let bureau = matches!(
            actor.staff().map(|s| (&s.role, &s.jurisdiction)),
            Some((Role::CountyBureau, Jurisdiction::County(c))) if c.as_str() == case.county_code
        );
        if !bureau {
            return Err(DomainError::forbidden(
                "延期须由县级审批局批准",
                "an extension is approved by the county approval bureau",
            )
            .into());
        }
        clock_runs(&case)?;
        let pending: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, days FROM case_extensions WHERE case_id = $1 AND approved IS NULL",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let (extension, days) = pending.ok_or_else(|| {
            StoreError::from(DomainError::rule(
                "transition_not_allowed",
                "没有待批准的延期申请",
                "no extension is waiting for approval",
            ))
        })?;
        let mut w = self.write(actor).await?;
        sqlx::query(
            "UPDATE case_extensions SET approved = $1, decided_by = $2, decided_on = $3 WHERE id = $4",
        )
        .bind(i64::from(approve))
        .bind(actor.audit_name())
        .bind(today.to_string())
        .bind(extension)
        .execute(w.conn())
        .await?;
        let (action, why) = if approve {
            ("extension_approve", format!("批准延长 {days} 个工作日"))
        } else {
            ("extension_refuse", format!("不批准延长 {days} 个工作日"))
        };
        let office =
            tongquan_domain::codes::OfficeCode::parse("office", &case.summary.office_code)?;
        self.record_clock(
            &mut w,
            actor,
            &case,
            action,
            &why,
            &office,
            today,
            case.lock_version,
        )
        .await?;
        w.audit(
            &format!("case.{}", action.replace('_', ".")),
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "days": days }),
        );
        w.commit().await?;
        self.case(actor, id, today).await
    }

    /// Recomputes the due dates and records the event, on the case as `lock_version` saw it.
    #[allow(clippy::too_many_arguments)]
    async fn record_clock(
        &self,
        w: &mut crate::write::Write,
        actor: &Actor,
        case: &Case,
        action: &str,
        why: &str,
        office: &tongquan_domain::codes::OfficeCode,
        today: NaiveDate,
        lock_version: i64,
    ) -> Result<()> {
        let calendar = self.calendar().await?;
        let (statutory, promised) = Self::dues(w, &calendar, case, None).await?;
        let at = w.at().to_owned();
        let changed = sqlx::query(
            "UPDATE cases SET statutory_due = $1, promised_due = $2, updated_at = $3,
             lock_version = lock_version + 1 WHERE id = $4 AND lock_version = $5",
        )
        .bind(statutory)
        .bind(promised)
        .bind(at)
        .bind(case.summary.id)
        .bind(lock_version)
        .execute(w.conn())
        .await?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Stale {
                kind: "case",
                id: case.summary.tracking_no.clone(),
                expected: lock_version,
            });
        }
        let state = case.state();
        insert_event(
            w,
            case.summary.id,
            action,
            Some(state),
            state,
            &actor.audit_name(),
            Some(office),
            today,
            why,
            &[],
        )
        .await
    }
}

impl Store {
    /// After an arrangement is imported: every open case whose count may run through one of its
    /// years gets its due dates recomputed on the new calendar, with a history entry giving the
    /// dates before and after. A file that would move a due date before `today` is refused.
    pub(crate) async fn recompute_open_cases(
        &self,
        w: &mut crate::write::Write,
        before: &Calendar,
        after: &Calendar,
        file: &Arrangement,
        today: NaiveDate,
    ) -> Result<Vec<Recomputed>> {
        let (Some(first), Some(last)) = (file.years.first(), file.years.last()) else {
            return Ok(Vec::new());
        };
        // A case submitted after the last affected year cannot count through it; one whose due
        // dates (or stopped clock) reach into the first can.
        type Row = (
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, tracking_no, state, submitted_on, statutory_days, promised_days, statutory_due, promised_due
             FROM cases
             WHERE state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked')
               AND submitted_on <= $1
               AND (statutory_days IS NOT NULL OR promised_days IS NOT NULL)
               AND (statutory_due IS NULL OR statutory_due >= $2 OR promised_due >= $2)
             ORDER BY id",
        )
        .bind(format!("{last}-12-31"))
        .bind(format!("{}-01-01", first - 1))
        .fetch_all(w.conn())
        .await?;
        let mut moved = Vec::new();
        for (id, tracking_no, state, submitted, statutory_days, promised_days, old_s, old_p) in rows
        {
            let submitted = tongquan_domain::catalog::parse_date("submitted_on", &submitted)?;
            let intake = read_intake(w.conn(), id, submitted).await?;
            let (new_s, new_p) =
                case_dues(w.conn(), after, id, &intake, statutory_days, promised_days).await?;
            if (&new_s, &new_p) == (&old_s, &old_p) {
                continue;
            }
            for (old, new) in [(&old_s, &new_s), (&old_p, &new_p)] {
                let (Some(old), Some(new)) = (old, new) else {
                    continue;
                };
                let (o, n) = (
                    tongquan_domain::catalog::parse_date("due", old)?,
                    tongquan_domain::catalog::parse_date("due", new)?,
                );
                if n < o && n < today {
                    // The row that made the difference: the first imported day in the window.
                    let line = file
                        .days
                        .iter()
                        .zip(&file.lines)
                        .filter(|(d, _)| d.date > submitted && d.date <= o)
                        .filter(|(d, _)| before.day(d.date).ok() != after.day(d.date).ok())
                        .map(|(_, l)| *l)
                        .next()
                        .unwrap_or(1);
                    return Err(DomainError::rule(
                        "calendar_due_in_past",
                        format!(
                            "第 {line} 行：会使在办件 {tracking_no} 的到期日由 {o} 提前到 {n}，早于今天 {today}"
                        ),
                        format!(
                            "line {line}: would move open case {tracking_no}'s due date from {o} to {n}, before today {today}"
                        ),
                    )
                    .into());
                }
            }
            let at = w.at().to_owned();
            sqlx::query(
                "UPDATE cases SET statutory_due = $1, promised_due = $2, updated_at = $3,
                 lock_version = lock_version + 1 WHERE id = $4",
            )
            .bind(new_s.clone())
            .bind(new_p.clone())
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
            let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".into());
            let years = file
                .years
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、");
            let (s, p) = (
                format!("{} → {}", show(&old_s), show(&new_s)),
                format!("{} → {}", show(&old_p), show(&new_p)),
            );
            let why = format!(
                "{years} 年放假安排正式公布，期限重算：法定 {s}，承诺 {p} / the official {years} arrangement replaced the provisional calendar: statutory {s}, promised {p}"
            );
            let state = CaseState::parse("state", &state)?;
            let actor = w.actor().to_owned();
            insert_event(
                w,
                id,
                "calendar",
                Some(state),
                state,
                &actor,
                None,
                today,
                &why,
                &[],
            )
            .await?;
            moved.push(Recomputed {
                tracking_no,
                statutory_before: old_s,
                statutory_after: new_s,
                promised_before: old_p,
                promised_after: new_p,
            });
        }
        Ok(moved)
    }
}
