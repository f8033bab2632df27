//! Verifiable random inspection draw (双随机、一公开) with commit–reveal.
//!
//! Protocol: before the draw the store generates 32 random bytes (the seed) and publishes
//! `commitment(seed)` together with `inputs_digest(inputs)`; it then draws and publishes the seed and
//! the outcome. Anyone holding the inputs can run [`verify`]: the commitment shows the seed was fixed
//! before the outcome was known, the digest shows the pool, officers and recusals were fixed before
//! the seed was revealed, and re-running the draw shows nobody edited the result. The commitment
//! does not stop an operator from trying seeds before publishing one, so the store must take the
//! seed from the operating system and publish the commitment at once.
//!
//! Everything below is specified precisely enough to be reimplemented by a third party.
//!
//! **Random stream.** Block `i` (i = 0, 1, 2, …) is SHA-256(seed ‖ i as 8 bytes little-endian); each
//! 32-byte block is read as 4 unsigned 64-bit little-endian words, used in order, none skipped. A
//! uniform index in `0..n` draws words `x` until `x < 2^64 − (2^64 mod n)` and returns `x mod n`
//! (rejection, so no modulo bias). One stream serves the whole draw, in the order below.
//!
//! **Draw.**
//! 1. Objects and officers are sorted by ascending id; duplicate ids, and duplicate recusal pairs,
//!    are refused.
//! 2. The quota `q` is `count`, or `(n·permille + 500) div 1000` (round half up), at least 1.
//! 3. Every object of the pool, picked or not, must have at least `team` eligible officers (same
//!    region string, no recusal for that object); otherwise the draw is refused whatever the seed,
//!    so a failed draw cannot be used to obtain a second seed.
//! 4. Not stratified: partial Fisher–Yates over the sorted pool: for `i` in `0..q`, `j = i +
//!    index(n − i)`, swap positions `i` and `j`; the first `q` are picked. Stratified: strata are the
//!    grades A, B, C, D (risk rising from A to D), each sorted by id; stratum `g` of size `s_g` gets
//!    `floor(q·s_g / n)` and the `q − Σ floor` left over go one each to the strata with the largest
//!    remainders `q·s_g mod n`, ties to the higher risk grade (D before C before B before A). Then,
//!    grade by grade from A to D, partial Fisher–Yates as above within each stratum with a non-zero
//!    share (an empty share uses no words).
//! 5. For each picked object in ascending id order: let `L` be the officers of its region in ascending
//!    id. Up to 64 times in all for this object, while the team is not full: take `L[index(|L|)]` and
//!    keep it unless recused for this object or already in the team. If the team is still not full,
//!    list the remaining eligible officers of `L` in ascending id and complete the team with a partial
//!    Fisher–Yates over that list. Either way each member is uniform among the eligible officers not
//!    yet chosen. The team is reported sorted by id.
//!
//! Recusals naming an officer or object outside the pool are allowed and change nothing but the
//! digest (a standing register of conflicts may be handed in whole).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::PlanError;

/// Draws per object before officer selection falls back to the explicit eligible list.
const MAX_TRIES: u32 = 64;
/// Domain separation for the digest, so it can never be confused with another hash of ours.
const DIGEST_TAG: &[u8; 16] = b"tongquan/draw/v1";
/// How many short objects an error names.
const MAX_LISTED: usize = 10;

/// An enterprise or place that may be inspected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolObject {
    pub id: i64,
    /// County code; the officers sent must share it.
    pub region: String,
    pub grade: RiskGrade,
}

/// Credit-risk grade (信用风险分类): A lowest risk, D highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskGrade {
    A,
    B,
    C,
    D,
}

impl RiskGrade {
    fn letter(self) -> u8 {
        b'A' + self as u8
    }
}

/// An enforcement officer who may be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolOfficer {
    pub id: i64,
    pub region: String,
}

/// How many objects to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Quota {
    Count {
        count: usize,
    },
    /// Per mille of the pool, rounded half up, at least 1.
    Ratio {
        permille: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawSpec {
    pub quota: Quota,
    /// Allocate the quota across risk grades in proportion to their sizes.
    pub stratified: bool,
    /// Officers per object; the law requires at least two.
    pub team: usize,
}

/// Everything a draw depends on besides the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawInputs {
    pub spec: DrawSpec,
    pub objects: Vec<PoolObject>,
    pub officers: Vec<PoolOfficer>,
    pub recusals: Vec<Recusal>,
}

