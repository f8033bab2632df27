//! Demo cases: years of approval cases and convenience services on the demo catalog, from a fixed
//! seed, in the reform's order of magnitude (about 87,000 approval cases and 426,000 convenience
//! services since 2022).
//!
//! Every case is routed the way a real one is: `Store::competence` names the office for the item,
//! town and day (cached per stretch of days in which nothing about the item changes), and its
//! steps follow the transition table with due dates from the calendar. The mix: channels,
//! supplements, refusals, withdrawals, commitment approvals with their verifications, ratings with
//! follow-ups of bad ones, cases still open today and a few that ran late. Rows are written in
//! large multi-row statements; case events stand in for per-case audit entries, and one audit
//! entry records the run.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tongquan_domain::access::{Actor, Scope};
use tongquan_domain::calendar::{Calendar, Pause, PauseReason};
use tongquan_domain::codes::{OfficeCode, TownCode};
use tongquan_domain::geo::{LatLon, distance_km};
use tongquan_domain::limits::{self, Intake, on_time};

use crate::db::{Sql, rows_per_insert};
use crate::{Result, Store};

const ACTOR: Actor = Actor::System("demo");
/// How many of a county's approval items its cases are drawn from.
const ASKED_FOR: usize = 150;

/// How much to generate, and from which seed.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub approvals: usize,
    pub services: usize,
    pub seed: u64,
    pub from: NaiveDate,
    /// The demo's today: cases submitted before it, some still open on it.
    pub today: NaiveDate,
}

