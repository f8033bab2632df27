//! The demo catalog, built on the real geography: every county's list from the real published
//! list in data/sample_service_items.csv, the approval bureau's items handed down to the branches
//! in three batches, convenience services entrusted to every town centre, and the enforcement
//! pilot (6 categories, 106 powers) empowered to the towns of 德城区 and 乐陵市.
//!
//! What the published list leaves out (materials, promised limits, online depth, 告知承诺, 通办),
//! the document numbers and the pilot's power names are invented, and labelled 示意 where they
//! show; the legal basis and the licence a grant issues, which it leaves out too, are matched to
//! real laws by the item's name. Every choice is derived from codes through a fixed hash, so the demo is the same on
//! every run. Each county is loaded once: a meta key per county makes a second run add nothing.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{Actor, Scope};
use tongquan_domain::catalog::MaterialForm::{
    Copy as CopyOf, Electronic, Original, OriginalAndCopy,
};
use tongquan_domain::catalog::Requirement::{Conditional, Required};
use tongquan_domain::catalog::{
    DelegationEventKind, DelegationKind, ItemContent, ItemType, Material, MaterialForm,
    OnlineDepth, RawItem, Recipient, Requirement, ServiceKind, Validity,
};
use tongquan_domain::codes::{BaseCode, CountyCode, DepartmentCode, ImplCode};
use tongquan_domain::org::{DepartmentKind, OfficeKind};

use crate::catalog::ImportRecord;
use crate::delegations::NewBatch;
use crate::offices::OfficeFilter;
use crate::{PageRequest, Result, Store, StoreError};

/// Bumped when what the demo catalog holds changes.
const CATALOG_VERSION: &str = "demo-catalog-v1";
const ACTOR: Actor = Actor::System("demo");
const SAMPLE: &[u8] = include_bytes!("../../../../data/sample_service_items.csv");
/// The area code (区划代码) of the county that published the sample list.
const SAMPLE_AREA: &str = "511602000000";
const SAMPLE_SOURCE: &str = "data/sample_service_items.csv（材料、承诺时限、办理深度、告知承诺、通办为示意补充，设定依据和证照按事项名称匹配法律法规补充 / materials, promised limits, online depth and flags are illustrative; legal bases and licences are matched to the laws by the item's name）";
/// The counties of the enforcement pilot.
pub const PILOT_COUNTIES: [&str; 2] = ["371402", "371481"];
const ILLUSTRATIVE: &str = "（示意）";
const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

/// What a run added, for the demo command to print. A county loaded before adds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DemoCatalog {
    pub counties: usize,
    /// Items of the published list, in force from 2022-01-01.
    pub items: usize,
    /// Enforcement powers of the pilot, in force from 2023-01-01.
    pub pilot_powers: usize,
    pub batches: usize,
    /// Approval items handed to branches, one per item and branch.
    pub to_branches: usize,
    /// Convenience services entrusted to town centres, one per item and centre.
    pub to_centres: usize,
    /// Enforcement powers empowered to towns, one per power and town.
    pub to_towns: usize,
    pub suspended: usize,
    pub resumed: usize,
    pub revoked: usize,
}

impl DemoCatalog {
    fn add(&mut self, o: &Self) {
        self.counties += o.counties;
        self.items += o.items;
        self.pilot_powers += o.pilot_powers;
        self.batches += o.batches;
        self.to_branches += o.to_branches;
        self.to_centres += o.to_centres;
        self.to_towns += o.to_towns;
        self.suspended += o.suspended;
        self.resumed += o.resumed;
        self.revoked += o.revoked;
    }
}

impl fmt::Display for DemoCatalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} 个县 counties: 事项 items {}, 执法事项 enforcement powers {}, 批次 batches {}, \
             交分局 to branches {}, 交便民服务中心 to centres {}, 赋权乡镇 to towns {}, \
             暂停 suspended {}, 恢复 resumed {}, 撤销 revoked {}",
            self.counties,
            self.items,
            self.pilot_powers,
            self.batches,
            self.to_branches,
            self.to_centres,
            self.to_towns,
            self.suspended,
            self.resumed,
            self.revoked
        )
    }
}