/// An officer who must not inspect an object (回避).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recusal {
    pub officer: i64,
    pub object: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawnObject {
    pub object: i64,
    /// Sorted by id.
    pub officers: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawOutcome {
    /// Sorted by object id.
    pub picks: Vec<DrawnObject>,
}

/// Reads a seed written as 64 hex digits.
pub fn parse_seed(hex: &str) -> Result<[u8; 32], PlanError> {
    let text = hex.trim();
    let mut seed = [0u8; 32];
    if text.len() != 64 || ::hex::decode_to_slice(text, &mut seed).is_err() {
        return Err(PlanError::invalid(
            "seed",
            "a seed is 64 hexadecimal digits",
            "种子应为 64 位十六进制数字",
        ));
    }
    Ok(seed)
}

/// The commitment published before the draw: lowercase hex SHA-256 of the 32 seed bytes.
pub fn commitment(seed: &[u8; 32]) -> String {
    ::hex::encode(Sha256::digest(seed))
}

/// Lowercase hex SHA-256 of the canonical encoding of the inputs, independent of their order.
///
/// Encoding (integers little-endian, `i64` two's complement, lengths and counts as `u64`):
/// ```text
/// "tongquan/draw/v1"                       16 ASCII bytes
/// quota        u8 0, u64 count   |   u8 1, u64 permille
/// stratified   u8 0 or 1
/// team         u64
/// objects      u64 n, then per object by ascending (id, region, grade):
///                i64 id, u64 byte length of region, region UTF-8, u8 grade 'A'..'D'
/// officers     u64 m, then per officer by ascending (id, region):
///                i64 id, u64 byte length of region, region UTF-8
/// recusals     u64 k, then per recusal by ascending (officer, object): i64 officer, i64 object
/// ```
/// Nothing is deduplicated: duplicates are hashed as given (and refused by [`draw`]).
pub fn inputs_digest(inputs: &DrawInputs) -> String {
    let mut h = Sha256::new();
    h.update(DIGEST_TAG);
    let spec = &inputs.spec;
    match spec.quota {
        Quota::Count { count } => {
            h.update([0u8]);
            h.update((count as u64).to_le_bytes());
        }
        Quota::Ratio { permille } => {
            h.update([1u8]);
            h.update(u64::from(permille).to_le_bytes());
        }
    }
    h.update([u8::from(spec.stratified)]);
    h.update((spec.team as u64).to_le_bytes());
    let put_str = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    let objects = sorted_objects(&inputs.objects);
    h.update((objects.len() as u64).to_le_bytes());
    for o in objects {
        h.update(o.id.to_le_bytes());
        put_str(&mut h, &o.region);
        h.update([o.grade.letter()]);
    }
    let officers = sorted_officers(&inputs.officers);
    h.update((officers.len() as u64).to_le_bytes());
    for o in officers {
        h.update(o.id.to_le_bytes());
        put_str(&mut h, &o.region);
    }
    let recusals = sorted_recusals(&inputs.recusals);
    h.update((recusals.len() as u64).to_le_bytes());
    for (officer, object) in recusals {
        h.update(officer.to_le_bytes());
        h.update(object.to_le_bytes());
    }
    ::hex::encode(h.finalize())
}

/// Draws objects and their teams from the seed, as specified in the module documentation.
pub fn draw(inputs: &DrawInputs, seed: &[u8; 32]) -> Result<DrawOutcome, PlanError> {
    draw_counted(inputs, seed).map(|(outcome, _)| outcome)
}

/// Checks a published draw: the seed against its commitment, the inputs against their digest, and
/// the outcome against a re-run of the draw.
pub fn verify(
    inputs: &DrawInputs,
    published_digest: &str,
    commitment_hex: &str,
    seed_hex: &str,
    outcome: &DrawOutcome,
) -> Result<(), PlanError> {
    let seed = parse_seed(seed_hex)?;
    if !commitment(&seed).eq_ignore_ascii_case(commitment_hex.trim()) {
        return Err(PlanError::CommitmentMismatch);
    }
    if !inputs_digest(inputs).eq_ignore_ascii_case(published_digest.trim()) {
        return Err(PlanError::InputsChanged);
    }
    if draw(inputs, &seed)? != *outcome {
        return Err(PlanError::OutcomeMismatch);
    }
    Ok(())
}

/// The draw, also returning how many objects needed the fallback (for tests and benchmarks).
pub(crate) fn draw_counted(
    inputs: &DrawInputs,
    seed: &[u8; 32],
) -> Result<(DrawOutcome, usize), PlanError> {
    let spec = &inputs.spec;
    check_spec(spec)?;
    if inputs.objects.is_empty() {
        return Err(PlanError::EmptyPool);
    }
    let objects = sorted_objects(&inputs.objects);
    if let Some(w) = objects.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate("object", "检查对象", w[0].id.to_string()));
    }
    let officers = sorted_officers(&inputs.officers);
    if let Some(w) = officers.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate("officer", "执法人员", w[0].id.to_string()));
    }
    let recusals = sorted_recusals(&inputs.recusals);
    if let Some(w) = recusals.windows(2).find(|w| w[0] == w[1]) {
        let (officer, object) = w[0];
        return Err(duplicate(
            "recusal",
            "回避记录",
            format!("officer {officer} / object {object}"),
        ));
    }
    let n = objects.len();
    let q = quota_size(&spec.quota, n)?;
    let teams = Teams::new(&officers, &recusals);
    teams.check(&objects, spec.team)?;

    let mut stream = Stream::new(seed);
    let mut picked: Vec<&PoolObject> = if spec.stratified {
        let mut strata: [Vec<&PoolObject>; 4] = Default::default();
        for &o in &objects {
            strata[o.grade as usize].push(o);
        }
        let sizes = strata.each_ref().map(Vec::len);
        let shares = allocate(q, sizes);
        let mut picked = Vec::with_capacity(q);
        for (stratum, k) in strata.iter_mut().zip(shares) {
            if k > 0 {
                partial_shuffle(stratum, k, &mut stream);
                picked.extend_from_slice(&stratum[..k]);
            }
        }
        picked
    } else {
        let mut pool = objects;
        partial_shuffle(&mut pool, q, &mut stream);
        pool.truncate(q);
        pool
    };
    picked.sort_unstable_by_key(|o| o.id);

    let mut fallbacks = 0;
    let picks = picked
        .iter()
        .map(|o| DrawnObject {
            object: o.id,
            officers: teams.pick(o, spec.team, &mut stream, &mut fallbacks),
        })
        .collect();
    Ok((DrawOutcome { picks }, fallbacks))
}

