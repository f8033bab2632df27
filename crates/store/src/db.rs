//! Small helpers for SQL that both backends run: numbered placeholders, flags, timestamps.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::AnyArguments;
use sqlx::any::AnyRow;
use sqlx::query::QueryAs;
use sqlx::{Any, Arguments, AssertSqlSafe, Encode, FromRow, Row, Type};

use crate::{PageRequest, Result, Store};

/// A statement assembled from fixed fragments and bound values. Fragments are always literals in
/// this crate, never user input; values go through binds. Placeholders are `$1, $2, …`, which both
/// SQLite and PostgreSQL accept.
pub(crate) struct Sql {
    text: String,
    args: AnyArguments,
    binds: usize,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: AnyArguments::default(),
            binds: 0,
        }
    }

    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + 'static,
    {
        self.binds += 1;
        self.text.push_str(&format!("${}", self.binds));
        self.args.add(value).expect("Any encodes every bound type");
        self
    }

    /// A nullable double, sent as text and cast in SQL. sqlx's Any driver declares a NULL double
    /// as float4 on PostgreSQL and the cached statement keeps that type, so a later value in the
    /// same place would be refused; as text every value has the one type.
    pub fn bind_f64(&mut self, value: Option<f64>) -> &mut Self {
        self.push("CAST(")
            .bind(value.map(|v| v.to_string()))
            .push(" AS DOUBLE PRECISION)")
    }

    /// `col IN ($n, …)`; an empty list matches nothing.
    pub fn bind_in<T>(&mut self, col: &str, values: &[T]) -> &mut Self
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + Clone + 'static,
    {
        if values.is_empty() {
            return self.push("1 = 0");
        }
        self.push(col).push(" IN (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v.clone());
        }
        self.push(")")
    }

    pub fn query(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        sqlx::query_with(AssertSqlSafe(self.text), self.args)
    }

    /// The query of a bulk load. On SQLite its `$n` placeholders become plain `?` (they were
    /// bound in order, so the positions agree): sqlx looks up every named parameter of a SQLite
    /// statement with a scan of all its names, which makes binding a statement of thousands of
    /// `$n` parameters quadratic, while anonymous ones bind in constant time.
    pub fn bulk(self, on: &sqlx::AnyConnection) -> sqlx::query::Query<'static, Any, AnyArguments> {
        let text = match on.backend_name() {
            "SQLite" => positional(&self.text),
            _ => self.text,
        };
        sqlx::query_with(AssertSqlSafe(text), self.args)
    }

    pub fn query_as<T>(self) -> QueryAs<'static, Any, T, AnyArguments>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        sqlx::query_as_with(AssertSqlSafe(self.text), self.args)
    }
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Fixed-width RFC 3339 UTC, so stored timestamps sort as text.
/// Rows in one multi-row INSERT of a bulk load with `columns` values each: up to 24,000
/// parameters, inside both backends' limits (SQLite 32,766, PostgreSQL 65,535), so that a load
/// takes few statements (each one a round trip to sqlx's SQLite worker thread).
pub(crate) fn rows_per_insert(columns: usize) -> usize {
    (24_000 / columns).max(1)
}

/// `$1`, `$2`, … as `?`. Only for statements whose placeholders all came from `Sql::bind`.
fn positional(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Sql {
    /// Orders the rows and keeps one page of them.
    fn page(&mut self, order: &str, page: PageRequest) -> &mut Self {
        self.push(" ORDER BY ")
            .push(order)
            .push(" LIMIT ")
            .bind(page.per_page)
            .push(" OFFSET ")
            .bind(page.offset())
    }
}

/// Counting a long list stops here: a list this long is narrowed with filters, not paged through,
/// and counting a million rows would cost more than the page itself.
pub const COUNT_CAP: i64 = 10_000;

impl Store {
    /// One page of a long list in `order`, and its length up to [`COUNT_CAP`]. The count runs in
    /// the page's order so that both walk the same index (without it SQLite counts by scanning a
    /// whole index). `from` is the table with its alias (`FROM cases c`).
    pub(crate) async fn page_capped<R>(
        &self,
        columns: &str,
        from: &str,
        order: &str,
        filter: impl Fn(&mut Sql),
        page: PageRequest,
    ) -> Result<(Vec<R>, i64)>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let mut rows = Sql::new(&format!("SELECT {columns} {from}"));
        filter(&mut rows);
        rows.page(order, page);
        let items: Vec<R> = rows.query_as().fetch_all(self.pool()).await?;
        let mut count = Sql::new(&format!("SELECT COUNT(*) FROM (SELECT 1 {from}"));
        filter(&mut count);
        count
            .push(" ORDER BY ")
            .push(order)
            .push(" LIMIT ")
            .bind(COUNT_CAP)
            .push(") x");
        let (total,): (i64,) = count.query_as().fetch_one(self.pool()).await?;
        Ok((items, total))
    }

    /// One page of a list and the number of rows in the whole list, under the same filter, in
    /// one statement (a window count); a separate count runs only for a page past the end.
    /// `from` is the counted table (`FROM towns t`); `select` selects the page's columns from it.
    pub(crate) async fn page_of<R>(
        &self,
        from: &str,
        select: &str,
        order_by: &str,
        filter: impl Fn(&mut Sql),
        page: PageRequest,
    ) -> Result<(Vec<R>, i64)>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let mut sql =
            Sql::new(&select.replacen("SELECT ", "SELECT COUNT(*) OVER () AS total_rows, ", 1));
        filter(&mut sql);
        sql.page(order_by, page);
        let rows: Vec<AnyRow> = sql.query().fetch_all(self.pool()).await?;
        let total = match rows.first() {
            Some(r) => r.try_get::<i64, _>("total_rows")?,
            None => {
                let mut count = Sql::new("SELECT COUNT(*) ");
                count.push(from);
                filter(&mut count);
                let (total,): (i64,) = count.query_as().fetch_one(self.pool()).await?;
                total
            }
        };
        let items = rows
            .iter()
            .map(R::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, total))
    }
}
