//! Reading item lists from .xlsx and .csv: a county's published list (the layout of
//! data/sample_service_items.csv) or our own template. Every problem in a file is reported at
//! once, by row and column in both languages; a file with any problem imports nothing.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use tongquan_domain::DomainError;
use tongquan_domain::catalog::{ItemType, LICENSING_DEFAULT_DAYS, RawItem, RawMaterial};
use tongquan_domain::codes::{BaseCode, CountyCode, DepartmentCode, ImplCode};
use tongquan_domain::org::DepartmentKind;

use crate::catalog::ImportRecord;

/// Files larger than this are refused before they are read.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// The item sheet of our template, and its columns: (key, Chinese header).
pub const ITEM_SHEET: &str = "事项 items";
pub const MATERIAL_SHEET: &str = "材料 materials";
pub const ITEM_COLUMNS: &[(&str, &str)] = &[
    ("impl_code", "实施编码"),
    ("base_code", "基本编码"),
    ("name", "事项名称"),
    ("main_item", "主项名称"),
    ("item_type", "事项类型"),
    ("department", "实施主体代码"),
    ("legal_basis_setting", "设定依据"),
    ("legal_basis_implementing", "实施依据"),
    ("exercise_level", "行使层级"),
    ("statutory_days", "法定时限"),
    ("promised_days", "承诺时限"),
    ("fees", "收费"),
    ("online_depth", "办理深度"),
    ("max_visits", "到现场次数"),
    ("commitment_allowed", "告知承诺"),
    ("tongban_allowed", "跨域通办"),
    ("service", "服务类别"),
    ("category", "执法类别"),
];
pub const MATERIAL_COLUMNS: &[(&str, &str)] = &[
    ("impl_code", "实施编码"),
    ("name", "材料名称"),
    ("requirement", "必要性"),
    ("form", "材料形式"),
    ("copies", "份数"),
    ("note", "备注"),
];
/// The columns of a published list such as data/sample_service_items.csv.
const PUBLISHED_COLUMNS: &[&str] = &[
    "事项名称",
    "基本编码",
    "实施编码",
    "事项类型代码",
    "事项类型",
    "实施主体",
    "区划代码",
    "主项名称",
    "法定时限",
    "承诺时限",
];

/// The header a template column carries: Chinese, then the key.
pub fn header(c: &(&str, &str)) -> String {
    format!("{} {}", c.1, c.0)
}

/// One thing wrong with a file, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// The row as a spreadsheet numbers it (the header is row 1); 0 for the file as a whole.
    pub row: usize,
    /// The column's letter and header, e.g. "J 法定时限"; empty for the whole file or row.
    pub column: String,
    pub zh: String,
    pub en: String,
}

fn whole(zh: impl Into<String>, en: impl Into<String>) -> RowProblem {
    RowProblem {
        row: 0,
        column: String::new(),
        zh: zh.into(),
        en: en.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A county's published list: 事项名称, 基本编码, 实施编码, …
    Published,
    /// Our template, with materials on a sheet of their own.
    Template,
}

/// What a file held, ready to load.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub layout: Layout,
    pub records: Vec<ImportRecord>,
    /// What the reader filled in and why, in both languages.
    pub notes: Vec<(String, String)>,
}

/// A sheet's text cells, with spreadsheet row numbers.
struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn letter(col: usize) -> String {
    let mut n = col + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(e) => return Err(format!("{e:?}")),
    })
}