fn check_spec(spec: &DrawSpec) -> Result<(), PlanError> {
    if spec.team < 2 {
        return Err(PlanError::invalid(
            "team",
            "at least two officers must inspect together",
            "执法检查须至少两名执法人员",
        ));
    }
    match spec.quota {
        Quota::Count { count: 0 } => Err(PlanError::invalid(
            "quota",
            "the count must be at least 1",
            "抽取数量至少为 1",
        )),
        Quota::Ratio { permille } if permille == 0 || permille > 1000 => Err(PlanError::invalid(
            "quota",
            format!("the ratio must be 1‰ to 1000‰, not {permille}‰"),
            format!("抽取比例应在 1‰ 至 1000‰ 之间，而不是 {permille}‰"),
        )),
        _ => Ok(()),
    }
}

fn quota_size(quota: &Quota, n: usize) -> Result<usize, PlanError> {
    match *quota {
        Quota::Count { count } if count > n => Err(PlanError::QuotaExceedsPool {
            quota: count,
            pool: n,
        }),
        Quota::Count { count } => Ok(count),
        Quota::Ratio { permille } => {
            let q = (n as u128 * u128::from(permille) + 500) / 1000;
            Ok((q as usize).max(1))
        }
    }
}

/// Largest-remainder allocation of `q` over strata of the given sizes (A..D).
fn allocate(q: usize, sizes: [usize; 4]) -> [usize; 4] {
    let n: u128 = sizes.iter().map(|&s| s as u128).sum();
    let mut shares = [0usize; 4];
    let mut remainders = [0u128; 4];
    for g in 0..4 {
        let exact = q as u128 * sizes[g] as u128;
        shares[g] = (exact / n) as usize;
        remainders[g] = exact % n;
    }
    let left = q - shares.iter().sum::<usize>();
    // Fewer than `left` strata can never have a zero remainder among the first `left`, since each
    // remainder is below n and they sum to left·n; so no stratum gets more than its size.
    let mut order = [3usize, 2, 1, 0];
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(b.cmp(&a)));
    for &g in &order[..left] {
        shares[g] += 1;
    }
    shares
}

fn duplicate(what: &'static str, what_zh: &'static str, id: String) -> PlanError {
    PlanError::DuplicateId { what, what_zh, id }
}

fn sorted_objects(objects: &[PoolObject]) -> Vec<&PoolObject> {
    let mut v: Vec<&PoolObject> = objects.iter().collect();
    v.sort_unstable_by(|a, b| (a.id, &a.region, a.grade).cmp(&(b.id, &b.region, b.grade)));
    v
}

fn sorted_officers(officers: &[PoolOfficer]) -> Vec<&PoolOfficer> {
    let mut v: Vec<&PoolOfficer> = officers.iter().collect();
    v.sort_unstable_by(|a, b| (a.id, &a.region).cmp(&(b.id, &b.region)));
    v
}

fn sorted_recusals(recusals: &[Recusal]) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = recusals.iter().map(|r| (r.officer, r.object)).collect();
    v.sort_unstable();
    v
}

/// SHA-256 in counter mode over the seed.
struct Stream<'a> {
    seed: &'a [u8; 32],
    block: u64,
    words: [u64; 4],
    used: usize,
}

impl<'a> Stream<'a> {
    fn new(seed: &'a [u8; 32]) -> Self {
        Stream {
            seed,
            block: 0,
            words: [0; 4],
            used: 4,
        }
    }

    fn next_u64(&mut self) -> u64 {
        if self.used == 4 {
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(self.block.to_le_bytes());
            let out = h.finalize();
            for (w, bytes) in self.words.iter_mut().zip(out.chunks_exact(8)) {
                *w = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
            }
            self.block += 1;
            self.used = 0;
        }
        self.used += 1;
        self.words[self.used - 1]
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let rem = (u64::MAX % n + 1) % n; // 2^64 mod n
        loop {
            let x = self.next_u64();
            if x <= u64::MAX - rem {
                return (x % n) as usize;
            }
        }
    }
}

/// Moves a uniform random `k`-subset, in random order, to the front of `items`.
fn partial_shuffle<T>(items: &mut [T], k: usize, stream: &mut Stream) {
    for i in 0..k {
        let j = i + stream.below(items.len() - i);
        items.swap(i, j);
    }
}

