//! Benchmark of the random inspection draw and the joint-visit merge (driven by
//! bench/enforcement/run.sh). Prints JSON lines.
//!
//! `enforcement draw [--objects N] [--officers M] [--baseline-objects K] [--dump FILE]`
//!   generates a synthetic county pool, draws (stratified, 50‰, teams of 2), verifies, and runs the
//!   naive method (filter the whole officer list for every object) on the first K objects of the
//!   same pool (default: all). `--dump` writes inputs, digest, commitment, seed and outcome as JSON
//!   for an outside check (bench/enforcement/reference_draw.py).
//! `enforcement merge [--objects N]` generates a year of department requirements and merges them.
//!
//! Instances come from a fixed-seed generator: the same every run.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tongquan_plan::{
    DrawInputs, DrawOutcome, DrawSpec, PoolObject, PoolOfficer, Quota, Recusal, Requirement,
    RiskGrade, commitment, draw, frequency_windows, inputs_digest, merge_year, verify,
};

const GEN_SEED: u64 = 20_261_201;
const REGIONS: usize = 12;
/// Relative sizes of the 12 counties: a city district is several times a mountain county.
const REGION_WEIGHT: [u32; REGIONS] = [9, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1];
/// Grade shares in per cent: A 10, B 40, C 35, D 15.
const GRADE_SHARE: [(RiskGrade, u32); 4] = [
    (RiskGrade::A, 10),
    (RiskGrade::B, 40),
    (RiskGrade::C, 35),
    (RiskGrade::D, 15),
];
const DEPARTMENTS: [&str; 7] = [
    "market_regulation",
    "emergency_management",
    "ecology_environment",
    "fire_rescue",
    "health",
    "housing_construction",
    "agriculture",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| -> Option<&str> {
        let k = args.iter().position(|a| a == name)?;
        Some(
            args.get(k + 1)
                .unwrap_or_else(|| panic!("{name} needs a value")),
        )
    };
    let number = |name: &str, default: usize| -> usize {
        flag(name).map_or(default, |v| v.parse().expect("a whole number"))
    };
    match args.first().map(String::as_str) {
        Some("draw") => {
            let objects = number("--objects", 100_000);
            let officers = number("--officers", 20_000);
            let baseline = number("--baseline-objects", objects);
            bench_draw(objects, officers, baseline, flag("--dump"));
        }
        Some("merge") => bench_merge(number("--objects", 100_000)),
        _ => {
            eprintln!("usage: enforcement draw|merge [--objects N] [--officers M] ...");
            std::process::exit(2);
        }
    }
}

fn emit(line: Value) {
    println!("{line}");
}

fn bench_draw(n_objects: usize, n_officers: usize, baseline_objects: usize, dump: Option<&str>) {
    let t = Instant::now();
    let inputs = draw_instance(n_objects, n_officers, GEN_SEED);
    let generate_s = t.elapsed().as_secs_f64();
    emit(json!({
        "bench": "draw", "phase": "generate", "seconds": generate_s,
        "objects": n_objects, "officers": n_officers, "regions": REGIONS,
        "recusals": inputs.recusals.len(),
    }));

    // In production the store takes these 32 bytes from the operating system.
    let seed: [u8; 32] = Sha256::digest(b"tongquan enforcement bench seed").into();
    let commit = commitment(&seed);

    let t = Instant::now();
    let digest = inputs_digest(&inputs);
    emit(json!({"bench": "draw", "phase": "digest", "seconds": t.elapsed().as_secs_f64()}));

    let t = Instant::now();
    let outcome = draw(&inputs, &seed).expect("draw");
    let draw_s = t.elapsed().as_secs_f64();
    emit(json!({
        "bench": "draw", "phase": "draw", "seconds": draw_s,
        "picked": outcome.picks.len(), "grades": grade_counts(&inputs, &outcome),
    }));

    let t = Instant::now();
    verify(&inputs, &digest, &commit, &hex::encode(seed), &outcome).expect("verify");
    emit(json!({
        "bench": "draw", "phase": "verify", "seconds": t.elapsed().as_secs_f64(),
        "note": "verify = commitment + digest + a full re-draw",
        "peak_kib": peak_kib(),
    }));

    if let Some(path) = dump {
        let doc = json!({
            "inputs": inputs, "digest": digest, "commitment": commit,
            "seed": hex::encode(seed), "outcome": outcome,
        });
        std::fs::write(path, doc.to_string()).expect("write dump");
    }

    // The naive method, on the first `baseline_objects` objects of the same pool.
    let mut small = inputs.clone();
    small.objects.truncate(baseline_objects);
    let kept: HashSet<i64> = small.objects.iter().map(|o| o.id).collect();
    small.recusals.retain(|r| kept.contains(&r.object));
    let t = Instant::now();
    let fast = draw(&small, &seed).expect("draw on the baseline instance");
    let fast_s = t.elapsed().as_secs_f64();
    let naive = naive_draw(&small, &seed);
    assert_eq!(
        fast.picks.iter().map(|p| p.object).collect::<Vec<_>>(),
        naive.picks,
        "both methods pick the same objects"
    );
    emit(json!({
        "bench": "draw", "phase": "baseline",
        "objects": small.objects.len(), "officers": small.officers.len(),
        "full_size": small.objects.len() == n_objects,
        "naive_check_s": naive.check_s, "naive_teams_s": naive.teams_s,
        "naive_total_s": naive.check_s + naive.select_s + naive.teams_s,
        "draw_s": fast_s,
        "speedup": (naive.check_s + naive.select_s + naive.teams_s) / fast_s,
        "naive_teams_only_vs_draw": naive.teams_s / fast_s,
        "note": "naive: every object's eligible officers found by scanning the whole officer list",
    }));
    emit(json!({
        "bench": "draw", "phase": "end", "peak_kib": peak_kib(),
        "note": "peak including the JSON dump and the naive baseline",
    }));
}

