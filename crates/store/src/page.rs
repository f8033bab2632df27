//! Pagination of list queries.

use serde::Serialize;
use tongquan_domain::DomainError;

pub const MAX_PER_PAGE: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 50,
        }
    }
}

impl PageRequest {
    /// Reads `page` and `per_page` as sent in a query string; absent means the default.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, DomainError> {
        let d = Self::default();
        let num = |field: &str, v: Option<&str>, default: i64, max: i64| match v {
            None => Ok(default),
            Some(s) => match s.trim().parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(DomainError::invalid(
                    field,
                    format!("应为 1 到 {max} 之间的整数，收到“{s}”"),
                    format!("expected a whole number from 1 to {max}, got {s:?}"),
                )),
            },
        };
        Ok(Self {
            page: num("page", page, d.page, 1_000_000)?,
            per_page: num("per_page", per_page, d.per_page, MAX_PER_PAGE)?,
        })
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, req: PageRequest, total: i64) -> Self {
        Self {
            items,
            page: req.page,
            per_page: req.per_page,
            total,
        }
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest::default()
        );
        assert_eq!(
            PageRequest::parse(Some("3"), Some("20")).unwrap().offset(),
            40
        );
        assert_eq!(
            PageRequest::parse(Some("0"), None).unwrap_err().field(),
            Some("page")
        );
        assert_eq!(
            PageRequest::parse(None, Some("501")).unwrap_err().field(),
            Some("per_page")
        );
        assert_eq!(
            PageRequest::parse(Some("x"), None).unwrap_err().code(),
            "invalid_field"
        );
    }
}