/// The named sheets of a workbook as text tables; merged cells and cell errors are problems.
fn read_xlsx(bytes: &[u8], wanted: &[&str]) -> Result<HashMap<String, Table>, Vec<RowProblem>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![whole(
            format!("无法打开电子表格：{e}"),
            format!("cannot open the workbook: {e}"),
        )]
    })?;
    let names = book.sheet_names();
    let mut tables = HashMap::new();
    let mut problems = Vec::new();
    for name in names
        .iter()
        .filter(|n| wanted.is_empty() || wanted.contains(&n.as_str()))
        .take(if wanted.is_empty() { 1 } else { usize::MAX })
    {
        let range = book.worksheet_range(name).map_err(|e| {
            vec![whole(
                format!("无法读取工作表“{name}”：{e}"),
                format!("cannot read sheet {name:?}: {e}"),
            )]
        })?;
        if let Ok(merged) = book.merge_cells_by_sheet_name(name) {
            for m in merged {
                problems.push(RowProblem {
                    row: m.start.0 as usize + 1,
                    column: format!(
                        "{}{}:{}{}",
                        letter(m.start.1 as usize),
                        m.start.0 + 1,
                        letter(m.end.1 as usize),
                        m.end.0 + 1
                    ),
                    zh: format!("工作表“{name}”有合并单元格；请取消合并，每行填写完整"),
                    en: format!("sheet {name:?} has merged cells; unmerge them and fill every row"),
                });
            }
        }
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        let mut header = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let number = top as usize + i + 1;
            let mut cells = vec![String::new(); left as usize];
            for (j, d) in row.iter().enumerate() {
                match cell_text(d) {
                    Ok(t) => cells.push(t),
                    Err(e) => {
                        problems.push(RowProblem {
                            row: number,
                            column: letter(left as usize + j),
                            zh: format!("单元格有错误值 {e}"),
                            en: format!("the cell holds an error value {e}"),
                        });
                        cells.push(String::new());
                    }
                }
            }
            if header.is_empty() {
                header = cells;
            } else {
                rows.push((number, cells));
            }
        }
        tables.insert(name.clone(), Table { header, rows });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(tables)
}

fn read_csv(bytes: &[u8]) -> Result<Table, Vec<RowProblem>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        vec![whole(
            "文件不是 UTF-8 编码的 CSV，也不是 .xlsx 电子表格",
            "the file is neither a UTF-8 CSV nor an .xlsx workbook",
        )]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            vec![RowProblem {
                row: i + 1,
                column: String::new(),
                zh: format!("CSV 格式错误：{e}"),
                en: format!("malformed CSV: {e}"),
            }]
        })?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_owned()).collect();
        if header.is_empty() {
            header = cells;
        } else {
            rows.push((i + 1, cells));
        }
    }
    Ok(Table { header, rows })
}

/// Where each named column is; a missing one is a problem.
fn columns(t: &Table, wanted: &[(&str, &str)], sheet: &str) -> Result<Vec<usize>, Vec<RowProblem>> {
    let missing: Vec<String> = wanted
        .iter()
        .filter(|c| {
            !t.header
                .iter()
                .any(|h| h == &header(c) || h == c.0 || h == c.1)
        })
        .map(header)
        .collect();
    if !missing.is_empty() {
        return Err(vec![whole(
            format!("工作表“{sheet}”缺少列：{}", missing.join("、")),
            format!("sheet {sheet:?} lacks the columns: {}", missing.join(", ")),
        )]);
    }
    Ok(wanted
        .iter()
        .map(|c| {
            t.header
                .iter()
                .position(|h| h == &header(c) || h == c.0 || h == c.1)
                .expect("checked")
        })
        .collect())
}

fn problem_at(row: usize, col: usize, head: &str, e: &DomainError) -> RowProblem {
    let m = e.message();
    RowProblem {
        row,
        column: format!("{} {head}", letter(col)),
        zh: m.zh,
        en: m.en,
    }
}

/// Reads an item list for `county`: .xlsx (by its content) or UTF-8 .csv, in either layout.
pub fn read_items(bytes: &[u8], county: &CountyCode) -> Result<Parsed, Vec<RowProblem>> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(vec![whole(
            format!(
                "文件大小 {:.1} MB，超过上限 {} MB",
                bytes.len() as f64 / 1048576.0,
                MAX_IMPORT_BYTES / 1048576
            ),
            format!(
                "the file is {:.1} MB, over the {} MB limit",
                bytes.len() as f64 / 1048576.0,
                MAX_IMPORT_BYTES / 1048576
            ),
        )]);
    }
    if bytes.is_empty() {
        return Err(vec![whole("文件是空的", "the file is empty")]);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut sheets = read_xlsx(bytes, &[])?;
        let (_, first) = sheets
            .drain()
            .next()
            .ok_or_else(|| vec![whole("电子表格没有工作表", "the workbook has no sheets")])?;
        if first.header.iter().any(|h| h == PUBLISHED_COLUMNS[0])
            && !first.header.iter().any(|h| h == &header(&ITEM_COLUMNS[0]))
        {
            return published(&first, county);
        }
        let mut sheets = read_xlsx(bytes, &[ITEM_SHEET, MATERIAL_SHEET])?;
        let items = sheets.remove(ITEM_SHEET).ok_or_else(|| {
            vec![whole(
                format!("找不到工作表“{ITEM_SHEET}”；请使用下载的模板，或第一个工作表为已公布清单格式"),
                format!("no sheet named {ITEM_SHEET:?}; use the downloadable template, or put a published list on the first sheet"),
            )]
        })?;
        return template(&items, sheets.get(MATERIAL_SHEET), county);
    }
    let table = read_csv(bytes)?;
    if table.header.iter().any(|h| h == PUBLISHED_COLUMNS[0]) {
        published(&table, county)
    } else {
        template(&table, None, county)
    }
}