fn grade_counts(inputs: &DrawInputs, outcome: &DrawOutcome) -> Value {
    let grade: std::collections::HashMap<i64, RiskGrade> =
        inputs.objects.iter().map(|o| (o.id, o.grade)).collect();
    let mut by = [0usize; 4];
    for p in &outcome.picks {
        by[grade[&p.object] as usize] += 1;
    }
    json!({"A": by[0], "B": by[1], "C": by[2], "D": by[3]})
}

fn region(k: usize) -> String {
    format!("3714{:02}", k + 1)
}

/// A weighted choice among `weights`.
fn pick_weighted(rng: &mut SplitMix, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for (k, &w) in weights.iter().enumerate() {
        if x < w {
            return k;
        }
        x -= w;
    }
    unreachable!()
}

/// Objects spread over 12 counties by `REGION_WEIGHT`, grades by `GRADE_SHARE`, officers in the same
/// proportions; 1% of the objects have declared conflicts with 1 to 5 officers of their county.
fn draw_instance(n_objects: usize, n_officers: usize, seed: u64) -> DrawInputs {
    let mut rng = SplitMix(seed);
    let shares: Vec<u32> = GRADE_SHARE.iter().map(|g| g.1).collect();
    // Ids as a register would hand them out: increasing but not dense.
    let mut id = 3_700_000_000i64;
    let objects: Vec<PoolObject> = (0..n_objects)
        .map(|_| {
            id += 1 + rng.below(5) as i64;
            PoolObject {
                id,
                region: region(pick_weighted(&mut rng, &REGION_WEIGHT)),
                grade: GRADE_SHARE[pick_weighted(&mut rng, &shares)].0,
            }
        })
        .collect();
    let officers: Vec<PoolOfficer> = (0..n_officers)
        .map(|k| PoolOfficer {
            id: 10_000 + k as i64,
            region: region(pick_weighted(&mut rng, &REGION_WEIGHT)),
        })
        .collect();
    let mut by_region: Vec<Vec<i64>> = vec![Vec::new(); REGIONS];
    for o in &officers {
        by_region[o.region[4..].parse::<usize>().expect("region") - 1].push(o.id);
    }
    let mut recusals = Vec::new();
    for o in &objects {
        if rng.below(100) == 0 {
            let list = &by_region[o.region[4..].parse::<usize>().expect("region") - 1];
            let mut officers: Vec<i64> = (0..1 + rng.below(5))
                .map(|_| list[rng.below(list.len() as u64) as usize])
                .collect();
            officers.sort_unstable();
            officers.dedup();
            recusals.extend(officers.into_iter().map(|officer| Recusal {
                officer,
                object: o.id,
            }));
        }
    }
    DrawInputs {
        spec: DrawSpec {
            quota: Quota::Ratio { permille: 50 },
            stratified: true,
            team: 2,
        },
        objects,
        officers,
        recusals,
    }
}

struct Naive {
    picks: Vec<i64>,
    check_s: f64,
    select_s: f64,
    teams_s: f64,
}

/// The obvious method: the same object selection (same stream), but each object's eligible
/// officers found by scanning the whole officer list, for the feasibility check of every object
/// and again for every picked object's team.
fn naive_draw(inputs: &DrawInputs, seed: &[u8; 32]) -> Naive {
    let team = inputs.spec.team;
    let recused: HashSet<(i64, i64)> = inputs
        .recusals
        .iter()
        .map(|r| (r.officer, r.object))
        .collect();
    let eligible = |o: &PoolObject| -> Vec<i64> {
        inputs
            .officers
            .iter()
            .filter(|f| f.region == o.region && !recused.contains(&(f.id, o.id)))
            .map(|f| f.id)
            .collect()
    };
    let t = Instant::now();
    let mut objects: Vec<&PoolObject> = inputs.objects.iter().collect();
    objects.sort_by_key(|o| o.id);
    let short = objects.iter().filter(|o| eligible(o).len() < team).count();
    assert_eq!(short, 0);
    let check_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut stream = Stream::new(seed);
    let n = objects.len();
    let Quota::Ratio { permille } = inputs.spec.quota else {
        unreachable!()
    };
    let q = ((n * permille as usize + 500) / 1000).max(1);
    let mut strata: [Vec<&PoolObject>; 4] = Default::default();
    for &o in &objects {
        strata[o.grade as usize].push(o);
    }
    let mut picked = Vec::new();
    for (stratum, k) in strata
        .iter_mut()
        .zip(allocate(q, n, &strata_sizes(&objects)))
    {
        for i in 0..k {
            let j = i + stream.below(stratum.len() - i);
            stratum.swap(i, j);
        }
        picked.extend_from_slice(&stratum[..k]);
    }
    picked.sort_by_key(|o| o.id);
    let select_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut teams = 0usize;
    for o in &picked {
        let mut list = eligible(o);
        for i in 0..team {
            let j = i + stream.below(list.len() - i);
            list.swap(i, j);
        }
        teams += list[..team].len();
    }
    assert_eq!(teams, team * picked.len());
    let teams_s = t.elapsed().as_secs_f64();
    Naive {
        picks: picked.iter().map(|o| o.id).collect(),
        check_s,
        select_s,
        teams_s,
    }
}