/// Loads the demo catalog of every county. `progress` gets (phase, done, total).
pub async fn load_demo_catalog(
    store: &Store,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<DemoCatalog> {
    let counties: Vec<CountyCode> = store
        .counties(ALL)
        .await?
        .items
        .into_iter()
        .map(|c| c.code)
        .collect();
    load_demo_catalog_for(store, &counties, progress).await
}

/// Loads the demo catalog of the given counties, skipping those already loaded.
pub async fn load_demo_catalog_for(
    store: &Store,
    counties: &[CountyCode],
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<DemoCatalog> {
    let mut total = DemoCatalog::default();
    for county in counties {
        if !loaded(store, county).await? {
            total.add(&load_county(store, county, progress).await?);
        }
    }
    Ok(total)
}

fn meta_key(county: &CountyCode) -> String {
    format!("demo_catalog:{county}")
}

async fn loaded(store: &Store, county: &CountyCode) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = $1")
        .bind(meta_key(county))
        .fetch_optional(store.pool())
        .await?;
    Ok(row.is_some_and(|(v,)| v == CATALOG_VERSION))
}

/// One county's catalog and delegations. Every step is idempotent on its own, so a run cut short
/// is finished by the next one; the meta key is written last.
async fn load_county(
    store: &Store,
    county: &CountyCode,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<DemoCatalog> {
    let name = store.county(county).await?.name;
    let mut done = DemoCatalog {
        counties: 1,
        ..DemoCatalog::default()
    };
    let pilot = PILOT_COUNTIES.contains(&county.as_str());
    let powers = if pilot {
        pilot_records(county)?
    } else {
        Vec::new()
    };
    if pilot {
        let phase = format!("{name} 执法事项 enforcement powers");
        done.pilot_powers = store
            .import_items(
                &ACTOR,
                county,
                &powers,
                date(2023, 1, 1),
                "县镇同权执法赋权试点（示意）/ enforcement pilot (illustrative)",
                &|n| progress(&phase, n, powers.len()),
            )
            .await?
            .created;
    }
    let records = county_records(county)?;
    let phase = format!("{name} 事项 items");
    done.items = store
        .import_items(
            &ACTOR,
            county,
            &records,
            date(2022, 1, 1),
            SAMPLE_SOURCE,
            &|n| progress(&phase, n, records.len()),
        )
        .await?
        .created;

    let ids: HashMap<String, i64> =
        sqlx::query_as("SELECT impl_code, id FROM items WHERE county_code = $1")
            .bind(county.to_string())
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .collect();
    let offices = |kind| async move {
        let page = store
            .offices(
                &OfficeFilter {
                    county: Some(county.clone()),
                    kind: Some(kind),
                },
                ALL,
            )
            .await?;
        Ok::<_, StoreError>(
            page.items
                .into_iter()
                .map(|o| Recipient::Office(o.code))
                .collect::<Vec<_>>(),
        )
    };
    let branches = offices(OfficeKind::Branch).await?;
    let centres = offices(OfficeKind::Centre).await?;
    let towns: Vec<Recipient> = store
        .all_towns(Some(county))
        .await?
        .into_iter()
        .map(|t| Recipient::Town(t.code))
        .collect();

    let docs: Vec<&Doc> = DOCS
        .iter()
        .filter(|d| match d.hands {
            Hands::Approval(_) => !branches.is_empty(),
            Hands::Convenience => true,
            Hands::Pilot => pilot,
        })
        .collect();
    let phase = format!("{name} 赋权 delegations");
    let mut numbers = DocNumbers::new(county, &name);
    let mut approval_batches = Vec::new();
    for (n, doc) in docs.iter().enumerate() {
        progress(&phase, n, docs.len());
        let (handed, recipients): (Vec<&ImportRecord>, &[Recipient]) = match doc.hands {
            Hands::Approval(group) => (
                records
                    .iter()
                    .filter(|r| approval_group(&r.content) == Some(group))
                    .collect(),
                &branches,
            ),
            Hands::Convenience => (
                records
                    .iter()
                    .filter(|r| r.content.service == ServiceKind::Convenience)
                    .collect(),
                &centres,
            ),
            Hands::Pilot => (powers.iter().collect(), &towns),
        };
        let mut items: Vec<i64> = handed.iter().map(|r| ids[r.impl_code.as_str()]).collect();
        items.sort_unstable();
        let (batch_id, created) = batch(store, doc.batch(county, numbers.next(doc))).await?;
        done.batches += usize::from(created);
        let added = store
            .delegate(
                &ACTOR,
                batch_id,
                &items,
                recipients,
                Validity {
                    from: date(doc.from.0, doc.from.1, doc.from.2),
                    to: None,
                },
            )
            .await?;
        match doc.hands {
            Hands::Approval(_) => {
                done.to_branches += added;
                approval_batches.push(batch_id);
            }
            Hands::Convenience => done.to_centres += added,
            Hands::Pilot => done.to_towns += added,
        }
    }
    progress(&phase, docs.len(), docs.len());
    if let [first, second, ..] = approval_batches[..] {
        record_changes(store, county, first, second, branches.len(), &mut done).await?;
    }

    let mut w = store.write(&ACTOR).await?;
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(meta_key(county))
    .bind(CATALOG_VERSION)
    .execute(w.conn())
    .await?;
    w.audit(
        "seed.catalog",
        "catalog",
        county.as_str(),
        &Scope {
            county: Some(county.clone()),
            ..Scope::default()
        },
        json!(done),
    );
    w.commit().await?;
    Ok(done)
}

/// Creates a batch, or finds the one a cut-short run created. Returns its id and whether it is new.
async fn batch(store: &Store, b: NewBatch) -> Result<(i64, bool)> {
    let (county, doc) = (b.county.to_string(), b.doc_number.clone());
    match store.create_batch(&ACTOR, b).await {
        Ok(batch) => Ok((batch.id, true)),
        Err(StoreError::Taken { .. }) => {
            let (id,): (i64,) =
                sqlx::query_as("SELECT id FROM batches WHERE county_code = $1 AND doc_number = $2")
                    .bind(county)
                    .bind(doc)
                    .fetch_one(store.pool())
                    .await?;
            Ok((id, false))
        }
        Err(e) => Err(e),
    }
}

/// A few realistic changes, each a record of its own: one delegation of the first batch suspended
/// while a branch was short of staff and later resumed; and, where a county has several branches,
/// one delegation of the second batch revoked for lack of demand.
async fn record_changes(
    store: &Store,
    county: &CountyCode,
    first: i64,
    second: i64,
    branches: usize,
    done: &mut DemoCatalog,
) -> Result<()> {
    let on = date(2024, 1, 1);
    let pick = |all: Vec<crate::delegations::Delegation>, what: &str| {
        let i = hash(&[county.as_str(), what]) as usize % all.len();
        all.into_iter().nth(i).expect("a delegation")
    };
    // A run cut short between the two changes records only the missing one.
    let d = pick(store.batch_delegations(first, on).await?, "suspend");
    if d.changes.is_empty() {
        store
            .record_change(
                &ACTOR,
                d.id,
                DelegationEventKind::Suspend,
                date(2023, 3, 1),
                "分局窗口人员调整，暂由县政务服务中心受理",
                on,
            )
            .await?;
        done.suspended += 1;
    }
    if d.changes.len() < 2 {
        store
            .record_change(
                &ACTOR,
                d.id,
                DelegationEventKind::Resume,
                date(2023, 5, 15),
                "人员到岗并完成业务培训，恢复分局受理",
                on,
            )
            .await?;
        done.resumed += 1;
    }
    if branches > 1 {
        let d = pick(store.batch_delegations(second, on).await?, "revoke");
        if d.changes.is_empty() {
            store
                .record_change(
                    &ACTOR,
                    d.id,
                    DelegationEventKind::Revoke,
                    date(2023, 9, 1),
                    "分局服务范围内一年无此类办件，收回县政务服务中心集中办理",
                    on,
                )
                .await?;
            done.revoked += 1;
        }
    }
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// FNV-1a over the parts: a hash that, unlike std's, is the same on every run and machine.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A fixed percentile roll for one decision about one item.
fn roll(key: &str, what: &str) -> u64 {
    hash(&[key, what]) % 100
}

/// What a document hands down.
#[derive(Clone, Copy)]
enum Hands {
    /// One group of the approval bureau's approval items, to every branch of the county.
    Approval(u8),
    /// Every convenience service, to every town centre.
    Convenience,
    /// The pilot's enforcement powers, to every town.
    Pilot,
}

/// A county document that hands items down; dates are (year, month, day).
struct Doc {
    date: (i32, u32, u32),
    from: (i32, u32, u32),
    kind: DelegationKind,
    issuer: DepartmentKind,
    title: &'static str,
    legal_basis: &'static str,
    hands: Hands,
}

const REFORM_BASIS: &str = "县镇同权改革实施方案（示意）";

/// The documents of a county in date order; counties without branches issue no approval batches.
const DOCS: [Doc; 5] = [
    Doc {
        date: (2022, 3, 15),
        from: (2022, 4, 1),
        kind: DelegationKind::Devolve,
        issuer: DepartmentKind::ApprovalBureau,
        title: "关于向行政审批服务分局下放第一批行政审批事项（市场准入类）的通知（示意）",
        legal_basis: REFORM_BASIS,
        hands: Hands::Approval(0),
    },
    Doc {
        date: (2022, 5, 20),
        from: (2022, 6, 1),
        kind: DelegationKind::Entrust,
        issuer: DepartmentKind::ApprovalBureau,
        title: "关于在镇（街道）便民服务中心办理便民服务事项的通知（示意）",
        legal_basis: REFORM_BASIS,
        hands: Hands::Convenience,
    },
    Doc {
        date: (2022, 8, 18),
        from: (2022, 9, 1),
        kind: DelegationKind::Devolve,
        issuer: DepartmentKind::ApprovalBureau,
        title: "关于向行政审批服务分局下放第二批行政许可事项的通知（示意）",
        legal_basis: REFORM_BASIS,
        hands: Hands::Approval(1),
    },
    Doc {
        date: (2022, 12, 26),
        from: (2023, 1, 1),
        kind: DelegationKind::Empower,
        issuer: DepartmentKind::GovernmentOffice,
        title: "关于赋予镇（街道）部分县级行政执法权限的决定（示意）",
        legal_basis: "《中华人民共和国行政处罚法》第二十四条；县镇同权改革实施方案（示意）",
        hands: Hands::Pilot,
    },
    Doc {
        date: (2023, 2, 20),
        from: (2023, 3, 1),
        kind: DelegationKind::Entrust,
        issuer: DepartmentKind::ApprovalBureau,
        title: "关于委托行政审批服务分局办理第三批审批事项的通知（示意）",
        legal_basis: REFORM_BASIS,
        hands: Hands::Approval(2),
    },
];

impl Doc {
    fn batch(&self, county: &CountyCode, doc_number: String) -> NewBatch {
        NewBatch {
            county: county.clone(),
            doc_number,
            doc_date: date(self.date.0, self.date.1, self.date.2),
            title: self.title.to_owned(),
            kind: self.kind,
            department: DepartmentCode::new(county, self.issuer),
            legal_basis: self.legal_basis.to_owned(),
            open_cases: tongquan_domain::catalog::OpenCases::Stay,
        }
    }
}

/// Document numbers such as 乐政发〔2022〕15号: per county and year, rising with the date.
struct DocNumbers {
    county: CountyCode,
    prefix: String,
    last: HashMap<i32, u64>,
}

impl DocNumbers {
    fn new(county: &CountyCode, name: &str) -> Self {
        // The usual short forms of the county governments' documents.
        let short = match county.as_str() {
            "371402" => Some("德城政发"),
            "371403" => Some("陵城政发"),
            "371422" => Some("宁政发"),
            "371423" => Some("庆政发"),
            "371424" => Some("临政发"),
            "371425" => Some("齐政发"),
            "371426" => Some("平政发"),
            "371427" => Some("夏政发"),
            "371428" => Some("武政发"),
            "371471" => Some("天衢管发"),
            "371481" => Some("乐政发"),
            "371482" => Some("禹政发"),
            _ => None,
        };
        Self {
            county: county.clone(),
            prefix: short.map_or_else(|| format!("{name}政发"), str::to_owned),
            last: HashMap::new(),
        }
    }

    fn next(&mut self, doc: &Doc) -> String {
        let year = doc.date.0;
        let step = 1 + hash(&[self.county.as_str(), doc.title]) % 9;
        let n = self.last.entry(year).or_insert(0);
        *n += step;
        format!("{}〔{year}〕{n}号", self.prefix)
    }
}

/// Which approval batch an approval-bureau item goes down in: market entry (registrations, food
/// and drugs) first, other licences second, confirmations and other powers third. `None` for
/// items that stay with the county: other bodies' items, convenience services, enforcement.
fn approval_group(c: &ItemContent) -> Option<u8> {
    if c.department.kind() != DepartmentKind::ApprovalBureau
        || c.service != ServiceKind::Approval
        || c.item_type.is_enforcement()
    {
        return None;
    }
    let text = format!("{}{}", c.name, c.main_item);
    Some(
        if ["登记", "食品", "药品"].iter().any(|w| text.contains(w)) {
            0
        } else if c.item_type == ItemType::Licensing {
            1
        } else {
            2
        },
    )
}

/// The published list for a county: its codes carry the county's area code, and each item is
/// enriched where the list is silent.
fn county_records(county: &CountyCode) -> Result<Vec<ImportRecord>> {
    let parsed = crate::import::read_items(SAMPLE, county)
        .map_err(|p| StoreError::Config(format!("the shipped sample list does not read: {p:?}")))?;
    let area = format!("{county}000000");
    parsed
        .records
        .into_iter()
        .map(|mut r| {
            r.impl_code = ImplCode::parse("impl_code", &local_code(&r, &area))?;
            r.content = enrich(county, &r.base_code, r.content)?;
            Ok(r)
        })
        .collect()
}

/// The county's own implementation code: the base code, the county's area code, then the rest of
/// the published code. The published codes carry the sample county's area code right after the
/// base code, except four that carry none (or the province's); those gain the county's too.
fn local_code(r: &ImportRecord, area: &str) -> String {
    let base = r.base_code.as_str();
    let published = r.impl_code.as_str();
    let rest = published.strip_prefix(base).unwrap_or(published);
    let rest = rest
        .strip_prefix(&format!("-{SAMPLE_AREA}"))
        .unwrap_or(rest);
    format!("{base}-{area}{rest}")
}

/// Fills in, the same way every run, what the published list leaves out. The statutory limits
/// stay as the import explained them (licensing: 20 working days by law; others unrecorded).
fn enrich(county: &CountyCode, base: &BaseCode, mut c: ItemContent) -> Result<ItemContent> {
    let key = format!("{county}/{base}/{}", c.name);
    let roll = |what| roll(&key, what);
    let convenience = c.service == ServiceKind::Convenience;
    c.promised_days = match c.statutory_days {
        Some(s) if roll("promised") < 70 => {
            let shorter: Vec<u16> = [1, 3, 5, 7, 10, 15]
                .into_iter()
                .filter(|&d| d <= s)
                .collect();
            Some(shorter[roll("days") as usize % shorter.len()])
        }
        // Convenience services often promise an answer within days though no law sets a limit.
        None if convenience && roll("promised") < 50 => Some([1, 3, 5][roll("days") as usize % 3]),
        _ => None,
    };
    let (full, precheck) = if convenience { (45, 85) } else { (20, 75) };
    (c.online_depth, c.max_visits) = match roll("online") {
        r if r < full => (OnlineDepth::FullOnline, 0),
        r if r < precheck => (OnlineDepth::OnlinePrecheck, u8::from(roll("visits") >= 40)),
        _ => (OnlineDepth::OnSite, 1),
    };
    c.commitment_allowed =
        c.item_type == ItemType::Licensing && !c.name.contains("注销") && roll("commitment") < 30;
    c.tongban_allowed = roll("tongban") < if convenience { 85 } else { 15 };
    c.materials = materials(&c, roll("agent") < 60);
    legal_basis(&mut c);
    Ok(c.check()?)
}

/// The published list records no legal basis, and a licensing decision must cite one: the law
/// that sets an item is found from the words of its name (first rule that matches), and every
/// licensing item is implemented under the Administrative Licensing Law. Where the rule names the
/// certificate a grant issues, the item issues it (not on a cancellation or a filing), with its
/// statutory term where the law fixes one.
fn legal_basis(c: &mut ItemContent) {
    let text = format!("{}{}", c.name, c.main_item);
    if let Some((_, law, licence, years)) = LEGAL_BASIS
        .iter()
        .find(|(words, ..)| words.iter().any(|w| text.contains(w)))
    {
        c.legal_basis_setting = (*law).to_owned();
        if c.item_type == ItemType::Licensing
            && !licence.is_empty()
            && !["注销", "备案"].iter().any(|w| c.name.contains(w))
        {
            c.licence = (*licence).to_owned();
            c.licence_years = *years;
        }
    }
    if c.item_type == ItemType::Licensing {
        c.legal_basis_implementing = "《中华人民共和国行政许可法》".into();
    }
}

/// (words in an item's name, the law that sets such items, the certificate a grant issues, its
/// term in years). Specific words come before broad ones (企业, 运输, 教育).
type BasisRule = (
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<u16>,
);
const LEGAL_BASIS: &[BasisRule] = &[
    (&["教师资格"], "《教师资格条例》", "教师资格证书", None),
    (
        &["公章刻制", "特种行业"],
        "《印铸刻字业暂行管理规则》",
        "特种行业许可证",
        None,
    ),
    (&["护照"], "《中华人民共和国护照法》", "", None),
    (&["易制毒"], "《易制毒化学品管理条例》", "", None),
    (&["剧毒"], "《危险化学品安全管理条例》", "", None),
    (&["检疫"], "《中华人民共和国动物防疫法》", "", None),
    (
        &["矿山", "安全设施", "尾矿库"],
        "《中华人民共和国安全生产法》",
        "",
        None,
    ),
    (
        &["历史文化", "历史建筑"],
        "《历史文化名城名镇名村保护条例》",
        "",
        None,
    ),
    (&["桥梁", "市政"], "《城市道路管理条例》", "", None),
    (&["墓地"], "《殡葬管理条例》", "", None),
    (&["发票"], "《中华人民共和国发票管理办法》", "", None),
    (&["草原"], "《中华人民共和国草原法》", "", None),
    (&["治沙"], "《中华人民共和国防沙治沙法》", "", None),
    (&["电影"], "《电影管理条例》", "", None),
    (&["校车"], "《校车安全管理条例》", "校车标牌", None),
    (&["大坝"], "《水库大坝安全管理条例》", "", None),
    (&["慈善"], "《中华人民共和国慈善法》", "", None),
    (
        &["蚕种", "种畜禽", "家畜", "家禽"],
        "《中华人民共和国畜牧法》",
        "种畜禽生产经营许可证",
        None,
    ),
    (&["健身气功"], "《健身气功管理办法》", "", None),
    (
        &["乡村医生"],
        "《乡村医生从业管理条例》",
        "乡村医生执业证书",
        None,
    ),
    (&["不动产"], "《不动产登记暂行条例》", "不动产权证书", None),
    (&["提灌站", "机电"], "《中华人民共和国水法》", "", None),
    (&["增殖放流", "鱼类"], "《中华人民共和国渔业法》", "", None),
    (
        &["荒山", "荒地", "荒滩"],
        "《中华人民共和国土地管理法》",
        "",
        None,
    ),
    (
        &["通航"],
        "《中华人民共和国内河交通安全管理条例》",
        "",
        None,
    ),
    (&["临时性建筑", "占道"], "《城市道路管理条例》", "", None),
    (
        &["食品"],
        "《中华人民共和国食品安全法》第三十五条",
        "食品经营许可证",
        Some(5),
    ),
    (
        &["药品", "医疗器械"],
        "《中华人民共和国药品管理法》",
        "药品经营许可证",
        Some(5),
    ),
    (&["兽药"], "《兽药管理条例》", "兽药经营许可证", Some(5)),
    (
        &["种子", "种苗", "菌种"],
        "《中华人民共和国种子法》",
        "种子生产经营许可证",
        Some(5),
    ),
    (&["农药"], "《农药管理条例》", "", None),
    (&["饲料"], "《饲料和饲料添加剂管理条例》", "", None),
    (&["生鲜乳"], "《乳品质量安全监督管理条例》", "", None),
    (
        &["动物防疫", "动物诊疗", "屠宰"],
        "《中华人民共和国动物防疫法》",
        "",
        None,
    ),
    (&["水产苗种", "养殖"], "《中华人民共和国渔业法》", "", None),
    (
        &["渔业", "捕捞", "渔船"],
        "《中华人民共和国渔业法》",
        "",
        None,
    ),
    (&["野生动物"], "《中华人民共和国野生动物保护法》", "", None),
    (
        &["野生植物"],
        "《中华人民共和国野生植物保护条例》",
        "",
        None,
    ),
    (
        &["林木", "采伐", "林地", "林草", "森林", "木材"],
        "《中华人民共和国森林法》",
        "",
        None,
    ),
    (
        &["拖拉机", "联合收割机", "农业机械"],
        "《农业机械安全监督管理条例》",
        "",
        None,
    ),
    (
        &["网络预约出租汽车", "出租汽车", "巡游"],
        "《网络预约出租汽车经营服务管理暂行办法》",
        "",
        None,
    ),
    (
        &[
            "道路运输",
            "客运",
            "货运",
            "货物运输",
            "旅客运输",
            "运输证",
            "机动车维修",
            "驾驶员培训",
            "运输",
        ],
        "《中华人民共和国道路运输条例》",
        "",
        None,
    ),
    (
        &["公路", "非公路标志", "超限"],
        "《中华人民共和国公路法》",
        "",
        None,
    ),
    (&["娱乐"], "《娱乐场所管理条例》", "娱乐经营许可证", None),
    (
        &["互联网上网"],
        "《互联网上网服务营业场所管理条例》",
        "网络文化经营许可证",
        None,
    ),
    (
        &["演出"],
        "《营业性演出管理条例》",
        "营业性演出许可证",
        None,
    ),
    (&["印刷", "出版物", "音像"], "《印刷业管理条例》", "", None),
    (&["广播", "电视", "卫星"], "《广播电视管理条例》", "", None),
    (&["文物"], "《中华人民共和国文物保护法》", "", None),
    (&["旅行社"], "《旅行社条例》", "旅行社业务经营许可证", None),
    (
        &["体育", "滑雪", "游泳", "潜水", "攀岩"],
        "《全民健身条例》",
        "",
        None,
    ),
    (&["护士"], "《护士条例》", "护士执业证书", Some(5)),
    (&["医师"], "《中华人民共和国医师法》", "医师执业证书", None),
    (
        &["母婴保健"],
        "《中华人民共和国母婴保健法》",
        "母婴保健技术服务执业许可证",
        Some(3),
    ),
    (&["放射"], "《放射诊疗管理规定》", "放射诊疗许可证", None),
    (
        &["医疗机构", "诊所", "门诊", "卫生院"],
        "《医疗机构管理条例》",
        "医疗机构执业许可证",
        None,
    ),
    (
        &["公共场所", "卫生许可"],
        "《公共场所卫生管理条例》",
        "公共场所卫生许可证",
        Some(4),
    ),
    (&["饮用水", "供水"], "《城市供水条例》", "", None),
    (
        &["劳务派遣"],
        "《中华人民共和国劳动合同法》第五十七条",
        "劳务派遣经营许可证",
        Some(3),
    ),
    (
        &["人力资源服务", "职业中介"],
        "《人力资源市场暂行条例》",
        "人力资源服务许可证",
        None,
    ),
    (
        &["职业技能", "培训"],
        "《中华人民共和国民办教育促进法》",
        "",
        None,
    ),
    (
        &["学校", "幼儿园", "教育", "学历"],
        "《中华人民共和国教育法》",
        "办学许可证",
        None,
    ),
    (&["入学", "休学"], "《中华人民共和国义务教育法》", "", None),
    (&["公证"], "《中华人民共和国公证法》", "", None),
    (&["律师"], "《中华人民共和国律师法》", "", None),
    (
        &["基层法律服务"],
        "《基层法律服务工作者管理办法》",
        "",
        None,
    ),
    (&["宗教"], "《宗教事务条例》", "", None),
    (&["社会团体"], "《社会团体登记管理条例》", "", None),
    (
        &["民办非企业", "社会服务机构"],
        "《民办非企业单位登记管理暂行条例》",
        "",
        None,
    ),
    (&["基金会"], "《基金会管理条例》", "", None),
    (
        &["养老机构"],
        "《中华人民共和国老年人权益保障法》",
        "",
        None,
    ),
    (&["殡葬", "公墓"], "《殡葬管理条例》", "", None),
    (
        &["合作社"],
        "《中华人民共和国农民专业合作社法》",
        "营业执照",
        None,
    ),
    (
        &["企业", "公司", "个体工商户", "合伙", "分支机构", "营业执照"],
        "《中华人民共和国市场主体登记管理条例》",
        "营业执照",
        None,
    ),
    (&["计量"], "《中华人民共和国计量法》", "", None),
    (
        &["特种设备", "锅炉", "电梯", "压力容器"],
        "《中华人民共和国特种设备安全法》",
        "",
        None,
    ),
    (
        &["危险化学品"],
        "《危险化学品安全管理条例》",
        "危险化学品经营许可证",
        Some(3),
    ),
    (
        &["烟花爆竹"],
        "《烟花爆竹安全管理条例》",
        "烟花爆竹经营（零售）许可证",
        None,
    ),
    (
        &["烟草"],
        "《中华人民共和国烟草专卖法》",
        "烟草专卖零售许可证",
        None,
    ),
    (
        &["民用爆炸", "爆破"],
        "《民用爆炸物品安全管理条例》",
        "",
        None,
    ),
    (&["消防"], "《中华人民共和国消防法》", "", None),
    (
        &["户口", "户籍", "迁移"],
        "《中华人民共和国户口登记条例》",
        "",
        None,
    ),
    (&["枪支", "弹药"], "《中华人民共和国枪支管理法》", "", None),
    (&["保安"], "《保安服务管理条例》", "", None),
    (&["旅馆"], "《旅馆业治安管理办法》", "特种行业许可证", None),
    (
        &["集会", "游行", "大型群众性活动", "焰火"],
        "《大型群众性活动安全管理条例》",
        "",
        None,
    ),
    (
        &["取水"],
        "《取水许可和水资源费征收管理条例》",
        "取水许可证",
        Some(5),
    ),
    (&["水土保持"], "《中华人民共和国水土保持法》", "", None),
    (
        &["河道", "水利", "洪", "堤防", "水库", "水工程"],
        "《中华人民共和国水法》",
        "",
        None,
    ),
    (&["排水", "污水"], "《城镇排水与污水处理条例》", "", None),
    (&["燃气"], "《城镇燃气管理条例》", "燃气经营许可证", None),
    (
        &["垃圾", "市容", "环境卫生", "户外广告"],
        "《城市市容和环境卫生管理条例》",
        "",
        None,
    ),
    (
        &["城市道路", "挖掘", "占用"],
        "《城市道路管理条例》",
        "",
        None,
    ),
    (&["绿地", "树木", "绿化"], "《城市绿化条例》", "", None),
    (
        &["施工许可", "建筑工程施工"],
        "《中华人民共和国建筑法》第七条",
        "建筑工程施工许可证",
        None,
    ),
    (
        &["规划", "建设工程", "建设项目选址", "乡村建设"],
        "《中华人民共和国城乡规划法》",
        "",
        None,
    ),
    (
        &["土地", "用地", "建设用地", "宅基地"],
        "《中华人民共和国土地管理法》",
        "",
        None,
    ),
    (
        &["采矿", "探矿", "矿产", "矿业"],
        "《中华人民共和国矿产资源法》",
        "",
        None,
    ),
    (&["测绘"], "《中华人民共和国测绘法》", "", None),
    (
        &["房地产", "商品房", "预售"],
        "《城市房地产开发经营管理条例》",
        "",
        None,
    ),
    (&["物业"], "《物业管理条例》", "", None),
    (&["人防", "防空"], "《中华人民共和国人民防空法》", "", None),
    (
        &["环境影响", "环评"],
        "《中华人民共和国环境影响评价法》",
        "",
        None,
    ),
    (&["排污"], "《排污许可管理条例》", "排污许可证", Some(5)),
    (
        &["辐射", "放射性"],
        "《放射性同位素与射线装置安全和防护条例》",
        "辐射安全许可证",
        Some(5),
    ),
    (
        &["危险废物"],
        "《中华人民共和国固体废物污染环境防治法》",
        "危险废物经营许可证",
        None,
    ),
    (&["雷电", "气象", "气球"], "《气象灾害防御条例》", "", None),
    (&["节能"], "《中华人民共和国节约能源法》", "", None),
    (
        &["投资项目", "核准"],
        "《企业投资项目核准和备案管理条例》",
        "",
        None,
    ),
    (
        &["代理记账"],
        "《代理记账管理办法》",
        "代理记账许可证书",
        None,
    ),
    (&["粮食"], "《粮食流通管理条例》", "", None),
    (&["电力", "供电"], "《电力供应与使用条例》", "", None),
    (
        &["船", "水路", "港口", "航道"],
        "《中华人民共和国内河交通安全管理条例》",
        "",
        None,
    ),
    (
        &["安全生产", "安全评价"],
        "《中华人民共和国安全生产法》",
        "",
        None,
    ),
    (&["地名"], "《地名管理条例》", "", None),
    (&["档案"], "《中华人民共和国档案法》", "", None),
    (&["结婚", "婚姻"], "《婚姻登记条例》", "", None),
];

/// (words in an item's name, the material such an item plausibly asks for), in the order a guide
/// lists them.
const MATERIAL_RULES: &[(&[&str], &str, Requirement, MaterialForm)] = &[
    (
        &["设立", "开办", "场所", "经营"],
        "场所使用证明（产权证明或租赁合同）",
        Required,
        CopyOf,
    ),
    (
        &["食品"],
        "食品安全管理制度及从业人员健康证明",
        Required,
        CopyOf,
    ),
    (
        &["药品", "医疗", "诊所", "卫生", "母婴"],
        "执业人员资格证书",
        Required,
        CopyOf,
    ),
    (
        &["建设", "工程", "施工", "规划"],
        "建设工程设计方案或施工图",
        Required,
        Electronic,
    ),
    (
        &["运输", "车辆", "驾驶", "出租"],
        "车辆行驶证及从业人员资格证",
        Required,
        CopyOf,
    ),
    (
        &["许可", "资质", "资格", "执业"],
        "相关资质证明",
        Required,
        CopyOf,
    ),
    (&["变更"], "变更事项的证明材料", Required, CopyOf),
    (&["注销"], "原许可证件（正、副本）", Required, Original),
    (&["延续"], "原许可证件及有效期内情况说明", Required, CopyOf),
    (
        &["补办", "补发", "补证", "遗失"],
        "遗失或损毁情况说明",
        Required,
        Original,
    ),
    (&["户口", "户籍", "迁移"], "居民户口簿", Required, Original),
    (
        &["养老", "失业", "工伤", "医疗保险", "医保", "社会保险"],
        "社会保障卡",
        Required,
        Original,
    ),
    (&["残疾"], "残疾人证", Required, OriginalAndCopy),
];

/// Words that mark an item applied for by an organisation rather than a person.
const ORGANISATION_WORDS: &[&str] = &[
    "企业",
    "公司",
    "单位",
    "机构",
    "经营",
    "合作社",
    "个体",
    "法人",
    "社会组织",
    "项目",
    "学校",
    "医院",
];

/// Two to six materials: the form, proof of who applies, what the item's name calls for, and
/// for some items a power of attorney. Labelled illustrative in their note.
fn materials(c: &ItemContent, agent: bool) -> Vec<Material> {
    let text = format!("{}{}", c.name, c.main_item);
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    let identity = if has(ORGANISATION_WORDS) {
        ("营业执照或其他主体资格证明", Required, CopyOf)
    } else {
        ("申请人身份证明", Required, OriginalAndCopy)
    };
    let mut list = vec![("申请表", Required, Original), identity];
    list.extend(
        MATERIAL_RULES
            .iter()
            .filter(|(words, ..)| has(words))
            .map(|(_, name, req, form)| (*name, *req, *form))
            .take(3),
    );
    if agent {
        list.push(("授权委托书及受托人身份证明", Conditional, Original));
    }
    list.into_iter()
        .map(|(name, requirement, form)| Material {
            name: name.to_owned(),
            requirement: requirement.slug().to_owned(),
            form: form.slug().to_owned(),
            copies: 1,
            note: "示意材料，以部门公布的办事指南为准".to_owned(),
        })
        .collect()
}

/// An enforcement category of the pilot: who is competent, on what laws, and its powers.
struct Category {
    name: &'static str,
    department: DepartmentKind,
    laws: &'static str,
    /// "对…的行政处罚" powers, by what is punished.
    penalties: &'static [&'static str],
    coercions: &'static [&'static str],
    /// "对…的行政检查" powers, by what is inspected.
    inspections: &'static [&'static str],
}

