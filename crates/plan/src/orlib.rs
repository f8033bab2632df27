//! Readers for the OR-Library formats: pmed (p-median on a graph), cap (capacitated facility
//! location) and scp (set covering). Errors name the line and the reason.

use std::str::FromStr;

use crate::{DemandPoint, Instance, PlanError, Site};

/// Whitespace-separated tokens with the line each came from; OR-Library wraps rows freely.
struct Tokens<'a> {
    tokens: Vec<(usize, &'a str)>,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        let tokens = text
            .lines()
            .enumerate()
            .flat_map(|(k, line)| line.split_whitespace().map(move |t| (k + 1, t)))
            .collect();
        Tokens { tokens, at: 0 }
    }

    fn line(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(1, |t| t.0)
    }

    fn next<T: FromStr>(&mut self, what: &str) -> Result<T, PlanError> {
        let Some(&(line, tok)) = self.tokens.get(self.at) else {
            return Err(PlanError::malformed(
                self.line(),
                format!("file ends where {what} was expected"),
            ));
        };
        self.at += 1;
        tok.parse().map_err(|_| {
            PlanError::malformed(line, format!("{what}: {tok:?} is not a valid number"))
        })
    }

    /// A finite, non-negative number.
    fn amount(&mut self, what: &str) -> Result<f64, PlanError> {
        let line = self.line();
        let v: f64 = self.next(what)?;
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(PlanError::malformed(
                line,
                format!("{what} {v} must be finite and ≥ 0"),
            ))
        }
    }

    /// A 1-based index in 1..=n, returned 0-based.
    fn index(&mut self, what: &str, n: usize) -> Result<usize, PlanError> {
        let line = self.line();
        let k: usize = self.next(what)?;
        if (1..=n).contains(&k) {
            Ok(k - 1)
        } else {
            Err(PlanError::malformed(
                line,
                format!("{what} {k} is outside 1..={n}"),
            ))
        }
    }

    fn finish(&self) -> Result<(), PlanError> {
        match self.tokens.get(self.at) {
            None => Ok(()),
            Some(&(line, tok)) => Err(PlanError::malformed(
                line,
                format!("unexpected extra data {tok:?}"),
            )),
        }
    }
}

fn positive(t: &mut Tokens, what: &str) -> Result<usize, PlanError> {
    let line = t.line();
    let v: usize = t.next(what)?;
    if v == 0 {
        return Err(PlanError::malformed(
            line,
            format!("{what} must be at least 1"),
        ));
    }
    Ok(v)
}

/// Reads a pmed file: returns the all-pairs shortest-path instance (every node is both a demand
/// point of weight 1 and a candidate site) and p. A repeated edge takes its LAST cost, as the
/// published optima assume.
pub fn read_pmed(text: &str) -> Result<(Instance, usize), PlanError> {
    let mut t = Tokens::new(text);
    let n = positive(&mut t, "vertex count")?;
    let m: usize = t.next("edge count")?;
    let header_line = t.line();
    let p = positive(&mut t, "p")?;
    if p > n {
        return Err(PlanError::malformed(
            header_line,
            format!("p = {p} exceeds the {n} vertices"),
        ));
    }
    let mut d = vec![f64::INFINITY; n * n];
    for i in 0..n {
        d[i * n + i] = 0.0;
    }
    for _ in 0..m {
        let a = t.index("edge end", n)?;
        let b = t.index("edge end", n)?;
        let c = t.amount("edge cost")?;
        if a != b {
            d[a * n + b] = c;
            d[b * n + a] = c;
        }
    }
    t.finish()?;
    floyd_warshall(&mut d, n);
    if let Some(k) = d.iter().position(|x| x.is_infinite()) {
        return Err(PlanError::malformed(
            1,
            format!(
                "graph is disconnected: no path from vertex {} to {}",
                k / n + 1,
                k % n + 1
            ),
        ));
    }
    let points: Vec<DemandPoint> = (1..=n)
        .map(|k| DemandPoint {
            id: k.to_string(),
            at: None,
            weight: 1.0,
        })
        .collect();
    let sites: Vec<Site> = (1..=n)
        .map(|k| Site {
            id: k.to_string(),
            at: None,
            keep: false,
        })
        .collect();
    Ok((Instance::from_matrix(&points, &sites, d)?, p))
}

fn floyd_warshall(d: &mut [f64], n: usize) {
    let mut via = vec![0.0; n];
    for k in 0..n {
        via.copy_from_slice(&d[k * n..(k + 1) * n]);
        for i in 0..n {
            let dik = d[i * n + k];
            if dik.is_infinite() {
                continue;
            }
            for (dij, dkj) in d[i * n..(i + 1) * n].iter_mut().zip(&via) {
                let alt = dik + dkj;
                if alt < *dij {
                    *dij = alt;
                }
            }
        }
    }
}

/// A capacitated facility location instance (Beasley's capNNN): demand may be split.
#[derive(Debug, Clone)]
pub struct CapInstance {
    pub capacity: Vec<f64>,
    pub fixed: Vec<f64>,
    pub demand: Vec<f64>,
    /// cost[i * m + j]: cost of serving ALL of customer i's demand from warehouse j.
    pub cost: Vec<f64>,
}

pub fn read_cap(text: &str) -> Result<CapInstance, PlanError> {
    let mut t = Tokens::new(text);
    let m = positive(&mut t, "warehouse count")?;
    let n = positive(&mut t, "customer count")?;
    let mut capacity = Vec::with_capacity(m);
    let mut fixed = Vec::with_capacity(m);
    for _ in 0..m {
        capacity.push(t.amount("capacity")?);
        fixed.push(t.amount("fixed cost")?);
    }
    let mut demand = Vec::with_capacity(n);
    let mut cost = Vec::with_capacity(n * m);
    for _ in 0..n {
        demand.push(t.amount("demand")?);
        for _ in 0..m {
            cost.push(t.amount("allocation cost")?);
        }
    }
    t.finish()?;
    Ok(CapInstance {
        capacity,
        fixed,
        demand,
        cost,
    })
}

/// A weighted set covering instance (Beasley's scpNN).
#[derive(Debug, Clone)]
pub struct ScpInstance {
    pub costs: Vec<f64>,
    /// rows[i]: the columns (0-based) that cover row i.
    pub rows: Vec<Vec<usize>>,
}

pub fn read_scp(text: &str) -> Result<ScpInstance, PlanError> {
    let mut t = Tokens::new(text);
    let m = positive(&mut t, "row count")?;
    let n = positive(&mut t, "column count")?;
    let costs = (0..n)
        .map(|_| t.amount("column cost"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(m);
    for r in 0..m {
        let line = t.line();
        let k: usize = t.next("row size")?;
        if k == 0 {
            return Err(PlanError::malformed(
                line,
                format!("row {} has no covering column", r + 1),
            ));
        }
        rows.push(
            (0..k)
                .map(|_| t.index("column", n))
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    t.finish()?;
    Ok(ScpInstance { costs, rows })
}