/// Officers by region and recusals by object, for team selection.
struct Teams<'a> {
    /// Officer ids of each region, ascending.
    by_region: HashMap<&'a str, Vec<i64>>,
    /// (object, officer) pairs, sorted, so an object's recusals are one slice.
    recused: Vec<(i64, i64)>,
}

impl<'a> Teams<'a> {
    fn new(officers: &[&'a PoolOfficer], recusals: &[(i64, i64)]) -> Self {
        let mut by_region: HashMap<&str, Vec<i64>> = HashMap::new();
        for o in officers {
            by_region.entry(o.region.as_str()).or_default().push(o.id);
        }
        let mut recused: Vec<(i64, i64)> = recusals.iter().map(|&(off, obj)| (obj, off)).collect();
        recused.sort_unstable();
        Teams { by_region, recused }
    }

    fn officers_of(&self, region: &str) -> &[i64] {
        self.by_region.get(region).map_or(&[], Vec::as_slice)
    }

    fn recused_from(&self, object: i64) -> impl Iterator<Item = i64> + '_ {
        let lo = self.recused.partition_point(|r| r.0 < object);
        let hi = self.recused.partition_point(|r| r.0 <= object);
        self.recused[lo..hi].iter().map(|r| r.1)
    }

    fn is_recused(&self, object: i64, officer: i64) -> bool {
        self.recused.binary_search(&(object, officer)).is_ok()
    }

    fn eligible(&self, object: &PoolObject) -> usize {
        let list = self.officers_of(&object.region);
        let out = self
            .recused_from(object.id)
            .filter(|off| list.binary_search(off).is_ok())
            .count();
        list.len() - out
    }

    /// Refuses the draw if any object of the pool could not be given a full team.
    fn check(&self, objects: &[&PoolObject], team: usize) -> Result<(), PlanError> {
        let mut short = Vec::new();
        let mut more = 0;
        for o in objects {
            let n = self.eligible(o);
            if n < team {
                if short.len() < MAX_LISTED {
                    short.push((o.id, n));
                } else {
                    more += 1;
                }
            }
        }
        if short.is_empty() {
            Ok(())
        } else {
            Err(PlanError::TooFewOfficers {
                team,
                objects: short,
                more,
            })
        }
    }