/// Six categories of the reform, 28 + 20 + 16 + 14 + 14 + 14 = 106 powers.
const PILOT: [Category; 6] = [
    Category {
        name: "城乡建设",
        department: DepartmentKind::Enforcement,
        laws: "《中华人民共和国城乡规划法》《城市市容和环境卫生管理条例》《城市绿化条例》《城市道路管理条例》",
        penalties: &[
            "在城市道路两侧和公共场地堆放物料、搭建建筑物或者其他设施影响市容",
            "擅自在街道两侧和公共场地设置摊点",
            "未经批准擅自设置大型户外广告",
            "在建筑物、设施上涂写、刻画或者未经批准张挂、张贴宣传品",
            "随意倾倒、抛撒或者堆放建筑垃圾",
            "运输渣土车辆未密闭、沿途泄漏遗撒",
            "单位未按规定分类投放生活垃圾",
            "在城市绿地内擅自设置广告牌",
            "损毁城市绿化及其设施",
            "擅自砍伐城市树木",
            "擅自占用城市绿地",
            "未取得建设工程规划许可证进行建设",
            "未按照建设工程规划许可证的规定进行建设",
            "在乡、村庄规划区内未依法取得乡村建设规划许可证进行建设",
            "擅自占用、挖掘城市道路",
            "在城市道路上擅自设置障碍物",
            "饲养家畜家禽影响市容和环境卫生",
            "露天焚烧沥青、油毡、橡胶、塑料、皮革、垃圾",
            "施工工地未采取防尘措施造成扬尘污染",
            "户外广告设施破损未及时维修",
            "沿街店铺超出门窗外墙经营",
            "擅自拆除、迁移环境卫生设施",
        ],
        coercions: &[
            "查封违法建设施工现场",
            "强制拆除逾期未拆除的违法建设",
            "暂扣违法设置的户外广告设施和摊点物品",
        ],
        inspections: &[
            "城市市容和环境卫生",
            "乡村建设规划许可实施情况",
            "建筑工地扬尘防治措施落实情况",
        ],
    },
    Category {
        name: "市场监管",
        department: DepartmentKind::MarketRegulation,
        laws: "《中华人民共和国食品安全法》《无证无照经营查处办法》《中华人民共和国计量法》《中华人民共和国特种设备安全法》",
        penalties: &[
            "未取得营业执照擅自从事经营活动",
            "未将营业执照置于住所或者营业场所醒目位置",
            "食品经营者未按规定建立并遵守进货查验记录制度",
            "经营超过保质期的食品、食品添加剂",
            "未取得食品经营许可从事食品经营活动",
            "食品小作坊未取得登记证生产食品",
            "销售掺杂、掺假、以假充真商品",
            "使用未经检定或者检定不合格的计量器具",
            "经营者不明码标价或者在标价之外加价出售商品",
            "经营者作虚假或者引人误解的商业宣传",
            "经营者未按规定出具购货凭证或者服务单据",
            "药品零售企业未凭处方销售处方药",
            "特种设备使用单位未按规定办理使用登记",
            "特种设备未按规定进行定期检验",
            "销售不符合保障人体健康和人身、财产安全标准的产品",
        ],
        coercions: &[
            "查封、扣押不符合食品安全标准的食品",
            "查封、扣押与无照经营有关的物品",
        ],
        inspections: &["食品经营者日常经营", "计量器具使用情况", "特种设备使用单位"],
    },
    Category {
        name: "生态环境",
        department: DepartmentKind::Ecology,
        laws: "《中华人民共和国大气污染防治法》《中华人民共和国水污染防治法》《中华人民共和国环境影响评价法》《中华人民共和国固体废物污染环境防治法》",
        penalties: &[
            "在人口集中地区焚烧秸秆、落叶等产生烟尘污染的物质",
            "露天烧烤食品或者为露天烧烤食品提供场地",
            "餐饮服务业经营者未安装或者不正常使用油烟净化设施",
            "建设项目环境影响报告未经批准擅自开工建设",
            "未依法备案建设项目环境影响登记表",
            "在噪声敏感建筑物集中区域夜间进行产生噪声的建筑施工作业",
            "畜禽养殖场未建设污染防治配套设施擅自投入生产",
            "向水体排放油类、酸液、碱液",
            "在饮用水水源保护区内从事网箱养殖、游泳、垂钓",
            "未按规定贮存、利用、处置工业固体废物",
            "产生挥发性有机物废气的生产活动未在密闭空间或者设备中进行",
            "未采取措施防止排放恶臭气体",
        ],
        coercions: &[
            "查封、扣押违法排放污染物的设施、设备",
            "暂扣露天焚烧、露天烧烤的工具和物品",
        ],
        inspections: &["排污单位污染物排放情况", "畜禽养殖污染防治情况"],
    },
    Category {
        name: "安全生产",
        department: DepartmentKind::Emergency,
        laws: "《中华人民共和国安全生产法》《烟花爆竹安全管理条例》",
        penalties: &[
            "生产经营单位未按规定对从业人员进行安全生产教育和培训",
            "生产经营单位未建立事故隐患排查治理制度",
            "未如实记录安全生产教育和培训情况",
            "未在有较大危险因素的场所和设备上设置明显的安全警示标志",
            "安全设备的安装、使用、检测、维修不符合国家标准或者行业标准",
            "未为从业人员提供符合标准的劳动防护用品",
            "危险物品的车间、商店、仓库与员工宿舍在同一座建筑内",
            "未经许可经营烟花爆竹零售",
            "烟花爆竹零售经营者超量储存",
            "未制定生产安全事故应急救援预案或者未定期组织演练",
        ],
        coercions: &[
            "查封、扣押不符合安全生产标准的设施、设备、器材",
            "扣押非法经营的烟花爆竹",
        ],
        inspections: &["生产经营单位安全生产情况", "烟花爆竹零售经营场所"],
    },
    Category {
        name: "交通运输",
        department: DepartmentKind::Transport,
        laws: "《中华人民共和国公路法》《中华人民共和国道路运输条例》《公路安全保护条例》",
        penalties: &[
            "未取得道路运输经营许可擅自从事道路客运经营",
            "未取得道路运输经营许可擅自从事道路普通货物运输经营",
            "客运经营者不按批准的站点停靠或者不按规定的线路行驶",
            "擅自在公路用地范围内设置公路标志以外的其他标志",
            "在公路上及公路用地范围内摆摊设点、堆放物品、倾倒垃圾",
            "擅自在公路上设置平面交叉道口",
            "车辆擅自超限在公路上行驶",
            "在公路建筑控制区内修建建筑物、地面构筑物",
            "造成公路路面损坏、污染或者影响公路畅通",
            "未经许可在公路用地范围内架设、埋设管道、电缆等设施",
        ],
        coercions: &[
            "暂扣未取得道路运输证的车辆",
            "强制拆除公路建筑控制区内的违法建筑物",
        ],
        inspections: &["农村公路路政管理情况", "道路运输经营者"],
    },
    Category {
        name: "自然资源",
        department: DepartmentKind::NaturalResources,
        laws: "《中华人民共和国土地管理法》《中华人民共和国矿产资源法》《基本农田保护条例》",
        penalties: &[
            "未经批准或者采取欺骗手段骗取批准非法占用土地",
            "农村村民未经批准或者采取欺骗手段骗取批准非法占用土地建住宅",
            "占用耕地建窑、建坟或者擅自在耕地上建房、挖砂、采石、取土",
            "拒不履行土地复垦义务",
            "未取得采矿许可证擅自采矿",
            "超越批准的矿区范围采矿",
            "买卖或者以其他形式非法转让土地",
            "破坏或者擅自改变基本农田保护区标志",
            "临时使用土地期满拒不归还",
            "擅自将农民集体所有的土地出让、转让或者出租用于非农业建设",
        ],
        coercions: &[
            "查封、扣押非法采矿的工具和设备",
            "拆除非法占用土地上新建的建筑物和其他设施",
        ],
        inspections: &["土地利用和耕地保护情况", "矿产资源开采情况"],
    },
];