impl Volume {
    /// The reform's figures for Dezhou since 2022.
    pub fn demo(today: NaiveDate) -> Self {
        Self {
            approvals: 87_000,
            services: 426_000,
            seed: 2022,
            from: NaiveDate::from_ymd_opt(2022, 1, 1).expect("a date"),
            today,
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DemoCases {
    pub approvals: usize,
    pub events: usize,
    pub tasks: usize,
    pub services: usize,
}

struct Item {
    id: i64,
    version: i64,
    name: String,
    statutory: Option<i64>,
    promised: Option<i64>,
    commitment: bool,
    tongban: bool,
    materials: Vec<String>,
}

struct Place {
    at: Option<LatLon>,
}

/// The competent office and the document that made it so.
type Competent = (String, Option<String>);

/// code, kind, county, town, lat, lon
type OfficeRow = (
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

struct World {
    calendar: std::sync::Arc<Calendar>,
    days: Vec<NaiveDate>,
    /// Approval items by county, most asked for first.
    items: HashMap<String, Vec<Item>>,
    /// Convenience items by county.
    convenience: HashMap<String, Vec<(i64, String)>>,
    /// Branch → (county, towns served).
    branches: Vec<(String, String, Vec<String>)>,
    towns: HashMap<String, (String, Option<LatLon>, Option<f64>)>,
    towns_of: HashMap<String, Vec<String>>,
    offices: HashMap<String, Place>,
    /// The town centre of each town.
    centre_of: HashMap<String, String>,
    /// Dates on which something about an item's competence may change.
    changes: HashMap<i64, Vec<NaiveDate>>,
    competence: HashMap<(i64, String, usize), Option<Competent>>,
    /// An item as in force in a stretch of days with its delegations then, and the branch serving
    /// each town: what competence rests on.
    read: HashMap<(i64, usize), (crate::catalog::Item, Vec<crate::delegations::Delegation>)>,
    branch: HashMap<String, Option<OfficeCode>>,
}

/// Generates the demo's cases and services once; a second run adds nothing. `progress` gets
/// (phase, done, total).
pub async fn generate(
    store: &Store,
    volume: Volume,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Option<DemoCases>> {
    let done: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = 'demo_cases'")
        .fetch_optional(store.pool())
        .await?;
    if done.is_some() {
        return Ok(None);
    }
    let mut world = World::load(store, volume).await?;
    if world.items.values().all(Vec::is_empty) || world.days.is_empty() {
        return Err(crate::StoreError::Config(
            "demo cases need the demo catalog and calendar days before today".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(volume.seed);
    let mut out = DemoCases::default();
    let (mut next_case,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
        .fetch_one(store.pool())
        .await?;
    // Tracking numbers continue each office's count of the day.
    let mut seq: HashMap<(String, NaiveDate), u32> = HashMap::new();
    let taken: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT office_code, submitted_on, COUNT(*) FROM cases GROUP BY office_code, submitted_on",
    )
    .fetch_all(store.pool())
    .await?;
    for (office, day, n) in taken {
        if let Ok(day) = day.parse() {
            seq.insert((office, day), n as u32);
        }
    }
    // One transaction, so one connection whose page cache stays warm for the whole load; a
    // batch per connection would start each time from a cache the last commit invalidated.
    let mut tx = store.pool().begin().await?;
    let at = store.now();
    let chunk = 2_000;
    let mut made = 0;
    while made < volume.approvals {
        let n = chunk.min(volume.approvals - made);
        let mut batch = Batch::default();
        while batch.cases.len() < n {
            if let Some(case) = world.case(store, &mut rng, &mut seq, next_case).await? {
                next_case += 1;
                batch.add(case);
            }
        }
        out.events += batch.events.len();
        out.tasks += batch.tasks.len();
        batch.write(&mut tx, &at).await?;
        made += n;
        progress("办件 approval cases", made, volume.approvals);
    }
    out.approvals = made;
    let mut made = 0;
    while made < volume.services {
        let n = 5_000.min(volume.services - made);
        world.services(&mut tx, &at, &mut rng, n).await?;
        made += n;
        progress("便民服务 convenience services", made, volume.services);
    }
    out.services = made;
    // The notices the generated steps issued, numbered per office and year as issued.
    crate::cases::number_unnumbered(&mut tx).await?;
    tx.commit().await?;
    super::resync_ids(
        store,
        &[
            "cases",
            "case_events",
            "case_tasks",
            "case_pauses",
            "services",
        ],
    )
    .await?;
    let mut w = store.write(&ACTOR).await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('demo_cases', $1)")
        .bind(serde_json::to_string(&out).expect("counts serialise"))
        .execute(w.conn())
        .await?;
    w.audit(
        "seed.demo_cases",
        "case",
        "demo",
        &Scope::default(),
        json!(out),
    );
    w.commit().await?;
    Ok(Some(out))
}

/// A Zipf-like pick: the first of a list is asked for most.
fn popular<T>(rng: &mut StdRng, list: &[T]) -> usize {
    let n = list.len() as f64;
    let u: f64 = rng.random();
    (((n + 1.0).powf(u) - 1.0) as usize).min(list.len() - 1)
}

fn km(a: Option<LatLon>, b: Option<LatLon>) -> Option<f64> {
    Some((distance_km(a?, b?) * 10.0).round() / 10.0)
}

impl World {
    async fn load(store: &Store, volume: Volume) -> Result<Self> {
        let calendar = store.calendar().await?;
        // Every working day up to today, on the provisional calendar where a year's arrangement
        // is not out yet, as a real office works.
        let days: Vec<NaiveDate> = volume
            .from
            .iter_days()
            .take_while(|d| *d < volume.today)
            .filter(|d| calendar.is_working(*d).unwrap_or(false))
            .collect();
        type ItemRow = (
            i64,
            String,
            i64,
            String,
            Option<i64>,
            Option<i64>,
            i64,
            i64,
            String,
            String,
        );
        let rows: Vec<ItemRow> = sqlx::query_as(
            "SELECT i.id, i.county_code, v.number, v.name, v.statutory_days, v.promised_days,
                    v.commitment_allowed, v.tongban_allowed, v.materials, v.service
             FROM items i JOIN item_versions v ON v.item_id = i.id
             WHERE v.status = 'published' AND v.item_type NOT IN ('penalty', 'coercion', 'inspection')
               AND v.number = (SELECT MAX(number) FROM item_versions x WHERE x.item_id = i.id AND x.status = 'published')
             ORDER BY i.id",
        )
        .fetch_all(store.pool())
        .await?;
        let mut items: HashMap<String, Vec<Item>> = HashMap::new();
        let mut convenience: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        for (
            id,
            county,
            version,
            name,
            statutory,
            promised,
            commitment,
            tongban,
            materials,
            service,
        ) in rows
        {
            if service == "convenience" {
                convenience.entry(county).or_default().push((id, name));
                continue;
            }
            let materials: Vec<tongquan_domain::catalog::Material> =
                serde_json::from_str(&materials).unwrap_or_default();
            items.entry(county).or_default().push(Item {
                id,
                version,
                name,
                statutory,
                promised,
                commitment: commitment != 0,
                tongban: tongban != 0,
                materials: materials.into_iter().map(|m| m.name).collect(),
            });
        }
        // A fixed, code-derived popularity order, so the same items lead on every run; as at real
        // windows, a county's cases concentrate on its most asked-for items.
        for list in items.values_mut() {
            list.sort_by_key(|i| (i.id.wrapping_mul(2_654_435_761) % 1_000_003, i.id));
            list.truncate(ASKED_FOR);
        }
        let towns_rows: Vec<(String, String, Option<f64>, Option<f64>)> =
            sqlx::query_as("SELECT code, county_code, lat, lon FROM towns ORDER BY code")
                .fetch_all(store.pool())
                .await?;
        let offices_rows: Vec<OfficeRow> = sqlx::query_as(
            "SELECT code, kind, county_code, town_code, lat, lon FROM offices ORDER BY code",
        )
        .fetch_all(store.pool())
        .await?;
        let served: Vec<(String, String)> = sqlx::query_as(
            "SELECT office_code, town_code FROM office_towns ORDER BY office_code, town_code",
        )
        .fetch_all(store.pool())
        .await?;
        let at = |lat: Option<f64>, lon: Option<f64>| {
            Some(LatLon {
                lat: lat?,
                lon: lon?,
            })
        };
        let mut offices = HashMap::new();
        let mut centre_of = HashMap::new();
        let mut branches = Vec::new();
        for (code, kind, county, town, lat, lon) in offices_rows {
            match kind.as_str() {
                "centre" => {
                    if let Some(t) = town {
                        centre_of.insert(t, code.clone());
                    }
                }
                "branch" => branches.push((
                    code.clone(),
                    county,
                    served
                        .iter()
                        .filter(|(o, _)| *o == code)
                        .map(|(_, t)| t.clone())
                        .collect(),
                )),
                _ => {}
            }
            offices.insert(code, Place { at: at(lat, lon) });
        }
        let mut towns = HashMap::new();
        let mut towns_of: HashMap<String, Vec<String>> = HashMap::new();
        for (code, county, lat, lon) in towns_rows {
            let hall =
                OfficeCode::county_hall(&tongquan_domain::codes::CountyCode::parse("c", &county)?);
            let position = at(lat, lon);
            let hall_km = km(position, offices.get(hall.as_str()).and_then(|p| p.at));
            towns_of
                .entry(county.clone())
                .or_default()
                .push(code.clone());
            towns.insert(code, (county, position, hall_km));
        }
        let mut changes: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        let points: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT item_id, valid_from, valid_to FROM delegations
             UNION ALL SELECT d.item_id, e.effective, NULL FROM delegation_events e JOIN delegations d ON d.id = e.delegation_id
             UNION ALL SELECT item_id, valid_from, valid_to FROM item_versions WHERE status = 'published'",
        )
        .fetch_all(store.pool())
        .await?;
        for (item, a, b) in points {
            for d in [a, b].into_iter().flatten() {
                if let Ok(d) = d.parse::<NaiveDate>() {
                    // Whether a bound is inclusive or not, competence is constant between these.
                    let list = changes.entry(item).or_default();
                    list.push(d);
                    list.extend(d.succ_opt());
                }
            }
        }
        for list in changes.values_mut() {
            list.sort();
            list.dedup();
        }
        Ok(Self {
            calendar,
            days,
            items,
            convenience,
            branches,
            towns,
            towns_of,
            offices,
            centre_of,
            changes,
            competence: HashMap::new(),
            read: HashMap::new(),
            branch: HashMap::new(),
        })
    }

    /// The office competent for the item in the town on the day, with the delegation's document.
    async fn competent(
        &mut self,
        store: &Store,
        item: i64,
        town: &str,
        day: NaiveDate,
    ) -> Result<Option<Competent>> {
        let stretch = self
            .changes
            .get(&item)
            .map_or(0, |c| c.partition_point(|x| *x <= day));
        let key = (item, town.to_owned(), stretch);
        if let Some(hit) = self.competence.get(&key) {
            return Ok(hit.clone());
        }
        // What competence rests on is read once per stretch (the item and its delegations) and
        // per town (the branch serving it); deciding is the store's own rule.
        if let Entry::Vacant(e) = self.read.entry((item, stretch)) {
            let record = store.item(&ACTOR, item, Some(day)).await?;
            let handed = store.active_delegations(item, day).await?;
            e.insert((record, handed));
        }
        if let Entry::Vacant(e) = self.branch.entry(town.to_owned()) {
            e.insert(store.branch_of(&TownCode::parse("town", town)?).await?);
        }
        let (record, handed) = &self.read[&(item, stretch)];
        let (who, doc) = crate::delegations::decide_competence(
            record,
            &TownCode::parse("town", town)?,
            self.branch[town].as_ref(),
            handed,
            day,
        )?;
        let found = match who {
            tongquan_domain::catalog::Competent::Office(o) => Some((o.to_string(), doc)),
            _ => None,
        };
        self.competence.insert(key, found.clone());
        Ok(found)
    }

    /// One case, or none when the draw leads nowhere (no item, no competent office).
    async fn case(
        &mut self,
        store: &Store,
        rng: &mut StdRng,
        seq: &mut HashMap<(String, NaiveDate), u32>,
        id: i64,
    ) -> Result<Option<GenCase>> {
        // More cases as the reform took hold: the later the day, the likelier.
        let day = loop {
            let i = rng.random_range(0..self.days.len());
            if rng.random_bool(0.35 + 0.65 * i as f64 / self.days.len() as f64) {
                break self.days[i];
            }
        };
        // Most applications go to the branches the reform created; the rest to the county halls.
        let (county, town, pick_from): (String, String, Option<usize>) =
            if rng.random_bool(0.7) && !self.branches.is_empty() {
                let b = rng.random_range(0..self.branches.len());
                let (_, county, towns) = &self.branches[b];
                if towns.is_empty() {
                    return Ok(None);
                }
                (
                    county.clone(),
                    towns[rng.random_range(0..towns.len())].clone(),
                    Some(b),
                )
            } else {
                let counties: Vec<&String> = self.towns_of.keys().collect();
                let mut counties = counties;
                counties.sort();
                let county = counties[rng.random_range(0..counties.len())].clone();
                let towns = &self.towns_of[&county];
                (
                    county,
                    towns[rng.random_range(0..towns.len())].clone(),
                    None,
                )
            };
        let Some(list) = self.items.get(&county) else {
            return Ok(None);
        };
        if list.is_empty() {
            return Ok(None);
        }
        let k = popular(rng, list);
        let item_id = list[k].id;
        let Some((office, doc)) = self.competent(store, item_id, &town, day).await? else {
            return Ok(None);
        };
        if pick_from.is_some() && !office.contains('B') {
            // The draw meant a branch case, but this item stays with the hall here.
            return Ok(None);
        }
        let item = &self.items[&county][k];
        let (_, town_at, hall_km) = self.towns[&town];
        let office_at = self.offices.get(&office).and_then(|p| p.at);
        let n = seq.entry((office.clone(), day)).or_insert(0);
        *n += 1;
        let tracking_no = format!("{office}{}{:05}", day.format("%Y%m%d"), n);
        let code = format!("{:06}", rng.random_range(0..1_000_000));
        let channel = match rng.random_range(0..100) {
            0..45 => "online",
            45..83 => "window",
            83..92 if item.tongban && self.centre_of.contains_key(&town) => "cross_window",
            _ => "assisted",
        };
        let intake = match channel {
            "cross_window" => self.centre_of.get(&town).cloned(),
            "window" | "assisted" => Some(office.clone()),
            _ => None,
        };
        let applicant = applicant_id(rng);
        let mut c = GenCase {
            id,
            tracking_no: tracking_no.clone(),
            check_hash: hex::encode(Sha256::digest(format!("{tracking_no}:{code}").as_bytes())),
            item_id,
            item_version: item.version,
            item_name: item.name.clone(),
            county: county.clone(),
            town: town.clone(),
            office: office.clone(),
            intake,
            doc,
            channel,
            applicant,
            applicant_name: format!(
                "{}{}",
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())]
            ),
            materials: item.materials.clone(),
            state: "submitted",
            submitted: day,
            statutory: item.statutory,
            promised: item.promised,
            statutory_due: None,
            promised_due: None,
            limits: Limits::default(),
            concluded: None,
            km_office: km(town_at, office_at),
            km_hall: hall_km,
            commitment: false,
            rating: None,
            events: Vec::new(),
            pauses: Vec::new(),
            tasks: Vec::new(),
            handed_over: None,
            returned: None,
        };
        let today = self.days.last().copied().unwrap_or(day);
        match self.live(rng, &mut c, item.commitment, today) {
            Ok(()) => {
                c.hand_offs();
                Ok(Some(c))
            }
            // A deadline in a year the calendar does not know yet: such a case is not made up.
            Err(e) if e.code() == "outside_calendar" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Takes the case through its steps up to today.
    fn live(
        &self,
        rng: &mut StdRng,
        c: &mut GenCase,
        commitment_allowed: bool,
        today: NaiveDate,
    ) -> Result<()> {
        let cal = &self.calendar;
        let after = |d: NaiveDate, n: u32| cal.add_working_days(d, n);
        let day = c.submitted;
        c.event("submit", None, "submitted", day, "", c.intake.clone());
        let office = Some(c.office.clone());
        if commitment_allowed && rng.random_bool(0.15) {
            c.commitment = true;
            c.event(
                "accept",
                Some("submitted"),
                "accepted",
                day,
                "",
                office.clone(),
            );
            c.event(
                "review",
                Some("accepted"),
                "under_review",
                day,
                "",
                office.clone(),
            );
            c.event(
                "grant",
                Some("under_review"),
                "granted",
                day,
                "告知承诺：书面承诺符合条件，当场作出准予许可决定",
                office.clone(),
            );
            c.event(
                "conclude",
                Some("granted"),
                "concluded",
                day,
                "",
                office.clone(),
            );
            c.state = "concluded";
            c.concluded = Some(day);
            let due = after(day, tongquan_domain::case::VERIFICATION_DAYS)?;
            let checked = after(day, rng.random_range(5..40))?;
            if checked < today {
                let truthful = rng.random_bool(0.97);
                c.tasks.push(GenTask::done(
                    "verification",
                    &c.office,
                    "on_site",
                    due,
                    checked,
                    if truthful { "confirmed" } else { "false" },
                ));
                if !truthful {
                    c.event(
                        "revoke",
                        Some("concluded"),
                        "revoked",
                        checked,
                        "告知承诺核查不实：经营场所与承诺不符",
                        office.clone(),
                    );
                    c.state = "revoked";
                }
            } else {
                c.tasks.push(GenTask::open(
                    "verification",
                    &c.office,
                    Some("on_site"),
                    due,
                ));
            }
            c.dues(cal, today)?;
            return Ok(());
        }
        let mut at = after(day, rng.random_range(0..2))?;
        macro_rules! step {
            ($when:expr, $action:expr, $from:expr, $to:expr, $reason:expr) => {{
                let when = $when;
                if when >= today {
                    c.dues(cal, today)?;
                    return Ok(());
                }
                c.event($action, Some($from), $to, when, $reason, office.clone());
                c.state = $to;
                at = when;
            }};
        }
        let roll: u32 = rng.random_range(0..1000);
        if roll < 20 {
            step!(
                at,
                "reject",
                "submitted",
                "rejected",
                "不属于本机关职权范围或申请事项依法不需要取得行政许可"
            );
            c.concluded = Some(at);
            c.dues(cal, today)?;
            return Ok(());
        }
        if roll < 140 {
            let missing = c
                .materials
                .last()
                .cloned()
                .unwrap_or_else(|| "申请书".into());
            step!(
                at,
                "request_supplement",
                "submitted",
                "supplement_requested",
                "申请材料不齐全"
            );
            c.events.last_mut().expect("just recorded").missing = vec![missing];
            c.pauses.push((at, None));
            let back = after(at, rng.random_range(1..8))?;
            if back >= today {
                c.dues(cal, today)?;
                return Ok(());
            }
            c.pauses.last_mut().expect("just pushed").1 = Some(back);
            step!(back, "supply", "supplement_requested", "submitted", "");
        }
        if (140..150).contains(&roll) {
            step!(
                after(at, 1)?,
                "withdraw",
                "submitted",
                "withdrawn",
                "申请人主动撤回"
            );
            c.concluded = Some(at);
            c.dues(cal, today)?;
            return Ok(());
        }
        step!(at, "accept", "submitted", "accepted", "");
        let accepted = at;
        step!(after(at, 1)?, "review", "accepted", "under_review", "");
        let limit = c.promised.or(c.statutory).unwrap_or(20).max(2) as u32;
        // Mostly well inside the promise; a few run past the statutory limit.
        let late = rng.random_bool(0.006);
        let took = if late {
            c.statutory.unwrap_or(20) as u32 + rng.random_range(1..6)
        } else {
            rng.random_range(1..=limit.saturating_sub(1).max(1))
        };
        // Counted from acceptance, as the law counts the limit.
        let decided = after(accepted, took)?.max(at);
        let (action, to, reason) = if rng.random_bool(0.015) {
            ("deny", "denied", "经审查，不符合法定条件")
        } else {
            ("grant", "granted", "")
        };
        step!(decided, action, "under_review", to, reason);
        step!(
            after(at, rng.random_range(0..2))?,
            "conclude",
            to,
            "concluded",
            ""
        );
        c.concluded = Some(at);
        if rng.random_bool(0.55) {
            let rated = after(at, rng.random_range(0..3))?;
            if rated < today {
                let rating = match rng.random_range(0..100) {
                    0..80 => 5,
                    80..92 => 4,
                    92..97 => 3,
                    97..99 => 2,
                    _ => 1,
                };
                c.rating = Some((rating, rated));
                if rating <= 2 {
                    let due = after(rated, tongquan_domain::case::FOLLOW_UP_DAYS)?;
                    let followed = after(rated, rng.random_range(1..15))?;
                    c.tasks.push(if followed < today {
                        GenTask::done("bad_rating", &c.office, "", due, followed, "followed_up")
                    } else {
                        GenTask::open("bad_rating", &c.office, None, due)
                    });
                }
            }
        }
        c.dues(cal, today)
    }

    async fn services(
        &self,
        tx: &mut sqlx::AnyConnection,
        at: &str,
        rng: &mut StdRng,
        n: usize,
    ) -> Result<()> {
        let towns: Vec<&String> = {
            let mut t: Vec<&String> = self.centre_of.keys().collect();
            t.sort();
            t
        };
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n {
            let day = self.days[rng.random_range(0..self.days.len())];
            let town = towns[rng.random_range(0..towns.len())];
            let county = &self.towns[town].0;
            let Some(list) = self.convenience.get(county).filter(|l| !l.is_empty()) else {
                continue;
            };
            let (item, name) = &list[popular(rng, list)];
            let minutes: i64 = (rng.random_range(2.0f64..4.2).exp()) as i64;
            let channel = if rng.random_bool(0.9) {
                "window"
            } else {
                "assisted"
            };
            rows.push((
                item,
                name,
                county,
                town,
                &self.centre_of[town],
                channel,
                day,
                minutes,
            ));
        }
        for part in rows.chunks(rows_per_insert(11)) {
            let mut sql = Sql::new(
                "INSERT INTO services (item_id, item_name, county_code, town_code, office_code, channel, taken_on, done_on, minutes, recorded_by, created_at) VALUES ",
            );
            for (i, (item, name, county, town, office, channel, day, minutes)) in
                part.iter().enumerate()
            {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(**item)
                    .push(", ")
                    .bind((*name).clone())
                    .push(", ")
                    .bind((*county).clone())
                    .push(", ")
                    .bind((*town).clone())
                    .push(", ")
                    .bind((*office).clone())
                    .push(", ")
                    .bind((*channel).to_owned())
                    .push(", ")
                    .bind(day.to_string())
                    .push(", ")
                    .bind(day.to_string())
                    .push(", ")
                    .bind(*minutes)
                    .push(", 'demo', ")
                    .bind(at.to_owned())
                    .push(")");
            }
            sql.bulk(tx).execute(&mut *tx).await?;
        }
        Ok(())
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "高", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
];

/// A valid resident ID number of Dezhou (3714…), with its check digit.
fn applicant_id(rng: &mut StdRng) -> String {
    let first17 = format!(
        "3714{:02}{}{:02}{:02}{:03}",
        rng.random_range(1..30),
        rng.random_range(1950..2004),
        rng.random_range(1..13),
        rng.random_range(1..29),
        rng.random_range(0..1000)
    );
    tongquan_domain::applicant::ApplicantId::complete(
        tongquan_domain::applicant::ApplicantKind::Person,
        &first17,
    )
    .map(|id| id.to_string())
    .unwrap_or(first17)
}

#[derive(Clone)]
struct GenEvent {
    action: &'static str,
    from: Option<&'static str>,
    to: &'static str,
    on: NaiveDate,
    reason: &'static str,
    office: Option<String>,
    missing: Vec<String>,
}

struct GenTask {
    kind: &'static str,
    office: String,
    method: Option<&'static str>,
    due: NaiveDate,
    done: Option<(NaiveDate, &'static str)>,
}

impl GenTask {
    fn done(
        kind: &'static str,
        office: &str,
        method: &'static str,
        due: NaiveDate,
        on: NaiveDate,
        outcome: &'static str,
    ) -> Self {
        Self {
            kind,
            office: office.to_owned(),
            method: (!method.is_empty()).then_some(method),
            due,
            done: Some((on, outcome)),
        }
    }

    fn open(
        kind: &'static str,
        office: &str,
        method: Option<&'static str>,
        due: NaiveDate,
    ) -> Self {
        Self {
            kind,
            office: office.to_owned(),
            method,
            due,
            done: None,
        }
    }
}

struct GenCase {
    id: i64,
    tracking_no: String,
    check_hash: String,
    item_id: i64,
    item_version: i64,
    item_name: String,
    county: String,
    town: String,
    office: String,
    intake: Option<String>,
    doc: Option<String>,
    channel: &'static str,
    applicant: String,
    applicant_name: String,
    materials: Vec<String>,
    state: &'static str,
    submitted: NaiveDate,
    statutory: Option<i64>,
    promised: Option<i64>,
    statutory_due: Option<NaiveDate>,
    promised_due: Option<NaiveDate>,
    limits: Limits,
    concluded: Option<NaiveDate>,
    km_office: Option<f64>,
    km_hall: Option<f64>,
    commitment: bool,
    rating: Option<(i64, NaiveDate)>,
    events: Vec<GenEvent>,
    pauses: Vec<(NaiveDate, Option<NaiveDate>)>,
    tasks: Vec<GenTask>,
    handed_over: Option<NaiveDate>,
    returned: Option<NaiveDate>,
}

impl GenCase {
    fn event(
        &mut self,
        action: &'static str,
        from: Option<&'static str>,
        to: &'static str,
        on: NaiveDate,
        reason: &'static str,
        office: Option<String>,
    ) {
        self.events.push(GenEvent {
            action,
            from,
            to,
            on,
            reason,
            office,
            missing: Vec::new(),
        });
    }

    /// A cross-window case is handed over the day it is taken in, and its result goes back to
    /// the intake window the day it is decided.
    fn hand_offs(&mut self) {
        if self.channel != "cross_window" {
            return;
        }
        let submitted = self.events[0].clone();
        self.events.insert(
            1,
            GenEvent {
                action: "hand_over",
                from: Some("submitted"),
                missing: Vec::new(),
                office: self.intake.clone(),
                ..submitted
            },
        );
        self.handed_over = Some(self.submitted);
        if let Some(at) = self
            .events
            .iter()
            .position(|e| matches!(e.action, "conclude" | "reject"))
        {
            let decided = self.events[at].clone();
            self.events.insert(
                at + 1,
                GenEvent {
                    action: "return",
                    from: Some(decided.to),
                    reason: "",
                    missing: Vec::new(),
                    office: Some(self.office.clone()),
                    ..decided
                },
            );
            self.returned = Some(decided.on);
        }
    }

    /// Due dates as the store computes them (the rules of `limits`: from acceptance, nothing
    /// while a supplement is owed), the answer period, and whether the decision came in time.
    fn dues(&mut self, cal: &Calendar, today: NaiveDate) -> Result<()> {
        let pauses: Vec<Pause> = self
            .pauses
            .iter()
            .map(|(from, until)| Pause {
                reason: PauseReason::Supplement,
                from: *from,
                until: *until,
            })
            .collect();
        let intake =
            Intake::from_steps(self.submitted, self.events.iter().map(|e| (e.action, e.on)));
        let due = |days: Option<i64>| -> Result<Option<NaiveDate>> {
            Ok(match days {
                Some(d) => limits::case_due(cal, &intake, today, d as u32, &pauses, &[])?
                    .and_then(|due| due.date),
                None => None,
            })
        };
        self.statutory_due = due(self.statutory)?;
        self.promised_due = due(self.promised)?;
        let decided = self
            .events
            .iter()
            .find(|e| matches!(e.action, "grant" | "deny"))
            .map(|e| e.on);
        self.limits = Limits {
            answer_by: Some(intake.answer_by(cal)?),
            accepted: intake.accepted,
            decided,
            statutory: decided.and_then(|d| on_time(d, self.statutory_due)),
            promised: decided.and_then(|d| on_time(d, self.promised_due)),
        };
        Ok(())
    }
}

/// What the law's clock made of a case: see `tongquan_domain::limits`.
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    answer_by: Option<NaiveDate>,
    accepted: Option<NaiveDate>,
    decided: Option<NaiveDate>,
    statutory: Option<bool>,
    promised: Option<bool>,
}

#[derive(Default)]
struct Batch {
    cases: Vec<GenCase>,
    events: Vec<(i64, GenEvent)>,
    tasks: Vec<(i64, GenTask)>,
}

impl Batch {
    fn add(&mut self, mut c: GenCase) {
        let id = c.id;
        self.events.extend(c.events.drain(..).map(|e| (id, e)));
        self.tasks.extend(c.tasks.drain(..).map(|t| (id, t)));
        self.cases.push(c);
    }

    async fn write(self, tx: &mut sqlx::AnyConnection, at: &str) -> Result<()> {
        for part in self.cases.chunks(rows_per_insert(39)) {
            let mut sql = Sql::new(
                "INSERT INTO cases (id, tracking_no, check_hash, item_id, item_version, item_name, county_code,
                    town_code, office_code, intake_office_code, doc_number, channel, assisted_by, applicant_kind,
                    applicant_id, applicant_name, contact, materials, state, submitted_on, statutory_days,
                    promised_days, statutory_due, promised_due, concluded_on, km_to_office, km_to_hall, commitment,
                    rating, rated_on, handed_over_on, returned_on, answer_by, accepted_on, decided_on,
                    on_time_statutory, on_time_promised, created_at, updated_at) VALUES ",
            );
            for (i, c) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
                sql.push("(")
                    .bind(c.id)
                    .push(", ")
                    .bind(c.tracking_no.clone())
                    .push(", ")
                    .bind(c.check_hash.clone())
                    .push(", ")
                    .bind(c.item_id)
                    .push(", ")
                    .bind(c.item_version)
                    .push(", ")
                    .bind(c.item_name.clone())
                    .push(", ")
                    .bind(c.county.clone())
                    .push(", ")
                    .bind(c.town.clone())
                    .push(", ")
                    .bind(c.office.clone())
                    .push(", ")
                    .bind(c.intake.clone())
                    .push(", ")
                    .bind(c.doc.clone())
                    .push(", ")
                    .bind(c.channel.to_owned())
                    .push(", ")
                    .bind((c.channel == "assisted").then(|| "demo.helper".to_owned()))
                    .push(", 'person', ")
                    .bind(c.applicant.clone())
                    .push(", ")
                    .bind(c.applicant_name.clone())
                    .push(", '0534-0000000', ")
                    .bind(serde_json::to_string(&c.materials).expect("strings serialise"))
                    .push(", ")
                    .bind(c.state.to_owned())
                    .push(", ")
                    .bind(c.submitted.to_string())
                    .push(", ")
                    .bind(c.statutory)
                    .push(", ")
                    .bind(c.promised)
                    .push(", ")
                    .bind(date(c.statutory_due))
                    .push(", ")
                    .bind(date(c.promised_due))
                    .push(", ")
                    .bind(date(c.concluded))
                    .push(", ")
                    .bind_f64(c.km_office)
                    .push(", ")
                    .bind_f64(c.km_hall)
                    .push(", ")
                    .bind(i64::from(c.commitment))
                    .push(", ")
                    .bind(c.rating.map(|r| r.0))
                    .push(", ")
                    .bind(c.rating.map(|r| r.1.to_string()))
                    .push(", ")
                    .bind(date(c.handed_over))
                    .push(", ")
                    .bind(date(c.returned))
                    .push(", ")
                    .bind(date(c.limits.answer_by))
                    .push(", ")
                    .bind(date(c.limits.accepted))
                    .push(", ")
                    .bind(date(c.limits.decided))
                    .push(", ")
                    .bind(c.limits.statutory.map(i64::from))
                    .push(", ")
                    .bind(c.limits.promised.map(i64::from))
                    .push(", ")
                    .bind(at.to_owned())
                    .push(", ")
                    .bind(at.to_owned())
                    .push(")");
            }
            sql.bulk(tx).execute(&mut *tx).await?;
        }
        for part in self.events.chunks(rows_per_insert(10)) {
            let mut sql = Sql::new(
                "INSERT INTO case_events (case_id, action, from_state, to_state, actor, office_code, on_day, reason, missing, created_at) VALUES ",
            );
            for (i, (case, e)) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                let actor = if e.action == "supply" || e.action == "withdraw" {
                    "applicant"
                } else {
                    "demo"
                };
                sql.push("(")
                    .bind(*case)
                    .push(", ")
                    .bind(e.action.to_owned())
                    .push(", ")
                    .bind(e.from.map(str::to_owned))
                    .push(", ")
                    .bind(e.to.to_owned())
                    .push(", ")
                    .bind(actor.to_owned())
                    .push(", ")
                    .bind(e.office.clone())
                    .push(", ")
                    .bind(e.on.to_string())
                    .push(", ")
                    .bind(e.reason.to_owned())
                    .push(", ")
                    .bind(serde_json::to_string(&e.missing).expect("strings serialise"))
                    .push(", ")
                    .bind(at.to_owned())
                    .push(")");
            }
            sql.bulk(tx).execute(&mut *tx).await?;
        }
        for part in self.cases.chunks(1_000) {
            let paused: Vec<(i64, &(NaiveDate, Option<NaiveDate>))> = part
                .iter()
                .flat_map(|c| c.pauses.iter().map(move |p| (c.id, p)))
                .collect();
            if paused.is_empty() {
                continue;
            }
            let mut sql =
                Sql::new("INSERT INTO case_pauses (case_id, reason, from_day, until_day) VALUES ");
            for (i, (case, (from, until))) in paused.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(*case)
                    .push(", 'supplement', ")
                    .bind(from.to_string())
                    .push(", ")
                    .bind(until.map(|d| d.to_string()))
                    .push(")");
            }
            sql.bulk(tx).execute(&mut *tx).await?;
        }
        // A commitment that proved false flags its applicant.
        for c in self.cases.iter().filter(|c| c.state == "revoked") {
            let on = c.concluded.unwrap_or(c.submitted);
            sqlx::query("INSERT INTO credit_flags (applicant_id, reason, case_id, flagged_on) VALUES ($1, $2, $3, $4)")
                .bind(c.applicant.clone())
                .bind(format!("{} 告知承诺不实", c.tracking_no))
                .bind(c.id)
                .bind(on.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for part in self.tasks.chunks(rows_per_insert(9)) {
            let mut sql = Sql::new(
                "INSERT INTO case_tasks (case_id, kind, office_code, method, due, done_on, outcome, note, created_at) VALUES ",
            );
            for (i, (case, t)) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(*case)
                    .push(", ")
                    .bind(t.kind.to_owned())
                    .push(", ")
                    .bind(t.office.clone())
                    .push(", ")
                    .bind(t.method.map(str::to_owned))
                    .push(", ")
                    .bind(t.due.to_string())
                    .push(", ")
                    .bind(t.done.map(|d| d.0.to_string()))
                    .push(", ")
                    .bind(t.done.map(|d| d.1.to_owned()))
                    .push(", '', ")
                    .bind(at.to_owned())
                    .push(")");
            }
            sql.bulk(tx).execute(&mut *tx).await?;
        }
        Ok(())
    }
}