fn strata_sizes(objects: &[&PoolObject]) -> [usize; 4] {
    let mut sizes = [0; 4];
    for o in objects {
        sizes[o.grade as usize] += 1;
    }
    sizes
}

/// Largest remainder, ties to the higher risk grade (as in tongquan_plan::draw).
fn allocate(q: usize, n: usize, sizes: &[usize; 4]) -> [usize; 4] {
    let mut shares = sizes.map(|s| q * s / n);
    let left = q - shares.iter().sum::<usize>();
    let mut order = [3usize, 2, 1, 0];
    order.sort_by_key(|&g| std::cmp::Reverse(q * sizes[g] % n));
    for &g in &order[..left] {
        shares[g] += 1;
    }
    shares
}

/// The draw's random stream (SHA-256 in counter mode), written out from its documentation.
struct Stream<'a> {
    seed: &'a [u8; 32],
    block: u64,
    words: Vec<u64>,
}

impl<'a> Stream<'a> {
    fn new(seed: &'a [u8; 32]) -> Self {
        Stream {
            seed,
            block: 0,
            words: Vec::new(),
        }
    }

    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n + 1) % n;
        loop {
            if self.words.is_empty() {
                let mut h = Sha256::new();
                h.update(self.seed);
                h.update(self.block.to_le_bytes());
                let out = h.finalize();
                self.words = out
                    .chunks_exact(8)
                    .rev()
                    .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect();
                self.block += 1;
            }
            let x = self.words.pop().expect("a word");
            if x <= zone {
                return (x % n) as usize;
            }
        }
    }
}

fn bench_merge(n_objects: usize) {
    let t = Instant::now();
    let reqs = merge_instance(n_objects, GEN_SEED);
    let generate_s = t.elapsed().as_secs_f64();
    emit(json!({
        "bench": "merge", "phase": "generate", "seconds": generate_s,
        "objects": n_objects, "requirements": reqs.len(), "peak_kib": peak_kib(),
    }));
    let t = Instant::now();
    let plan = merge_year(&reqs).expect("merge");
    let merge_s = t.elapsed().as_secs_f64();
    assert_eq!(plan.lower_bound, plan.joint_visits);
    let served: usize = plan.visits.iter().map(|v| v.requirements).sum();
    assert_eq!(served, reqs.len());
    emit(json!({
        "bench": "merge", "phase": "merge", "seconds": merge_s,
        "separate_visits": plan.separate_visits, "joint_visits": plan.joint_visits,
        "lower_bound": plan.lower_bound, "reduction_percent": plan.reduction_percent,
        "baseline": "separate visits: one per requirement, no merging",
    }));
    emit(json!({"bench": "merge", "phase": "end", "peak_kib": peak_kib()}));
}

/// Each of 7 departments applies to an object with probability 1/2 and inspects it 1, 2, 4 or 12
/// times a year for grade A, B, C or D (illustrative frequencies, not a rule).
fn merge_instance(n_objects: usize, seed: u64) -> Vec<Requirement> {
    let mut rng = SplitMix(seed ^ 0x006d_6572_6765);
    let shares: Vec<u32> = GRADE_SHARE.iter().map(|g| g.1).collect();
    let windows: Vec<Vec<(u8, u8)>> = [1, 2, 4, 12]
        .iter()
        .map(|&t| frequency_windows(t).expect("frequency"))
        .collect();
    let mut reqs = Vec::new();
    for k in 0..n_objects {
        let object = 3_700_000_000 + k as i64;
        let grade = pick_weighted(&mut rng, &shares);
        for dept in DEPARTMENTS {
            if rng.below(2) == 0 {
                reqs.extend(windows[grade].iter().map(|&window| Requirement {
                    object,
                    department: dept.to_string(),
                    window,
                }));
            }
        }
    }
    reqs
}

/// Peak resident memory of this process in KiB (Linux), or null elsewhere.
fn peak_kib() -> Value {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(Value::Null, Value::from)
}

/// SplitMix64: a tiny fixed-seed generator, so the benchmark needs no extra crate.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Near-uniform in `0..n`; the modulo bias is irrelevant for generating test data.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