fn published(t: &Table, county: &CountyCode) -> Result<Parsed, Vec<RowProblem>> {
    let wanted: Vec<(&str, &str)> = PUBLISHED_COLUMNS.iter().map(|c| (*c, *c)).collect();
    let at = columns(t, &wanted, "published list")?;
    let [
        name,
        base,
        implc,
        type_code,
        type_name,
        body,
        area,
        main,
        statutory,
        promised,
    ] = <[usize; 10]>::try_from(at).expect("ten columns");
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let (mut defaulted, mut unset) = (0, 0);
    for (row, cells) in &t.rows {
        let get = |c: usize| cells.get(c).map_or("", String::as_str);
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let mut fail =
            |col: usize, head: &str, e: &DomainError| problems.push(problem_at(*row, col, head, e));
        let item_type = match get(type_code)
            .parse::<u8>()
            .ok()
            .and_then(ItemType::from_national_code)
        {
            Some(t) if get(type_name).is_empty() || t.zh() == get(type_name) => Some(t),
            Some(t) => {
                fail(
                    type_name,
                    "事项类型",
                    &DomainError::invalid(
                        "item_type",
                        format!(
                            "类型代码 {} 是“{}”，与“{}”不符",
                            get(type_code),
                            t.zh(),
                            get(type_name)
                        ),
                        format!(
                            "type code {} is {}, not {}",
                            get(type_code),
                            t.zh(),
                            get(type_name)
                        ),
                    ),
                );
                None
            }
            None => {
                fail(
                    type_code,
                    "事项类型代码",
                    &DomainError::invalid(
                        "item_type",
                        format!("未知的事项类型代码“{}”", get(type_code)),
                        format!("unknown item type code {:?}", get(type_code)),
                    ),
                );
                None
            }
        };
        let department = match DepartmentKind::from_body_name(get(body)) {
            Some(k) => Some(DepartmentCode::new(county, k)),
            None => {
                fail(
                    body,
                    "实施主体",
                    &DomainError::invalid(
                        "department",
                        format!("无法识别的实施主体“{}”", get(body)),
                        format!("unknown department {:?}", get(body)),
                    ),
                );
                None
            }
        };
        let area_ok = get(area).is_empty()
            || (get(area).len() == 12 && get(area).bytes().all(|b| b.is_ascii_digit()));
        if !area_ok {
            fail(
                area,
                "区划代码",
                &DomainError::invalid(
                    "area",
                    format!("区划代码应为 12 位数字，收到“{}”", get(area)),
                    format!("an area code has 12 digits, got {:?}", get(area)),
                ),
            );
        }
        let impl_code = ImplCode::parse("impl_code", get(implc))
            .map_err(|e| fail(implc, "实施编码", &e))
            .ok();
        let base_code = BaseCode::parse("base_code", get(base))
            .map_err(|e| fail(base, "基本编码", &e))
            .ok();
        let (Some(item_type), Some(department), Some(impl_code), Some(base_code)) =
            (item_type, department, impl_code, base_code)
        else {
            continue;
        };
        // A licensing item with no recorded limit has the one 行政许可法 sets; other types have
        // no general statutory limit, so theirs stays unrecorded rather than guessed.
        let statutory_text = match (get(statutory), item_type) {
            ("", ItemType::Licensing) => {
                defaulted += 1;
                LICENSING_DEFAULT_DAYS.to_string()
            }
            ("", _) => {
                unset += 1;
                String::new()
            }
            (s, _) => s.to_owned(),
        };
        let raw = RawItem {
            name: get(name).to_owned(),
            main_item: get(main).to_owned(),
            item_type: item_type.slug().to_owned(),
            department: department.to_string(),
            exercise_level: "县级".into(),
            statutory_days: statutory_text,
            promised_days: get(promised).to_owned(),
            online_depth: "on_site".into(),
            max_visits: "1".into(),
            service: if item_type == ItemType::PublicService {
                "convenience"
            } else {
                "approval"
            }
            .into(),
            ..RawItem::default()
        };
        match raw.parse() {
            Ok(content) => records.push(ImportRecord {
                row: *row,
                impl_code,
                base_code,
                content,
            }),
            Err(e) => {
                let (col, head) = match e.field() {
                    Some("statutory_days") => (statutory, "法定时限"),
                    Some("promised_days") => (promised, "承诺时限"),
                    _ => (name, "事项名称"),
                };
                fail(col, head, &e);
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let notes = vec![
        (
            format!("{defaulted} 个行政许可事项未填法定时限，按《行政许可法》第四十二条、第八十二条取 {LICENSING_DEFAULT_DAYS} 个工作日"),
            format!("{defaulted} licensing items had no statutory limit and got the {LICENSING_DEFAULT_DAYS} working days of the Administrative Licensing Law, Articles 42 and 82"),
        ),
        (
            format!("{unset} 个其他类型事项未填法定时限：法律没有统一时限，保持“未登记”，待部门补录"),
            format!("{unset} items of other types had no statutory limit: no general law sets one, so it stays unrecorded until the department fills it in"),
        ),
        (
            "清单没有办理深度、材料和依据：按“到现场、最多跑一次”导入，材料和依据待补录".into(),
            "the list has no online depth, materials or legal basis: imported as on site with at most one visit, to be completed".into(),
        ),
    ];
    Ok(Parsed {
        layout: Layout::Published,
        records,
        notes,
    })
}

fn template(
    items: &Table,
    materials: Option<&Table>,
    county: &CountyCode,
) -> Result<Parsed, Vec<RowProblem>> {
    let at = columns(items, ITEM_COLUMNS, ITEM_SHEET)?;
    let col = |key: &str| {
        at[ITEM_COLUMNS
            .iter()
            .position(|c| c.0 == key)
            .expect("a template column")]
    };
    let mut problems = Vec::new();
    let mut by_code: HashMap<String, Vec<RawMaterial>> = HashMap::new();
    if let Some(m) = materials {
        let mat = columns(m, MATERIAL_COLUMNS, MATERIAL_SHEET)?;
        for (row, cells) in &m.rows {
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let get = |i: usize| cells.get(mat[i]).cloned().unwrap_or_default();
            let code = get(0);
            if !items
                .rows
                .iter()
                .any(|(_, c)| c.get(col("impl_code")).is_some_and(|x| *x == code))
            {
                problems.push(RowProblem {
                    row: *row,
                    column: format!("{MATERIAL_SHEET}!{} {}", letter(mat[0]), header(&MATERIAL_COLUMNS[0])),
                    zh: format!("工作表“{MATERIAL_SHEET}”中的实施编码“{code}”不在事项表中"),
                    en: format!("implementation code {code:?} on sheet {MATERIAL_SHEET:?} is not on the item sheet"),
                });
            }
            by_code.entry(code).or_default().push(RawMaterial {
                name: get(1),
                requirement: get(2),
                form: get(3),
                copies: get(4),
                note: get(5),
            });
        }
    }
    let mut records = Vec::new();
    for (row, cells) in &items.rows {
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let get = |key: &str| cells.get(col(key)).cloned().unwrap_or_default();
        let mut fail = |key: &str, e: &DomainError| {
            let c = ITEM_COLUMNS
                .iter()
                .find(|c| c.0 == key)
                .unwrap_or(&ITEM_COLUMNS[2]);
            problems.push(problem_at(*row, col(c.0), &header(c), e));
        };
        let impl_code = ImplCode::parse("impl_code", &get("impl_code"))
            .map_err(|e| fail("impl_code", &e))
            .ok();
        let base_code = BaseCode::parse("base_code", &get("base_code"))
            .map_err(|e| fail("base_code", &e))
            .ok();
        let raw = RawItem {
            name: get("name"),
            main_item: get("main_item"),
            item_type: get("item_type"),
            department: get("department"),
            legal_basis_setting: get("legal_basis_setting"),
            legal_basis_implementing: get("legal_basis_implementing"),
            exercise_level: get("exercise_level"),
            statutory_days: get("statutory_days"),
            promised_days: get("promised_days"),
            fees: get("fees"),
            online_depth: get("online_depth"),
            max_visits: get("max_visits"),
            commitment_allowed: get("commitment_allowed"),
            tongban_allowed: get("tongban_allowed"),
            service: get("service"),
            category: get("category"),
            materials: by_code.get(&get("impl_code")).cloned().unwrap_or_default(),
            // The template has no licence columns yet: a licence is set on the item's page.
            ..RawItem::default()
        };
        match raw.parse() {
            Ok(content) if &content.department.county() != county => fail(
                "department",
                &DomainError::invalid(
                    "department",
                    format!("部门 {} 不属于县 {county}", content.department),
                    format!(
                        "department {} is not one of county {county}'s",
                        content.department
                    ),
                ),
            ),
            Ok(content) => {
                if let (Some(impl_code), Some(base_code)) = (impl_code, base_code) {
                    records.push(ImportRecord {
                        row: *row,
                        impl_code,
                        base_code,
                        content,
                    });
                }
            }
            Err(e) => {
                let key = e
                    .field()
                    .map(|f| f.split(['.', '[']).next().unwrap_or(f).to_owned())
                    .unwrap_or_default();
                fail(&key, &e);
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Parsed {
        layout: Layout::Template,
        records,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county() -> CountyCode {
        CountyCode::parse("c", "371402").unwrap()
    }

    const SAMPLE: &str = include_str!("../../../data/sample_service_items.csv");

    #[test]
    fn the_real_published_list_reads_whole_with_its_limits_explained() {
        let parsed = read_items(SAMPLE.as_bytes(), &county()).unwrap();
        assert_eq!(parsed.layout, Layout::Published);
        assert_eq!(parsed.records.len(), 1135);
        let licensing = parsed
            .records
            .iter()
            .filter(|r| r.content.item_type == ItemType::Licensing)
            .count();
        assert_eq!(licensing, 536);
        assert!(
            parsed
                .records
                .iter()
                .filter(|r| r.content.item_type == ItemType::Licensing)
                .all(|r| r.content.statutory_days == Some(20))
        );
        assert!(
            parsed
                .records
                .iter()
                .filter(|r| r.content.item_type != ItemType::Licensing)
                .all(|r| r.content.statutory_days.is_none())
        );
        assert!(parsed.notes[0].1.starts_with("536 licensing items"));
        assert!(
            parsed
                .records
                .iter()
                .all(|r| r.content.department.county() == county())
        );
    }

    #[test]
    fn every_bad_row_is_named_by_row_and_column() {
        let text = "事项名称,基本编码,实施编码,事项类型代码,事项类型,实施主体,区划代码,主项名称,法定时限,承诺时限\n\
                    甲,511A01,511A01-511602000000-1,1,行政许可,区宇宙局,511602000000,,,\n\
                    乙,511A02,511A02-511602000000-1,1,行政许可,区人社局,511602000000,,二十,\n\
                    丙,511A03,511A03-511602000000-1,1,行政许可,区人社局,511602000000,,10,15\n\
                    丁,511A04,511A04-511602000000-1,99,行政许可,区人社局,511602000000,,,\n";
        let problems = read_items(text.as_bytes(), &county()).unwrap_err();
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, "F 实施主体"),
                (3, "I 法定时限"),
                (4, "J 承诺时限"),
                (5, "D 事项类型代码")
            ],
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .all(|p| !p.zh.is_empty() && !p.en.is_empty())
        );
    }

    #[test]
    fn files_that_are_not_lists_are_refused_whole() {
        assert!(
            read_items(b"", &county()).unwrap_err()[0]
                .en
                .contains("empty")
        );
        assert!(
            read_items(&[0xff, 0xfe, 0x00, 0x41], &county()).unwrap_err()[0]
                .en
                .contains("neither")
        );
        assert!(
            read_items(b"PK\x03\x04not really a zip", &county()).unwrap_err()[0]
                .en
                .contains("cannot open")
        );
        assert!(
            read_items(b"a,b\n1,2\n", &county()).unwrap_err()[0]
                .en
                .contains("lacks the columns")
        );
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert!(
            read_items(&big, &county()).unwrap_err()[0]
                .en
                .contains("over the 20 MB limit")
        );
    }
}
