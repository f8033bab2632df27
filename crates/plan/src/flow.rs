//! Minimum-cost transportation from demand points to open sites with lower and upper site loads,
//! by successive shortest paths (Bellman-Ford queue, since lower loads use negative arcs).
//! With whole-number demands and loads the optimal flow is whole, so each point gets one site.

use std::collections::VecDeque;

struct Arc {
    to: usize,
    cap: f64,
    cost: f64,
}

struct Graph {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Graph {
    fn add(&mut self, from: usize, to: usize, cap: f64, cost: f64) -> usize {
        let k = self.arcs.len();
        self.arcs.push(Arc { to, cap, cost });
        self.arcs.push(Arc {
            to: from,
            cap: 0.0,
            cost: -cost,
        });
        self.out[from].push(k);
        self.out[to].push(k + 1);
        k
    }
}

/// An optimal transportation plan: total cost and, per point, (site slot, amount) pairs.
pub(crate) struct Shipment {
    pub cost: f64,
    pub to: Vec<Vec<(usize, f64)>>,
}

/// Ships each point's `demand` to the sites (slots 0..lower.len()) so that site k receives
/// between `lower[k]` and `upper[k]`; `cost(i, k)` is the cost of shipping ALL of point i's
/// demand to slot k (`None` when forbidden). Returns `None` when no such plan exists.
pub(crate) fn transport(
    demand: &[f64],
    lower: &[f64],
    upper: &[f64],
    cost: impl Fn(usize, usize) -> Option<f64>,
) -> Option<Shipment> {
    let (n, q) = (demand.len(), lower.len());
    let (source, sink) = (n + q, n + q + 1);
    let mut g = Graph {
        arcs: Vec::new(),
        out: vec![Vec::new(); n + q + 2],
    };
    let mut links = Vec::new();
    let mut worst: f64 = 0.0;
    for (i, &d) in demand.iter().enumerate() {
        g.add(source, i, d, 0.0);
        for k in 0..q {
            if let Some(c) = cost(i, k) {
                // Per-unit cost; a zero demand ships nothing, so any finite price does.
                let unit = if d > 0.0 { c / d } else { 0.0 };
                worst = worst.max(unit.abs());
                links.push((i, k, g.add(i, n + k, d, unit)));
            }
        }
    }
    // Arcs priced -big are filled first, so lower loads are met whenever possible.
    let big = (2.0 * (n + q) as f64 + 1.0) * worst + 1.0;
    let mut floors = Vec::new();
    for k in 0..q {
        if lower[k] > 0.0 {
            floors.push((k, g.add(n + k, sink, lower[k], -big)));
        }
        g.add(n + k, sink, (upper[k] - lower[k]).max(0.0), 0.0);
    }
    let total: f64 = demand.iter().sum();
    let eps = 1e-9 * total.max(1.0);
    let mut shipped = 0.0;
    let nodes = n + q + 2;
    let mut dist = vec![f64::INFINITY; nodes];
    let mut via = vec![usize::MAX; nodes];
    let mut queued = vec![false; nodes];
    while shipped < total - eps {
        dist.iter_mut().for_each(|d| *d = f64::INFINITY);
        via.iter_mut().for_each(|v| *v = usize::MAX);
        dist[source] = 0.0;
        let mut queue = VecDeque::from([source]);
        while let Some(u) = queue.pop_front() {
            queued[u] = false;
            for &a in &g.out[u] {
                let arc = &g.arcs[a];
                if arc.cap > eps && dist[u] + arc.cost < dist[arc.to] - 1e-12 * big {
                    dist[arc.to] = dist[u] + arc.cost;
                    via[arc.to] = a;
                    if !queued[arc.to] {
                        queued[arc.to] = true;
                        queue.push_back(arc.to);
                    }
                }
            }
        }
        if via[sink] == usize::MAX {
            return None;
        }
        let mut push = total - shipped;
        let mut v = sink;
        while v != source {
            let a = via[v];
            push = push.min(g.arcs[a].cap);
            v = g.arcs[a ^ 1].to;
        }
        let mut v = sink;
        while v != source {
            let a = via[v];
            g.arcs[a].cap -= push;
            g.arcs[a ^ 1].cap += push;
            v = g.arcs[a ^ 1].to;
        }
        shipped += push;
    }
    if floors
        .iter()
        .any(|&(k, a)| g.arcs[a].cap > eps.max(1e-9 * lower[k]))
    {
        return None;
    }
    let mut to = vec![Vec::new(); n];
    let mut cost_total = 0.0;
    for (i, k, a) in links {
        let amount = g.arcs[a ^ 1].cap;
        if amount > eps {
            cost_total += amount * g.arcs[a].cost;
            to[i].push((k, amount));
        }
    }
    Some(Shipment {
        cost: cost_total,
        to,
    })
}
