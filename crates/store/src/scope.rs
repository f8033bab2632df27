//! Turns the access policy's answer into a SQL filter. Tables name the columns that place their
//! rows; a reach the table cannot express matches nothing.

use tongquan_domain::access::Reach;

use crate::db::Sql;

/// The columns of a table that say where a row sits.
#[derive(Default)]
pub(crate) struct ScopeColumns {
    pub county: Option<&'static str>,
    pub town: Option<&'static str>,
    pub office: Option<&'static str>,
    pub department: Option<&'static str>,
    pub account: Option<&'static str>,
}

/// Appends a boolean condition admitting exactly the rows within `reach`.
pub(crate) fn push_reach(sql: &mut Sql, reach: &Reach, cols: &ScopeColumns) {
    let (col, value) = match reach {
        Reach::All => {
            sql.push("1 = 1");
            return;
        }
        Reach::Nothing => {
            sql.push("1 = 0");
            return;
        }
        Reach::OwnAccount(id) => {
            match cols.account {
                Some(c) => sql.push(c).push(" = ").bind(*id),
                None => sql.push("1 = 0"),
            };
            return;
        }
        Reach::County(c) => (cols.county, c.to_string()),
        Reach::Town(t) => (cols.town, t.to_string()),
        Reach::Office(o) => (cols.office, o.to_string()),
        Reach::Department(d) => (cols.department, d.to_string()),
    };
    match col {
        Some(c) => sql.push(c).push(" = ").bind(value),
        None => sql.push("1 = 0"),
    };
}
