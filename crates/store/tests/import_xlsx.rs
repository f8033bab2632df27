//! Spreadsheets that are broken in the ways people break them, and one that is right.

use rust_xlsxwriter::Workbook;
use tongquan_domain::codes::CountyCode;
use tongquan_store::import::{
    ITEM_COLUMNS, ITEM_SHEET, Layout, MATERIAL_COLUMNS, MATERIAL_SHEET, RowProblem, header,
    read_items,
};

fn county() -> CountyCode {
    CountyCode::parse("c", "371402").unwrap()
}

/// A template workbook: the item sheet's rows under its header, and optionally materials.
fn workbook(sheet: &str, rows: &[Vec<String>], materials: &[Vec<String>], merge: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name(sheet).unwrap();
    for (i, c) in ITEM_COLUMNS.iter().enumerate() {
        s.write_string(0, i as u16, header(c)).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r as u32 + 1, i as u16, v).unwrap();
            }
        }
    }
    if merge {
        s.merge_range(1, 4, 2, 4, "licensing", &rust_xlsxwriter::Format::new())
            .unwrap();
    }
    let m = book.add_worksheet();
    m.set_name(MATERIAL_SHEET).unwrap();
    for (i, c) in MATERIAL_COLUMNS.iter().enumerate() {
        m.write_string(0, i as u16, header(c)).unwrap();
    }
    for (r, row) in materials.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            m.write_string(r as u32 + 1, i as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn row(code: &str, statutory: &str, promised: &str) -> Vec<String> {
    [
        code,
        "11371402",
        "个体工商户登记",
        "",
        "licensing",
        "371402SP",
        "《促进个体工商户发展条例》",
        "",
        "县级",
        statutory,
        promised,
        "不收费",
        "online_precheck",
        "1",
        "是",
        "否",
        "approval",
        "",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn at(problems: &[RowProblem]) -> Vec<(usize, String)> {
    problems.iter().map(|p| (p.row, p.column.clone())).collect()
}

#[test]
fn a_filled_in_template_reads_with_its_materials() {
    let bytes = workbook(
        ITEM_SHEET,
        &[row("11371402T0001", "20", "5")],
        &[strings(&[
            "11371402T0001",
            "经营者身份证明",
            "required",
            "copy",
            "1",
            "",
        ])],
        false,
    );
    let parsed = read_items(&bytes, &county()).unwrap();
    assert_eq!(parsed.layout, Layout::Template);
    let r = &parsed.records[0];
    assert_eq!(
        (
            r.content.statutory_days,
            r.content.promised_days,
            r.content.materials.len()
        ),
        (Some(20), Some(5), 1)
    );
    assert!(r.content.commitment_allowed && !r.content.tongban_allowed);
}

#[test]
fn the_wrong_sheet_is_named() {
    let bytes = workbook("Sheet1", &[row("11371402T0001", "20", "5")], &[], false);
    let problems = read_items(&bytes, &county()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].en.contains("no sheet named") && problems[0].zh.contains("找不到工作表"),
        "{problems:?}"
    );
}

#[test]
fn merged_cells_are_refused_where_they_are() {
    let bytes = workbook(
        ITEM_SHEET,
        &[
            row("11371402T0001", "20", "5"),
            row("11371402T0002", "20", "5"),
        ],
        &[],
        true,
    );
    let problems = read_items(&bytes, &county()).unwrap_err();
    assert_eq!(at(&problems), [(2, "E2:E3".to_owned())], "{problems:?}");
    assert!(problems[0].en.contains("merged"));
}

#[test]
fn empty_required_cells_and_text_in_number_columns_are_each_named() {
    let mut no_name = row("11371402T0001", "20", "5");
    no_name[2] = String::new();
    let text_days = row("11371402T0002", "二十", "5");
    let over = row("11371402T0003", "10", "15");
    let unknown_material = strings(&["11371402T9999", "身份证明", "required", "copy", "1", ""]);
    let bytes = workbook(
        ITEM_SHEET,
        &[no_name, text_days, over],
        &[unknown_material],
        false,
    );
    let problems = read_items(&bytes, &county()).unwrap_err();
    let expected = [
        (2, "材料 materials!A 实施编码 impl_code"),
        (2, "C 事项名称 name"),
        (3, "J 法定时限 statutory_days"),
        (4, "K 承诺时限 promised_days"),
    ];
    assert_eq!(
        at(&problems),
        expected.map(|(r, c)| (r, c.to_owned())),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .all(|p| !p.zh.is_empty() && !p.en.is_empty())
    );
}