    fn pick(
        &self,
        object: &PoolObject,
        team: usize,
        stream: &mut Stream,
        fallbacks: &mut usize,
    ) -> Vec<i64> {
        let list = self.officers_of(&object.region);
        let usable =
            |chosen: &[i64], off: i64| !chosen.contains(&off) && !self.is_recused(object.id, off);
        let mut chosen = Vec::with_capacity(team);
        let mut tries = 0;
        while chosen.len() < team && tries < MAX_TRIES {
            tries += 1;
            let off = list[stream.below(list.len())];
            if usable(&chosen, off) {
                chosen.push(off);
            }
        }
        if chosen.len() < team {
            // Many recusals or a team close to the region's size: rejection could take long.
            *fallbacks += 1;
            let mut rest: Vec<i64> = list
                .iter()
                .copied()
                .filter(|&off| usable(&chosen, off))
                .collect();
            let k = team - chosen.len();
            partial_shuffle(&mut rest, k, stream);
            chosen.extend_from_slice(&rest[..k]);
        }
        chosen.sort_unstable();
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEED: [u8; 32] = [7; 32];
    const GRADES: [RiskGrade; 4] = [RiskGrade::A, RiskGrade::B, RiskGrade::C, RiskGrade::D];

    /// SplitMix64, for reproducible test instances.
    struct Mix(u64);
    impl Mix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn spec(quota: Quota, stratified: bool) -> DrawSpec {
        DrawSpec {
            quota,
            stratified,
            team: 2,
        }
    }

    /// Objects and officers spread over `regions` regions; one object in ten has a recusal.
    fn instance(objects: usize, officers: usize, regions: usize, seed: u64) -> DrawInputs {
        let mut rng = Mix(seed);
        let region = |k: usize| format!("3714{:02}", k % regions);
        let objects: Vec<PoolObject> = (0..objects)
            .map(|i| PoolObject {
                id: 1000 + i as i64 * 3,
                region: region(rng.below(regions as u64) as usize),
                grade: GRADES[rng.below(4) as usize],
            })
            .collect();
        let officers: Vec<PoolOfficer> = (0..officers)
            .map(|i| PoolOfficer {
                id: 50 + i as i64,
                region: region(i),
            })
            .collect();
        let mut recusals = Vec::new();
        for o in &objects {
            if rng.below(10) == 0 {
                let same: Vec<&PoolOfficer> =
                    officers.iter().filter(|f| f.region == o.region).collect();
                let f = same[rng.below(same.len() as u64) as usize];
                recusals.push(Recusal {
                    officer: f.id,
                    object: o.id,
                });
            }
        }
        DrawInputs {
            spec: spec(Quota::Ratio { permille: 100 }, true),
            objects,
            officers,
            recusals,
        }
    }

    fn check_outcome(inputs: &DrawInputs, out: &DrawOutcome) {
        let ids: Vec<i64> = out.picks.iter().map(|p| p.object).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        for p in &out.picks {
            let obj = inputs
                .objects
                .iter()
                .find(|o| o.id == p.object)
                .expect("in pool");
            assert_eq!(p.officers.len(), inputs.spec.team);
            assert!(
                p.officers.windows(2).all(|w| w[0] < w[1]),
                "distinct officers"
            );
            for off in &p.officers {
                let f = inputs
                    .officers
                    .iter()
                    .find(|f| f.id == *off)
                    .expect("known officer");
                assert_eq!(f.region, obj.region);
                assert!(
                    !inputs
                        .recusals
                        .iter()
                        .any(|r| r.officer == *off && r.object == p.object)
                );
            }
        }
    }

    fn grades(inputs: &DrawInputs, out: &DrawOutcome) -> [usize; 4] {
        let mut by = [0; 4];
        for p in &out.picks {
            let o = inputs.objects.iter().find(|o| o.id == p.object).unwrap();
            by[o.grade as usize] += 1;
        }
        by
    }

    fn graded(a: usize, b: usize, c: usize, d: usize) -> DrawInputs {
        let mut objects = Vec::new();
        for (g, n) in [a, b, c, d].into_iter().enumerate() {
            for _ in 0..n {
                objects.push(PoolObject {
                    id: objects.len() as i64 + 1,
                    region: "r".into(),
                    grade: GRADES[g],
                });
            }
        }
        let officers = (0..5)
            .map(|i| PoolOfficer {
                id: i,
                region: "r".into(),
            })
            .collect();
        DrawInputs {
            spec: spec(Quota::Ratio { permille: 100 }, true),
            objects,
            officers,
            recusals: vec![],
        }
    }

    #[test]
    fn stream_and_commitment_known_answers() {
        // SHA-256 of 32 zero bytes.
        assert_eq!(
            commitment(&[0; 32]),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        let mut s = Stream::new(&[0; 32]);
        let block0 = Sha256::digest([0u8; 40]);
        assert_eq!(
            s.next_u64(),
            u64::from_le_bytes(block0[..8].try_into().unwrap())
        );
        for _ in 0..3 {
            s.next_u64();
        }
        let mut input = [0u8; 40];
        input[32] = 1;
        let block1 = Sha256::digest(input);
        assert_eq!(
            s.next_u64(),
            u64::from_le_bytes(block1[..8].try_into().unwrap())
        );
        assert!((0..1000).all(|_| s.below(7) < 7));
        assert_eq!(s.below(1), 0);
    }

    /// Expected values computed by bench/enforcement/reference_draw.py, an independent Python
    /// implementation written from the specification above: any change here breaks published draws.
    #[test]
    fn golden_vectors_match_the_reference_implementation() {
        let objects: Vec<PoolObject> = (1..=12)
            .map(|i| PoolObject {
                id: i,
                region: if i % 2 == 1 { "a" } else { "b" }.into(),
                grade: GRADES[i as usize % 4],
            })
            .collect();
        let officers: Vec<PoolOfficer> = (1..=110)
            .map(|i| PoolOfficer {
                id: i,
                region: if i <= 100 { "a" } else { "b" }.into(),
            })
            .collect();
        // Object 1 keeps only officers 99 and 100: the fallback path.
        let mut recusals: Vec<Recusal> = (1..99)
            .map(|officer| Recusal { officer, object: 1 })
            .collect();
        recusals.push(Recusal {
            officer: 105,
            object: 4,
        });
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
        let cases: [(Quota, bool, &str, &str); 3] = [
            (
                Quota::Count { count: 12 },
                true,
                "1130d0f002da980db6301f4dbd40767d9284c908f10707b211a6413fc3d7a385",
                "[[1,[99,100]],[2,[102,103]],[3,[36,74]],[4,[104,108]],[5,[63,66]],[6,[105,110]],\
                 [7,[62,97]],[8,[101,108]],[9,[27,98]],[10,[105,109]],[11,[20,40]],[12,[101,103]]]",
            ),
            (
                Quota::Count { count: 5 },
                false,
                "67d1384cf506bdef1c647f995beae2d20e9aad6f0ebbad07a697ad8841f152bf",
                "[[1,[99,100]],[2,[101,106]],[3,[14,40]],[8,[105,109]],[9,[14,32]]]",
            ),
            (
                Quota::Ratio { permille: 500 },
                true,
                "93249a621a31cbfb8443967cce47747b4382e2f02be19b2a383ea24f16dd6160",
                "[[2,[108,110]],[5,[25,52]],[7,[28,29]],[8,[103,108]],[10,[101,105]],[11,[5,48]]]",
            ),
        ];
        for (quota, stratified, digest, picks) in cases {
            let inputs = DrawInputs {
                spec: spec(quota, stratified),
                objects: objects.clone(),
                officers: officers.clone(),
                recusals: recusals.clone(),
            };
            assert_eq!(inputs_digest(&inputs), digest);
            let (out, fallbacks) = draw_counted(&inputs, &seed).unwrap();
            let got: Vec<(i64, Vec<i64>)> = out
                .picks
                .into_iter()
                .map(|p| (p.object, p.officers))
                .collect();
            let want: Vec<(i64, Vec<i64>)> = serde_json::from_str(picks).unwrap();
            assert_eq!(got, want);
            assert_eq!(fallbacks, usize::from(got[0].0 == 1));
        }
    }

    #[test]
    fn parse_seed_round_trip_and_errors() {
        let hex = ::hex::encode(SEED);
        assert_eq!(parse_seed(&hex).unwrap(), SEED);
        assert_eq!(parse_seed(&hex.to_uppercase()).unwrap(), SEED);
        for bad in ["", "abc", &hex[..62], &format!("{}zz", &hex[..62])] {
            assert_eq!(
                parse_seed(bad).unwrap_err().code(),
                "plan.invalid_parameter"
            );
        }
    }

    #[test]
    fn deterministic_and_order_independent() {
        let inputs = instance(600, 60, 4, 1);
        let a = draw(&inputs, &SEED).unwrap();
        assert_eq!(a, draw(&inputs, &SEED).unwrap());
        assert_eq!(a.picks.len(), 60);
        check_outcome(&inputs, &a);
        let mut shuffled = inputs.clone();
        shuffled.objects.reverse();
        shuffled.officers.reverse();
        shuffled.recusals.reverse();
        shuffled.objects.swap(3, 400);
        assert_eq!(draw(&shuffled, &SEED).unwrap(), a);
        assert_eq!(inputs_digest(&shuffled), inputs_digest(&inputs));
    }

    #[test]
    fn different_seeds_give_different_picks() {
        let mut inputs = instance(1000, 40, 4, 2);
        inputs.spec.quota = Quota::Count { count: 50 };
        let picks = |seed: &[u8; 32]| -> Vec<i64> {
            draw(&inputs, seed)
                .unwrap()
                .picks
                .iter()
                .map(|p| p.object)
                .collect()
        };
        let a = picks(&SEED);
        let mut other = SEED;
        other[31] ^= 1;
        let b = picks(&other);
        assert_eq!(a.len(), 50);
        assert_ne!(a, b);
        // Two independent 50-of-1000 draws share 2.5 objects on average.
        let common = a.iter().filter(|id| b.contains(id)).count();
        assert!(common < 15, "{common} in common");
    }

    #[test]
    fn quotas_and_stratified_allocation_exact() {
        let mut inputs = graded(10, 20, 30, 40);
        let out = draw(&inputs, &SEED).unwrap();
        assert_eq!(grades(&inputs, &out), [1, 2, 3, 4]);
        check_outcome(&inputs, &out);

        inputs.spec.quota = Quota::Ratio { permille: 55 }; // 5.5 rounds up to 6
        inputs.spec.stratified = false;
        assert_eq!(draw(&inputs, &SEED).unwrap().picks.len(), 6);
        inputs.spec.quota = Quota::Ratio { permille: 1 }; // 0.1 → at least one
        assert_eq!(draw(&inputs, &SEED).unwrap().picks.len(), 1);
        inputs.spec.quota = Quota::Ratio { permille: 1000 };
        assert_eq!(draw(&inputs, &SEED).unwrap().picks.len(), 100);
        inputs.spec.quota = Quota::Count { count: 7 };
        assert_eq!(draw(&inputs, &SEED).unwrap().picks.len(), 7);
        inputs.spec.quota = Quota::Count { count: 101 };
        assert_eq!(
            draw(&inputs, &SEED).unwrap_err(),
            PlanError::QuotaExceedsPool {
                quota: 101,
                pool: 100
            }
        );

        // Equal remainders: the higher risk grades win.
        let mut even = graded(25, 25, 25, 25);
        even.spec.quota = Quota::Count { count: 2 };
        let out = draw(&even, &SEED).unwrap();
        assert_eq!(grades(&even, &out), [0, 0, 1, 1]);
        // 7 of (3, 3, 3, 1): exact 2.1 each and 0.7 → D first by remainder, then C and B on ties.
        let mut odd = graded(3, 3, 3, 1);
        odd.spec.quota = Quota::Count { count: 7 };
        assert_eq!(allocate(7, [3, 3, 3, 1]), [2, 2, 2, 1]);
        assert_eq!(grades(&odd, &draw(&odd, &SEED).unwrap()), [2, 2, 2, 1]);
        assert_eq!(allocate(2, [1, 1, 1, 1]), [0, 0, 1, 1]);
        assert_eq!(allocate(5, [0, 0, 5, 0]), [0, 0, 5, 0]);
    }

    #[test]
    fn bad_parameters_refused() {
        let mut inputs = graded(1, 1, 1, 1);
        inputs.spec.team = 1;
        assert_eq!(
            draw(&inputs, &SEED).unwrap_err().code(),
            "plan.invalid_parameter"
        );
        inputs.spec.team = 2;
        for quota in [
            Quota::Count { count: 0 },
            Quota::Ratio { permille: 0 },
            Quota::Ratio { permille: 1001 },
        ] {
            inputs.spec.quota = quota;
            assert_eq!(
                draw(&inputs, &SEED).unwrap_err().code(),
                "plan.invalid_parameter"
            );
        }
        inputs.spec.quota = Quota::Count { count: 1 };
        let mut dup = inputs.clone();
        dup.objects[1].id = dup.objects[0].id;
        assert_eq!(draw(&dup, &SEED).unwrap_err().code(), "plan.duplicate_id");
        let mut dup = inputs.clone();
        dup.officers[1].id = dup.officers[0].id;
        assert_eq!(draw(&dup, &SEED).unwrap_err().code(), "plan.duplicate_id");
        let mut dup = inputs.clone();
        dup.recusals = vec![
            Recusal {
                officer: 1,
                object: 1,
            };
            2
        ];
        let err = draw(&dup, &SEED).unwrap_err();
        assert_eq!(err.code(), "plan.duplicate_id");
        assert!(err.message_zh().contains("回避记录"));
    }

    #[test]
    fn empty_pool_refused() {
        let mut inputs = graded(0, 0, 0, 0);
        let err = draw(&inputs, &SEED).unwrap_err();
        assert_eq!(err.code(), "plan.empty_pool");
        assert!(!err.message_zh().is_empty() && !err.message_en().is_empty());
        inputs.spec.quota = Quota::Count { count: 1 };
        assert_eq!(draw(&inputs, &SEED).unwrap_err(), PlanError::EmptyPool);
    }

    #[test]
    fn teams_distinct_same_region_never_recused() {
        let mut inputs = instance(3000, 90, 6, 3);
        inputs.spec.quota = Quota::Ratio { permille: 1000 };
        inputs.spec.team = 3;
        let (out, _) = draw_counted(&inputs, &SEED).unwrap();
        assert_eq!(out.picks.len(), 3000);
        check_outcome(&inputs, &out);
    }

    #[test]
    fn recusal_heavy_uses_fallback_and_stays_correct() {
        let officers: Vec<PoolOfficer> = (0..200)
            .map(|i| PoolOfficer {
                id: i,
                region: "r".into(),
            })
            .collect();
        let objects: Vec<PoolObject> = (0..20)
            .map(|i| PoolObject {
                id: i,
                region: "r".into(),
                grade: RiskGrade::B,
            })
            .collect();
        // Each object may be inspected only by officers `o` and `o + 100`.
        let recusals = objects
            .iter()
            .flat_map(|o| {
                (0..200)
                    .filter(move |f| f % 100 != o.id)
                    .map(move |f| Recusal {
                        officer: f,
                        object: o.id,
                    })
            })
            .collect();
        let inputs = DrawInputs {
            spec: spec(Quota::Count { count: 20 }, false),
            objects,
            officers,
            recusals,
        };
        let (out, fallbacks) = draw_counted(&inputs, &SEED).unwrap();
        assert!(fallbacks > 10, "{fallbacks} fallbacks");
        for p in &out.picks {
            assert_eq!(p.officers, vec![p.object, p.object + 100]);
        }
        check_outcome(&inputs, &out);
        assert_eq!(draw_counted(&inputs, &SEED).unwrap(), (out, fallbacks));
    }

    #[test]
    fn too_few_officers_named() {
        let mut inputs = instance(40, 8, 2, 4);
        inputs.recusals.clear();
        // Region 371401 keeps only one officer; a recusal leaves one object of 371400 with one.
        inputs
            .officers
            .retain(|f| f.region == "371400" || f.id == 51);
        let victim = inputs
            .objects
            .iter()
            .find(|o| o.region == "371400")
            .unwrap()
            .id;
        inputs.recusals = vec![
            Recusal {
                officer: 50,
                object: victim,
            },
            Recusal {
                officer: 52,
                object: victim,
            },
            Recusal {
                officer: 54,
                object: victim,
            },
        ];
        let short: Vec<i64> = inputs
            .objects
            .iter()
            .filter(|o| o.region == "371401")
            .map(|o| o.id)
            .collect();
        let err = draw(&inputs, &SEED).unwrap_err();
        assert_eq!(err.code(), "plan.too_few_officers");
        let PlanError::TooFewOfficers {
            team,
            objects,
            more,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*team, 2);
        assert_eq!(objects.len() + more, short.len() + 1);
        assert!(objects.len() <= MAX_LISTED);
        assert!(objects.contains(&(victim, 1)) || *more > 0);
        assert!(
            objects
                .iter()
                .all(|(id, n)| *n == 1 && (*id == victim || short.contains(id)))
        );
        assert!(err.message_en().contains("eligible"));
        assert!(err.message_zh().contains("人数不足"));
    }

    #[test]
    fn verify_round_trip_and_tampering() {
        let inputs = instance(500, 50, 5, 5);
        let digest = inputs_digest(&inputs);
        let commit = commitment(&SEED);
        let seed_hex = ::hex::encode(SEED);
        let out = draw(&inputs, &SEED).unwrap();
        assert_eq!(verify(&inputs, &digest, &commit, &seed_hex, &out), Ok(()));
        assert_eq!(digest.len(), 64);
        assert!(
            digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );

        let code = |inputs: &DrawInputs, commit: &str, seed: &str, out: &DrawOutcome| {
            verify(inputs, &digest, commit, seed, out)
                .unwrap_err()
                .code()
        };
        let mut t = inputs.clone();
        t.objects[10].grade = if t.objects[10].grade == RiskGrade::D {
            RiskGrade::A
        } else {
            RiskGrade::D
        };
        assert_eq!(code(&t, &commit, &seed_hex, &out), "plan.inputs_changed");
        let mut t = inputs.clone();
        t.officers[3].region = "999999".into();
        assert_eq!(code(&t, &commit, &seed_hex, &out), "plan.inputs_changed");
        let mut t = inputs.clone();
        t.recusals[0].object += 1;
        assert_eq!(code(&t, &commit, &seed_hex, &out), "plan.inputs_changed");
        let mut t = inputs.clone();
        t.spec.team = 3;
        assert_eq!(code(&t, &commit, &seed_hex, &out), "plan.inputs_changed");

        let mut other = SEED;
        other[0] ^= 0x80;
        assert_eq!(
            code(&inputs, &commit, &::hex::encode(other), &out),
            "plan.commitment_mismatch"
        );
        assert_eq!(
            code(&inputs, &commitment(&other), &seed_hex, &out),
            "plan.commitment_mismatch"
        );
        let mut t = out.clone();
        t.picks[0].officers[0] += 1;
        assert_eq!(
            code(&inputs, &commit, &seed_hex, &t),
            "plan.outcome_mismatch"
        );
        let mut t = out.clone();
        t.picks.pop();
        assert_eq!(
            code(&inputs, &commit, &seed_hex, &t),
            "plan.outcome_mismatch"
        );

        for err in [
            PlanError::CommitmentMismatch,
            PlanError::InputsChanged,
            PlanError::OutcomeMismatch,
        ] {
            assert!(!err.message_en().is_empty() && !err.message_zh().is_empty());
        }
    }

    #[test]
    fn serde_shapes() {
        let q = serde_json::to_value(Quota::Ratio { permille: 50 }).unwrap();
        assert_eq!(q, serde_json::json!({"by": "ratio", "permille": 50}));
        let c: Quota = serde_json::from_str(r#"{"by":"count","count":3}"#).unwrap();
        assert_eq!(c, Quota::Count { count: 3 });
        assert_eq!(serde_json::to_string(&RiskGrade::C).unwrap(), "\"C\"");
    }

    fn small() -> impl Strategy<Value = DrawInputs> {
        (
            proptest::collection::vec((0i64..60, 0usize..3, 0usize..4), 1..40),
            proptest::collection::vec((0i64..40, 0usize..3), 6..30),
            proptest::collection::vec((0i64..40, 0i64..60), 0..30),
            1u32..1001,
            any::<bool>(),
            2usize..4,
        )
            .prop_map(|(objs, offs, recs, permille, stratified, team)| {
                let mut objects: Vec<PoolObject> = objs
                    .into_iter()
                    .map(|(id, r, g)| PoolObject {
                        id,
                        region: format!("r{r}"),
                        grade: GRADES[g],
                    })
                    .collect();
                objects.sort_by_key(|o| o.id);
                objects.dedup_by_key(|o| o.id);
                let mut officers: Vec<PoolOfficer> = offs
                    .into_iter()
                    .map(|(id, r)| PoolOfficer {
                        id,
                        region: format!("r{r}"),
                    })
                    .collect();
                officers.sort_by_key(|o| o.id);
                officers.dedup_by_key(|o| o.id);
                let mut recusals: Vec<(i64, i64)> = recs;
                recusals.sort_unstable();
                recusals.dedup();
                DrawInputs {
                    spec: DrawSpec {
                        quota: Quota::Ratio { permille },
                        stratified,
                        team,
                    },
                    objects,
                    officers,
                    recusals: recusals
                        .into_iter()
                        .map(|(officer, object)| Recusal { officer, object })
                        .collect(),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn picks_are_a_valid_draw(inputs in small(), seed in any::<[u8; 32]>()) {
            let n = inputs.objects.len();
            let q = expected_quota(&inputs.spec.quota, n);
            match draw(&inputs, &seed) {
                Ok(out) => {
                    prop_assert_eq!(out.picks.len(), q);
                    check_outcome(&inputs, &out);
                    if inputs.spec.stratified {
                        let mut sizes = [0; 4];
                        for o in &inputs.objects {
                            sizes[o.grade as usize] += 1;
                        }
                        prop_assert_eq!(grades(&inputs, &out), allocate(q, sizes));
                    }
                }
                Err(PlanError::TooFewOfficers { team, objects, .. }) => {
                    prop_assert!(!objects.is_empty());
                    for (id, eligible) in objects {
                        let o = inputs.objects.iter().find(|o| o.id == id).unwrap();
                        let real = inputs.officers.iter().filter(|f| {
                            f.region == o.region
                                && !inputs.recusals.iter().any(|r| r.officer == f.id && r.object == id)
                        }).count();
                        prop_assert_eq!(eligible, real);
                        prop_assert!(real < team);
                    }
                }
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
            }
        }
    }

    /// Round half up, at least one: written out independently of `quota_size`.
    fn expected_quota(quota: &Quota, n: usize) -> usize {
        match *quota {
            Quota::Count { count } => count,
            Quota::Ratio { permille } => {
                let scaled = n * permille as usize;
                (scaled / 1000 + usize::from(scaled % 1000 >= 500)).max(1)
            }
        }
    }
}