/// The pilot's enforcement powers for a county, as an import would read them. Codes are
/// SDZF + category + number, the same in both counties, plus the county's area code.
fn pilot_records(county: &CountyCode) -> Result<Vec<ImportRecord>> {
    let mut records = Vec::new();
    for (c, cat) in PILOT.iter().enumerate() {
        let powers = cat
            .penalties
            .iter()
            .map(|p| (ItemType::Penalty, format!("对{p}的行政处罚")))
            .chain(
                cat.coercions
                    .iter()
                    .map(|p| (ItemType::Coercion, (*p).to_owned())),
            )
            .chain(
                cat.inspections
                    .iter()
                    .map(|p| (ItemType::Inspection, format!("对{p}的行政检查"))),
            );
        for (n, (item_type, name)) in powers.enumerate() {
            // SD(山东) ZF(综合执法), category, number: an illustrative base code.
            let base = format!("SDZF{:02}{:03}", c + 1, n + 1);
            let content = RawItem {
                name,
                item_type: item_type.slug().to_owned(),
                department: DepartmentCode::new(county, cat.department).to_string(),
                legal_basis_setting: format!("{}{ILLUSTRATIVE}", cat.laws),
                legal_basis_implementing: format!(
                    "县镇同权改革赋权乡镇（街道）行政执法事项目录{ILLUSTRATIVE}"
                ),
                exercise_level: "县级（赋权乡镇行使）".into(),
                online_depth: OnlineDepth::OnSite.slug().to_owned(),
                max_visits: "0".into(),
                service: ServiceKind::Approval.slug().to_owned(),
                category: cat.name.to_owned(),
                ..RawItem::default()
            }
            .parse()?;
            records.push(ImportRecord {
                row: records.len() + 1,
                impl_code: ImplCode::parse("impl_code", &format!("{base}-{county}000000"))?,
                base_code: BaseCode::parse("base_code", &base)?,
                content,
            });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county() -> CountyCode {
        CountyCode::parse("c", "371481").unwrap()
    }

    #[test]
    fn the_pilot_has_six_categories_and_106_powers() {
        let powers = pilot_records(&county()).unwrap();
        assert_eq!(powers.len(), 106);
        let mut categories: Vec<&str> =
            powers.iter().map(|p| p.content.category.as_str()).collect();
        categories.dedup();
        assert_eq!(categories.len(), 6);
        assert!(powers.iter().all(|p| p.content.item_type.is_enforcement()
            && p.content.legal_basis_setting.ends_with(ILLUSTRATIVE)));
    }

    #[test]
    fn every_county_has_its_own_codes_and_enriched_items() {
        let records = county_records(&county()).unwrap();
        assert_eq!(records.len(), 1135);
        assert!(
            records
                .iter()
                .all(|r| r.impl_code.as_str().contains("-371481000000")
                    && !r.impl_code.as_str().contains(SAMPLE_AREA))
        );
        assert!(
            records
                .iter()
                .all(|r| (2..=6).contains(&r.content.materials.len()))
        );
        let share = |f: &dyn Fn(&ItemContent) -> bool| {
            records.iter().filter(|r| f(&r.content)).count() * 100 / records.len()
        };
        let promised = share(&|c| c.promised_days.is_some());
        let online = share(&|c| c.online_depth == OnlineDepth::FullOnline);
        let commitment = share(&|c| c.commitment_allowed);
        assert!((30..80).contains(&promised), "{promised}%");
        assert!((15..50).contains(&online), "{online}%");
        assert!((5..30).contains(&commitment), "{commitment}%");
        let convenience: Vec<&ImportRecord> = records
            .iter()
            .filter(|r| r.content.service == ServiceKind::Convenience)
            .collect();
        assert!(
            convenience
                .iter()
                .filter(|r| r.content.tongban_allowed)
                .count()
                * 100
                / convenience.len()
                > 70,
            "most convenience services may be handled at any window"
        );
        let again = county_records(&county()).unwrap();
        assert!(
            records
                .iter()
                .zip(&again)
                .all(|(a, b)| a.impl_code == b.impl_code && a.content == b.content),
            "deterministic"
        );
        let groups: Vec<usize> = (0..3)
            .map(|g| {
                records
                    .iter()
                    .filter(|r| approval_group(&r.content) == Some(g))
                    .count()
            })
            .collect();
        assert_eq!(groups.iter().sum::<usize>(), 340, "{groups:?}");
    }

    #[test]
    fn document_numbers_rise_within_a_year() {
        let mut numbers = DocNumbers::new(&county(), "乐陵市");
        let all: Vec<String> = DOCS.iter().map(|d| numbers.next(d)).collect();
        assert!(all[0].starts_with("乐政发〔2022〕") && all[4].starts_with("乐政发〔2023〕"));
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
    }
}
