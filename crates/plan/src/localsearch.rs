//! Row-weighting local search for set covering (after Gao, Weise and Li's RWLS): once a cover
//! is found, drop a column and repair by swaps, raising the weight of rows left uncovered so
//! the search is pushed out of the places it keeps failing in. Finds better plans than greedy
//! repair on the large geographic components, where a single site less is hard to see.

use std::time::Instant;

use crate::setcover::Cover;

/// A cheaper cover than `start` if the search finds one within `steps` swaps; stops early once
/// it reaches `target` (a proven lower bound). `closed` columns are never used.
pub(crate) fn improve(
    cover: &Cover,
    start: &[usize],
    target: f64,
    steps: u64,
    seed: u64,
    closed: &[bool],
    deadline: Option<Instant>,
) -> Option<(Vec<usize>, f64)> {
    let m = cover.rows.len();
    let n = cover.cols.len();
    let mut s = State {
        cover,
        inside: vec![false; n],
        count: vec![0; m],
        weight: vec![1; m],
        score: vec![0; n],
        stamp: vec![0; n],
        uncovered: Vec::new(),
        slot: vec![usize::MAX; m],
        cost: 0.0,
    };
    for i in 0..m {
        s.slot[i] = s.uncovered.len();
        s.uncovered.push(i);
        for &j in &cover.rows[i] {
            s.score[j] += 1;
        }
    }
    for &j in start {
        s.add(j, 0);
    }
    if !s.uncovered.is_empty() {
        return None;
    }
    let start_cost = s.cost;
    // Redundant columns first.
    let mut picked: Vec<usize> = (0..n).filter(|&j| s.inside[j]).collect();
    picked.sort_by(|&a, &b| cover.cost[b].total_cmp(&cover.cost[a]));
    for j in picked {
        if s.score[j] == 0 {
            s.remove(j, 0);
        }
    }
    let mut best: (Vec<usize>, f64) = ((0..n).filter(|&j| s.inside[j]).collect(), s.cost);
    let eps = 1e-9;
    let mut rng = seed | 1;
    let mut tabu = usize::MAX;
    for step in 1..=steps {
        if step % 4096 == 0 && deadline.is_some_and(|t| Instant::now() >= t) {
            break;
        }
        while s.uncovered.is_empty() {
            if s.cost < best.1 - eps {
                best = ((0..n).filter(|&j| s.inside[j]).collect(), s.cost);
            }
            if best.1 <= target + eps {
                return (best.1 < start_cost - eps).then_some(best);
            }
            let Some(j) = s.cheapest_removal(usize::MAX) else {
                break;
            };
            s.remove(j, step);
        }
        // Drop one column, then repair one uncovered row.
        if let Some(j) = s.cheapest_removal(tabu) {
            s.remove(j, step);
        }
        rng = splitmix(rng);
        let r = s.uncovered[(rng >> 33) as usize % s.uncovered.len()];
        let add = cover.rows[r]
            .iter()
            .copied()
            .filter(|&j| !closed[j])
            .max_by(|&a, &b| {
                let ra = s.score[a] as f64 / cover.cost[a];
                let rb = s.score[b] as f64 / cover.cost[b];
                ra.total_cmp(&rb).then(s.stamp[b].cmp(&s.stamp[a]))
            });
        let Some(add) = add else {
            break;
        };
        s.add(add, step);
        tabu = add;
        // Rows still uncovered weigh more.
        for k in 0..s.uncovered.len() {
            let i = s.uncovered[k];
            s.weight[i] += 1;
            for &j in &cover.rows[i] {
                s.score[j] += 1;
            }
        }
        // Weighted costs: get back under the best before the next swap.
        while s.cost >= best.1 - eps && !s.uncovered.is_empty() {
            match s.cheapest_removal(tabu) {
                Some(j) => s.remove(j, step),
                None => break,
            }
        }
    }
    (best.1 < start_cost - eps).then_some(best)
}

struct State<'a> {
    cover: &'a Cover,
    inside: Vec<bool>,
    count: Vec<u32>,
    weight: Vec<i64>,
    /// For a column inside: minus the weight of the rows only it covers. Outside: the weight
    /// of the uncovered rows it would cover.
    score: Vec<i64>,
    stamp: Vec<u64>,
    uncovered: Vec<usize>,
    slot: Vec<usize>,
    cost: f64,
}

impl State<'_> {
    fn add(&mut self, j: usize, step: u64) {
        if self.inside[j] {
            return;
        }
        self.inside[j] = true;
        self.cost += self.cover.cost[j];
        self.stamp[j] = step;
        self.score[j] = -self.score[j];
        for &i in &self.cover.cols[j] {
            let w = self.weight[i];
            self.count[i] += 1;
            match self.count[i] {
                1 => {
                    // Newly covered: no longer a gain for others; j alone covers it.
                    for &k in &self.cover.rows[i] {
                        if k != j {
                            self.score[k] -= w;
                        }
                    }
                    let at = self.slot[i];
                    let last = *self.uncovered.last().expect("uncovered row");
                    self.uncovered.swap_remove(at);
                    if last != i {
                        self.slot[last] = at;
                    }
                    self.slot[i] = usize::MAX;
                }
                2 => {
                    // The column that covered it alone no longer loses it.
                    for &k in &self.cover.rows[i] {
                        if k != j && self.inside[k] {
                            self.score[k] += w;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn remove(&mut self, j: usize, step: u64) {
        if !self.inside[j] {
            return;
        }
        self.inside[j] = false;
        self.cost -= self.cover.cost[j];
        self.stamp[j] = step;
        self.score[j] = -self.score[j];
        for &i in &self.cover.cols[j] {
            let w = self.weight[i];
            self.count[i] -= 1;
            match self.count[i] {
                0 => {
                    for &k in &self.cover.rows[i] {
                        if k != j {
                            self.score[k] += w;
                        }
                    }
                    self.slot[i] = self.uncovered.len();
                    self.uncovered.push(i);
                }
                1 => {
                    for &k in &self.cover.rows[i] {
                        if self.inside[k] {
                            self.score[k] -= w;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The column inside whose removal loses least weight per unit of cost, oldest first.
    fn cheapest_removal(&self, tabu: usize) -> Option<usize> {
        (0..self.inside.len())
            .filter(|&j| self.inside[j] && j != tabu)
            .max_by(|&a, &b| {
                let ra = self.score[a] as f64 / self.cover.cost[a];
                let rb = self.score[b] as f64 / self.cover.cost[b];
                ra.total_cmp(&rb).then(self.stamp[b].cmp(&self.stamp[a]))
            })
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
