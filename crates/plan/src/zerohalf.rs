//! {0, ½}-Chvátal–Gomory cuts: add up a set S of rows (and bounds 0 ≤ x ≤ 1) so that every
//! coefficient is even and the right-hand side odd, halve, round the right-hand side up.
//! Separation is the heuristic of Koster, Zymolka and Kutschka (2009): Gaussian elimination
//! over GF(2) on the rows of small slack, the most expensive odd columns first. The cut itself
//! is then recomputed from S in integers, so it holds exactly.

use crate::branchcut::Cut;
use crate::simplex::Lp;

/// Violated {0, ½}-cuts at `x`, each (columns with coefficients, right-hand side).
pub(crate) fn separate(lp: &Lp, x: &[f64], most: usize) -> Vec<Cut> {
    const TINY: f64 = 1e-9;
    let n = x.len();
    // Fractional columns carry a cost when their parity stays odd.
    let mut fcol = vec![usize::MAX; n];
    let mut cost: Vec<f64> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    for j in 0..n {
        if x[j] > TINY && x[j] < 1.0 - TINY {
            fcol[j] = cost.len();
            cost.push(x[j].min(1.0 - x[j]));
            order.push(j);
        }
    }
    let nf = cost.len();
    let fw = nf.div_ceil(64);
    // Candidate rows: integer rows with slack below one.
    let cand: Vec<usize> = (0..lp.rows())
        .filter(|&i| {
            lp.slack(i) < 1.0 - 1e-6
                && lp.rhs(i).fract() == 0.0
                && lp.row(i).iter().all(|&(_, a)| a.fract() == 0.0)
        })
        .collect();
    let nr = cand.len();
    if nr == 0 {
        return Vec::new();
    }
    let ow = nr.div_ceil(64);
    let slack: Vec<f64> = cand.iter().map(|&i| lp.slack(i).max(0.0)).collect();
    struct Comb {
        bits: Vec<u64>,
        origin: Vec<u64>,
        odd: bool,
        weight: f64,
    }
    let complemented = |j: usize| x[j] > 0.5;
    let mut rows: Vec<Comb> = cand
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let mut bits = vec![0u64; fw];
            let mut rhs = lp.rhs(i) as i64;
            for &(j, a) in lp.row(i) {
                let j = j as usize;
                let a = a as i64;
                if a % 2 != 0 {
                    if fcol[j] != usize::MAX {
                        bits[fcol[j] / 64] ^= 1 << (fcol[j] % 64);
                    }
                    if complemented(j) {
                        rhs -= 1;
                    }
                }
            }
            let mut origin = vec![0u64; ow];
            origin[k / 64] |= 1 << (k % 64);
            Comb {
                bits,
                origin,
                odd: rhs.rem_euclid(2) == 1,
                weight: slack[k],
            }
        })
        .collect();
    let odd_cost = |bits: &[u64]| -> f64 {
        let mut s = 0.0;
        for (w, &word) in bits.iter().enumerate() {
            let mut b = word;
            while b != 0 {
                let t = b.trailing_zeros() as usize;
                s += cost[w * 64 + t];
                b &= b - 1;
            }
        }
        s
    };
    let mut found: Vec<Vec<u64>> = Vec::new();
    let check = |c: &Comb, found: &mut Vec<Vec<u64>>| {
        if c.odd && c.weight + odd_cost(&c.bits) < 1.0 - 1e-3 && !found.contains(&c.origin) {
            found.push(c.origin.clone());
        }
    };
    rows.iter().for_each(|c| check(c, &mut found));
    // Eliminate the dearest columns first.
    let mut cols: Vec<usize> = (0..nf).collect();
    cols.sort_by(|&a, &b| cost[b].total_cmp(&cost[a]));
    let mut active = vec![true; nr];
    for &c in &cols {
        if found.len() >= 4 * most {
            break;
        }
        let (w, bit) = (c / 64, 1u64 << (c % 64));
        let Some(piv) = (0..nr)
            .filter(|&r| active[r] && rows[r].bits[w] & bit != 0)
            .min_by(|&a, &b| rows[a].weight.total_cmp(&rows[b].weight))
        else {
            continue;
        };
        if rows[piv].weight >= 1.0 {
            active[piv] = false;
            continue;
        }
        active[piv] = false;
        let (pbits, porigin, podd) = (
            rows[piv].bits.clone(),
            rows[piv].origin.clone(),
            rows[piv].odd,
        );
        for r in 0..nr {
            if !active[r] || rows[r].bits[w] & bit == 0 {
                continue;
            }
            let row = &mut rows[r];
            row.bits.iter_mut().zip(&pbits).for_each(|(a, b)| *a ^= b);
            row.origin
                .iter_mut()
                .zip(&porigin)
                .for_each(|(a, b)| *a ^= b);
            row.odd ^= podd;
            row.weight = weight_of(&row.origin, &slack);
            if row.weight >= 1.0 {
                active[r] = false;
                continue;
            }
            check(row, &mut found);
        }
    }
    // Each set of rows becomes an exact cut; keep the violated ones.
    let mut cuts: Vec<(f64, Cut)> = Vec::new();
    for origin in found {
        let mut sum: std::collections::HashMap<usize, i64> = std::collections::HashMap::new();
        let mut rhs: i64 = 0;
        for (w, &word) in origin.iter().enumerate() {
            let mut b = word;
            while b != 0 {
                let k = w * 64 + b.trailing_zeros() as usize;
                b &= b - 1;
                let i = cand[k];
                rhs += lp.rhs(i) as i64;
                for &(j, a) in lp.row(i) {
                    *sum.entry(j as usize).or_insert(0) += a as i64;
                }
            }
        }
        let mut cut: Vec<(usize, f64)> = Vec::new();
        for (j, mut a) in sum {
            if a % 2 != 0 {
                // Odd: add x_j ≥ 0 or, for columns near one, −x_j ≥ −1.
                if complemented(j) {
                    a -= 1;
                    rhs -= 1;
                } else {
                    a += 1;
                }
            }
            if a > 0 {
                cut.push((j, (a / 2) as f64));
            }
        }
        if rhs.rem_euclid(2) != 1 || rhs <= 0 {
            continue;
        }
        let rhs = ((rhs + 1) / 2) as f64;
        cut.sort_unstable_by_key(|&(j, _)| j);
        let lhs: f64 = cut.iter().map(|&(j, a)| a * x[j]).sum();
        let norm = cut.iter().map(|&(_, a)| a * a).sum::<f64>().sqrt();
        if rhs - lhs > 1e-3 {
            cuts.push(((rhs - lhs) / norm, (cut, rhs)));
        }
    }
    cuts.sort_by(|a, b| b.0.total_cmp(&a.0));
    cuts.truncate(most);
    cuts.into_iter().map(|(_, c)| c).collect()
}

fn weight_of(origin: &[u64], slack: &[f64]) -> f64 {
    let mut s = 0.0;
    for (w, &word) in origin.iter().enumerate() {
        let mut b = word;
        while b != 0 {
            s += slack[w * 64 + b.trailing_zeros() as usize];
            b &= b - 1;
        }
    }
    s
}
