//! Tables for download: the same rows as .xlsx (sheets with a bold, frozen header) and as CSV.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A cell: text, or a number spreadsheets can compute with.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Number(v as f64)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// One named sheet of rows under a header.
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: &str, header: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.header.len(), "a row per header column");
        self.rows.push(row);
    }

    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).expect("writing to memory");
        for row in &self.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(v) => v.to_string(),
                Cell::Empty => String::new(),
            }))
            .expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 text")
    }
}

/// A workbook with one sheet per table.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.name)?;
        for (col, h) in t.header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, h, &bold)?;
            sheet.set_column_width(col as u16, (h.chars().count() as f64 * 2.0).max(12.0))?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => sheet.write_string(r, col as u16, s)?,
                    Cell::Number(v) => sheet.write_number(r, col as u16, *v)?,
                    Cell::Empty => sheet,
                };
            }
        }
    }
    book.save_to_buffer()
}

/// The item import template: the item and material sheets with their headers, dropdowns for
/// the coded columns (drawn from a hidden sheet of choices), and one example row.
pub fn item_template(departments: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::{DataValidation, Formula};
    use tongquan_domain::Kind;
    use tongquan_domain::catalog::{ItemType, MaterialForm, OnlineDepth, Requirement, ServiceKind};
    use tongquan_store::import::{
        ITEM_COLUMNS, ITEM_SHEET, MATERIAL_COLUMNS, MATERIAL_SHEET, header,
    };

    fn slugs<K: Kind>() -> Vec<String> {
        K::all().iter().map(|k| k.slug().to_owned()).collect()
    }
    let choices: Vec<(&str, Vec<String>)> = vec![
        ("item_type", slugs::<ItemType>()),
        (
            "department",
            departments.iter().map(|(code, _)| code.clone()).collect(),
        ),
        ("online_depth", slugs::<OnlineDepth>()),
        ("service", slugs::<ServiceKind>()),
        ("commitment_allowed", vec!["是".into(), "否".into()]),
        ("tongban_allowed", vec!["是".into(), "否".into()]),
        ("requirement", slugs::<Requirement>()),
        ("form", slugs::<MaterialForm>()),
    ];
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let list_range = |key: &str| {
        let col = choices
            .iter()
            .position(|c| c.0 == key)
            .expect("a list column");
        let letter = (b'A' + col as u8) as char;
        Formula::new(format!(
            "='选项 choices'!${letter}$2:${letter}${}",
            choices[col].1.len() + 1
        ))
    };
    let sheets: [(&str, &[(&str, &str)]); 2] = [
        (ITEM_SHEET, ITEM_COLUMNS),
        (MATERIAL_SHEET, MATERIAL_COLUMNS),
    ];
    for (name, columns) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        sheet.set_freeze_panes(1, 0)?;
        for (i, c) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, header(c), &bold)?;
            sheet.set_column_width(i as u16, 18)?;
            if choices.iter().any(|ch| ch.0 == c.0) {
                let v = DataValidation::new().allow_list_formula(list_range(c.0));
                sheet.add_data_validation(1, i as u16, 5000, i as u16, &v)?;
            }
        }
    }
    let example = [
        "11371402EXAMPLE01",
        "11371402",
        "（示例）个体工商户登记",
        "",
        "licensing",
        departments.first().map_or("", |d| d.0.as_str()),
        "《促进个体工商户发展条例》",
        "",
        "县级",
        "20",
        "1",
        "不收费",
        "online_precheck",
        "1",
        "是",
        "是",
        "approval",
        "",
    ];
    let items = book.worksheet_from_name(ITEM_SHEET)?;
    for (i, v) in example.iter().enumerate() {
        items.write_string(1, i as u16, *v)?;
    }
    let materials = book.worksheet_from_name(MATERIAL_SHEET)?;
    for (i, v) in [
        "11371402EXAMPLE01",
        "经营者身份证明",
        "required",
        "copy",
        "1",
        "",
    ]
    .iter()
    .enumerate()
    {
        materials.write_string(1, i as u16, *v)?;
    }
    let lists = book.add_worksheet();
    lists.set_name("选项 choices")?;
    for (col, (key, values)) in choices.iter().enumerate() {
        lists.write_string_with_format(0, col as u16, *key, &bold)?;
        for (row, v) in values.iter().enumerate() {
            lists.write_string(row as u32 + 1, col as u16, v)?;
        }
    }
    lists.set_hidden(true);
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_xlsx_is_a_zip() {
        let mut t = Table::new("towns", &["code", "name", "km"]);
        t.push(vec![
            "371402001".into(),
            "新湖街道, 德城区".into(),
            0.8.into(),
        ]);
        t.push(vec!["371422109".into(), "张大庄镇".into(), Cell::Empty]);
        assert_eq!(
            t.to_csv(),
            "code,name,km\n371402001,\"新湖街道, 德城区\",0.8\n371422109,张大庄镇,\n"
        );
        let bytes = xlsx(&[t]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
