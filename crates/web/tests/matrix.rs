//! The route matrix (issue 12): every route the router serves × every staff role and an
//! anonymous visitor × a record inside and outside the caller's jurisdiction, on both backends.
//!
//! The routes are not listed here by hand: they are read from `src/router.rs` at test time (every
//! `.route("PATH", get(..).post(..))`, with the prefix of the router it is nested under). Each
//! (method, route) must have exactly one entry in [`policy`], which says who may call it and what
//! anyone else gets; a route without an entry, or an entry without a route, fails the test. So a
//! new route cannot be added without saying who may use it.
//!
//! Every staff caller works in 乐陵市 (371481): "own" samples are records there, "other" samples
//! are records of another county (the first with an approval branch). An allowed call must not
//! be refused (401/403, a redirect to sign in, or 404 for a record that exists); a refused one
//! must be refused exactly as the policy says and, for a write, change nothing (the audit chain
//! does not grow). Nobody but the city administrator may ever see the other county's private
//! records: their markers must not appear in any answer of a route whose data is not public.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Browser, Reply, TestApp, between, multipart};
use serde_json::{Value, json};
use tongquan_domain::access::{Actor, Role};
use tongquan_store::contract_tests;
use tongquan_store::seed::DEMO_PASSWORD;
use tongquan_store::testing::{TestDb, delegated_item, four_certificate_bundle};

contract_tests!(every_route_answers_every_role_as_its_policy_says);

// ---------------------------------------------------------------------------------------------
// The routes, read from the router's source.

const ROUTER: &str = include_str!("../src/router.rs");

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// The source without `//` comments (outside string literals), so commented-out routes do not count.
fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == '/' && chars.peek() == Some(&'/') {
            while chars.peek().is_some_and(|n| *n != '\n') {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The index of the bracket closing the one at `open`, skipping string literals.
fn closing(src: &str, open: usize) -> usize {
    let b = src.as_bytes();
    let (mut depth, mut in_str, mut i) = (0i32, false, open);
    while i < b.len() {
        match (in_str, b[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') => in_str = false,
            (true, _) => {}
            (false, b'"') => in_str = true,
            (false, b'(' | b'[' | b'{') => depth += 1,
            (false, b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    panic!("router.rs: unbalanced bracket at byte {open}");
}

/// The arguments of a call, split at top-level commas.
fn arguments(args: &str) -> Vec<String> {
    let b = args.as_bytes();
    let (mut out, mut depth, mut in_str, mut from) = (Vec::new(), 0i32, false, 0);
    let mut i = 0;
    while i < b.len() {
        match (in_str, b[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') => in_str = false,
            (true, _) => {}
            (false, b'"') => in_str = true,
            (false, b'(' | b'[' | b'{') => depth += 1,
            (false, b')' | b']' | b'}') => depth -= 1,
            (false, b',') if depth == 0 => {
                out.push(args[from..i].trim().to_owned());
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let last = args[from..].trim();
    if !last.is_empty() {
        out.push(last.to_owned());
    }
    out
}

/// The calls of a builder chain `a(..).b(..)` from `i` (with `dotted`, every call starts with a
/// dot, as after `Router::new()`): (name, arguments) and where the chain ends.
fn chain(src: &str, mut i: usize, dotted: bool) -> (Vec<(String, String)>, usize) {
    let mut calls = Vec::new();
    let mut first = true;
    loop {
        let rest = &src[i..];
        let skipped = rest.len() - rest.trim_start().len();
        let mut j = i + skipped;
        if dotted || !first {
            if !src[j..].starts_with('.') {
                return (calls, i);
            }
            j += 1;
        }
        let name_len = src[j..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(src.len() - j);
        let name = src[j..j + name_len].to_owned();
        let open = j + name_len;
        if name.is_empty() || !src[open..].starts_with('(') {
            if first && !dotted {
                panic!("router.rs: expected a method router, found {:?}", &src[j..]);
            }
            return (calls, i);
        }
        let close = closing(src, open);
        calls.push((name, src[open + 1..close].to_owned()));
        i = close + 1;
        first = false;
    }
}

fn literal(arg: &str) -> String {
    let arg = arg.trim();
    assert!(
        arg.len() >= 2 && arg.starts_with('"') && arg.ends_with('"') && !arg.contains('\\'),
        "router.rs: a route path must be a plain string literal, found {arg}"
    );
    arg[1..arg.len() - 1].to_owned()
}

/// One `Router::new()` chain: its `let` name (none for the router returned), its routes (path,
/// methods) and the routers nested in it (prefix, name).
struct Chain {
    name: Option<String>,
    routes: Vec<(String, Vec<String>)>,
    nests: Vec<(String, String)>,
}

/// Every (METHOD, path) the router serves, in the order router.rs lists them.
fn router_routes() -> Vec<(String, String)> {
    let src = strip_comments(ROUTER);
    let mut chains: Vec<Chain> = Vec::new();
    let mut from = 0;
    while let Some(at) = src[from..].find("Router::new()") {
        let start = from + at;
        let before = src[..start].trim_end();
        let name = before.strip_suffix('=').and_then(|b| {
            let b = b.trim_end();
            let ident = b
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()?;
            b[..b.len() - ident.len()]
                .trim_end()
                .ends_with("let")
                .then(|| ident.to_owned())
        });
        let (calls, end) = chain(&src, start + "Router::new()".len(), true);
        let (mut routes, mut nests) = (Vec::new(), Vec::new());
        for (call, args) in calls {
            let args = arguments(&args);
            match call.as_str() {
                "route" => {
                    assert_eq!(args.len(), 2, "router.rs: .route takes a path and a router");
                    let (methods, _) = chain(&args[1], 0, false);
                    let mut verbs = Vec::new();
                    for (m, _) in methods {
                        if METHODS.contains(&m.as_str()) {
                            verbs.push(m.to_uppercase());
                        } else if !matches!(m.as_str(), "layer" | "route_layer") {
                            panic!(
                                "router.rs: tests/matrix.rs does not know the method router {m}(); teach it"
                            );
                        }
                    }
                    assert!(!verbs.is_empty(), "router.rs: a route without a method");
                    routes.push((literal(&args[0]), verbs));
                }
                "nest" => {
                    assert!(
                        args.len() == 2
                            && args[1]
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "router.rs: tests/matrix.rs follows .nest(\"prefix\", router_variable) only"
                    );
                    nests.push((literal(&args[0]), args[1].clone()));
                }
                "layer" | "route_layer" | "fallback" | "with_state" => {}
                other => panic!(
                    "router.rs: tests/matrix.rs does not know Router::{other}; teach it, so its routes are covered"
                ),
            }
        }
        chains.push(Chain {
            name,
            routes,
            nests,
        });
        from = end;
    }
    fn expand(chains: &[Chain], index: usize, prefix: &str, out: &mut Vec<(String, String)>) {
        let Chain { routes, nests, .. } = &chains[index];
        for (path, verbs) in routes {
            for v in verbs {
                out.push((v.clone(), format!("{prefix}{path}")));
            }
        }
        for (p, name) in nests {
            let nested = chains
                .iter()
                .position(|c| c.name.as_deref() == Some(name.as_str()))
                .unwrap_or_else(|| panic!("router.rs: nested router {name} not found"));
            expand(chains, nested, &format!("{prefix}{p}"), out);
        }
    }
    let roots: Vec<usize> = (0..chains.len())
        .filter(|i| chains[*i].name.is_none())
        .collect();
    assert_eq!(roots.len(), 1, "router.rs: expected one returned router");
    let mut out = Vec::new();
    expand(&chains, roots[0], "", &mut out);
    let unique: BTreeSet<&(String, String)> = out.iter().collect();
    assert_eq!(
        unique.len(),
        out.len(),
        "router.rs: a route is listed twice"
    );
    assert!(
        out.len() > 100,
        "router.rs: only {} routes found",
        out.len()
    );
    out
}

// ---------------------------------------------------------------------------------------------
// The callers.

const CA: Role = Role::CityAdmin;
const CB: Role = Role::CountyBureau;
const BC: Role = Role::BranchClerk;
const CC: Role = Role::CentreClerk;
const DA: Role = Role::DepartmentAdmin;
const TL: Role = Role::TeamLeader;
const OF: Role = Role::Officer;

/// One account per role, all but the city's in 乐陵市 (ll.officer is made by the fixture).
const CALLERS: [(Role, &str); 7] = [
    (CA, "city.admin"),
    (CB, "ll.bureau"),
    (BC, "ll.branch1"),
    (CC, "ll.centre"),
    (DA, "ll.market"),
    (TL, "ll.team"),
    (OF, "ll.officer"),
];

fn username(role: Option<Role>) -> &'static str {
    role.map_or("anonymous", |r| {
        CALLERS.iter().find(|c| c.0 == r).expect("a caller").1
    })
}

// ---------------------------------------------------------------------------------------------
// The policy.

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in staff member; what they see is scoped by the store.
    Staff,
    /// Only these roles.
    Roles(&'static [Role]),
}

/// What a caller must get.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Not refused: no 401/403, no redirect to sign in, and (unless the route is public) no 404.
    Allow,
    /// Refused with this status (401 means a redirect to /login for a page).
    Deny(u16),
    /// Allowed, answering exactly this status (e.g. a form refused for its content).
    Is(u16),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    /// A record in 乐陵市, the callers' county.
    Own,
    /// A record in another county.
    Other,
}

#[derive(Clone, Debug)]
enum Payload {
    Empty,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    Raw(&'static str, Vec<u8>),
    Multipart(
        Vec<(&'static str, String)>,
        Vec<(&'static str, &'static str, Vec<u8>)>,
    ),
}

/// What a sample or body is built for: the caller, whether it is allowed (an allowed caller gets
/// a harmless body, e.g. a stale version; a refused one a body that would succeed), and a number
/// unique to the call.
struct Ctx {
    role: Option<Role>,
    allowed: bool,
    n: usize,
}

type Params = fn(&Side, &Ctx) -> Vec<(&'static str, String)>;
type QueryFn = fn(&Side, &Ctx) -> String;
type Make = fn(&Side, &Ctx) -> Payload;

struct Entry {
    method: &'static str,
    path: &'static str,
    who: Who,
    /// For records of another county: what every caller but the city administrator gets.
    out: Option<u16>,
    /// What a role outside `who` gets.
    deny: u16,
    /// Roles that cannot see the record at all: they get 404 rather than `deny`.
    hidden: &'static [Role],
    /// The answer is public information: the other county's markers may appear in it.
    public_data: bool,
    /// Each call in a session of its own (signing out ends it).
    fresh_session: bool,
    params: Option<Params>,
    query: Option<QueryFn>,
    body: Option<Make>,
    /// Expectations that differ from the rule, each with why.
    except: Vec<(Option<Role>, Option<At>, Expect, &'static str)>,
}

fn r(method: &'static str, path: &'static str) -> Entry {
    Entry {
        method,
        path,
        who: Who::Public,
        out: None,
        deny: 403,
        hidden: &[],
        public_data: false,
        fresh_session: false,
        params: None,
        query: None,
        body: None,
        except: Vec::new(),
    }
}

impl Entry {
    /// Anyone may call it, and what it shows is public.
    fn public(mut self) -> Self {
        self.who = Who::Public;
        self.public_data = true;
        self
    }

    /// Anyone may call it, but what it shows is not public information.
    fn open(mut self) -> Self {
        self.who = Who::Public;
        self
    }

    fn staff(mut self) -> Self {
        self.who = Who::Staff;
        self
    }

    fn roles(mut self, roles: &'static [Role]) -> Self {
        self.who = Who::Roles(roles);
        self
    }

    /// Another county's record is refused with `status`.
    fn own(mut self, status: u16) -> Self {
        self.out = Some(status);
        self
    }

    fn deny(mut self, status: u16) -> Self {
        self.deny = status;
        self
    }

    fn hidden(mut self, roles: &'static [Role]) -> Self {
        self.hidden = roles;
        self
    }

    fn at(mut self, p: Params) -> Self {
        self.params = Some(p);
        self
    }

    fn q(mut self, q: QueryFn) -> Self {
        self.query = Some(q);
        self
    }

    fn body(mut self, b: Make) -> Self {
        self.body = Some(b);
        self
    }

    fn fresh(mut self) -> Self {
        self.fresh_session = true;
        self
    }

    fn except(mut self, role: Option<Role>, at: Option<At>, e: Expect, why: &'static str) -> Self {
        self.except.push((role, at, e, why));
        self
    }

    /// The same answer for every staff caller.
    fn all_staff(mut self, e: Expect, why: &'static str) -> Self {
        for (role, _) in CALLERS {
            self.except.push((Some(role), None, e, why));
        }
        self
    }

    /// Called once for each county's sample, or once when nothing in it depends on the county.
    fn sided(&self) -> bool {
        self.params.is_some() || self.out.is_some() || self.query.is_some()
    }

    /// Why the expectation for this caller differs from the rule, where it does.
    fn why(&self, role: Option<Role>, at: At) -> Option<&'static str> {
        self.except
            .iter()
            .find(|x| x.0 == role && x.1.is_none_or(|a| a == at))
            .map(|x| x.3)
    }

    fn expect(&self, role: Option<Role>, at: At) -> Expect {
        if let Some(x) = self
            .except
            .iter()
            .find(|x| x.0 == role && x.1.is_none_or(|a| a == at))
        {
            return x.2;
        }
        let Some(role) = role else {
            return if self.who == Who::Public {
                Expect::Allow
            } else {
                Expect::Deny(401)
            };
        };
        if let Some(s) = self.out
            && at == At::Other
            && role != CA
        {
            return Expect::Deny(s);
        }
        if self.hidden.contains(&role) {
            return Expect::Deny(404);
        }
        match self.who {
            Who::Public | Who::Staff => Expect::Allow,
            Who::Roles(rs) if rs.contains(&role) => Expect::Allow,
            Who::Roles(_) => Expect::Deny(self.deny),
        }
    }
}

/// A list filtered to the sample's county: the other county's must still show nothing of it.
fn by_county(s: &Side, _: &Ctx) -> String {
    format!("county={}&per_page=500", s.county)
}

fn one(key: &'static str, v: impl ToString) -> Vec<(&'static str, String)> {
    vec![(key, v.to_string())]
}

fn form(pairs: &[(&'static str, &str)]) -> Payload {
    Payload::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

/// A version to send: stale (0) for an allowed caller, so nothing changes; the current one for
/// a refused caller, so only authorisation stands in the way.
fn version(c: &Ctx, current: i64) -> i64 {
    if c.allowed { 0 } else { current }
}

const PDF: &[u8] = b"%PDF-1.4 matrix";

/// Approval catalog: the county's bureau; a department for its own department's items.
const CATALOG: &[Role] = &[CA, CB, DA];
const DELEGATORS: &[Role] = &[CA, CB];
const CASE_READERS: &[Role] = &[CA, CB, BC, CC];
/// Who takes applications in at a window (the bureau at the county hall).
const WINDOWS: &[Role] = &[CB, BC, CC];
const CASE_DECIDERS: &[Role] = &[BC, CC];
const ENF_READERS: &[Role] = &[CA, CB, DA, TL, OF];
const ENF_ACTORS: &[Role] = &[CA, DA, TL, OF];
const DEPARTMENT: &[Role] = &[CA, DA];
/// A penalty case or lead within a power handed to the town is the town team's, not the department's.
const TOWN_POWER_READERS: &[Role] = &[CA, CB, TL];
/// Roles that see no case at all.
const NO_CASES: &[Role] = &[DA, TL, OF];
/// Roles that see no enforcement record at all.
const NO_ENFORCEMENT: &[Role] = &[BC, CC];

const SERVICE_OTHER_COUNTY: &str = "a centre records services of its own county: another county's item is refused as \
     invalid (400 invalid_field, \"the item belongs to another county\") before the office is looked at; nothing is written";

fn item_content(name: &str, department: &str) -> Value {
    json!({
        "name": name, "item_type": "licensing", "department": department, "exercise_level": "县级",
        "legal_basis_setting": "《中华人民共和国行政许可法》",
        "statutory_days": "20", "promised_days": "10", "online_depth": "on_site", "service": "approval",
        "materials": [{ "name": "申请书", "requirement": "required", "form": "original", "copies": "1", "note": "" }]
    })
}

/// Online from the applicant, at the window from staff.
fn channel(c: &Ctx) -> &'static str {
    if c.role.is_some() { "window" } else { "online" }
}

fn application(s: &Side, c: &Ctx) -> Value {
    json!({ "item_id": s.item, "town": s.town, "applicant_kind": "person", "applicant_id": APPLICANT,
            "applicant_name": format!("矩阵申请人{}", c.n), "contact": "13900000000", "channel": channel(c),
            "materials": ["申请书", "营业执照"] })
}

fn inspection(s: &Side) -> Value {
    json!({ "object_id": s.object, "department": s.dept, "trigger": "routine", "visited_on": "2024-02-26",
            "started_at": "09:00", "ended_at": "10:00", "officers": [s.officers[0], s.officers[1]],
            "items": ["日常检查"], "findings": "矩阵检查", "hazards": [] })
}

/// Who may call each route, and with which samples. Keyed by (method, route pattern).
fn policy() -> Vec<Entry> {
    use At::{Other, Own};
    use Expect::{Deny, Is};
    vec![
        // ---- JSON API: the directory and accounts ----
        r("GET", "/api/v1/openapi.json").public(),
        r("GET", "/api/v1/me").staff(),
        r("GET", "/api/v1/counties").public(),
        r("GET", "/api/v1/counties/{code}").public().at(|s, _| one("code", &s.county)),
        r("GET", "/api/v1/towns").public(),
        r("GET", "/api/v1/towns/{code}").public().at(|s, _| one("code", &s.etown)),
        r("PATCH", "/api/v1/towns/{code}")
            .roles(&[CA, CB, TL])
            .own(403)
            .at(|s, _| one("code", &s.etown))
            .body(|s, c| {
                Payload::Json(json!({ "population": 12345, "version": version(c, s.town_version) }))
            }),
        r("GET", "/api/v1/offices").public(),
        r("GET", "/api/v1/offices/{code}").public().at(|s, c| one("code", s.office(c.role))),
        r("PATCH", "/api/v1/offices/{code}")
            .roles(&[CA, CB, BC, CC])
            .own(403)
            .at(|s, c| one("code", s.office(c.role)))
            .body(|s, c| {
                Payload::Json(json!({ "phone": "0534-7000000", "version": version(c, s.office_version(c.role)) }))
            }),
        r("GET", "/api/v1/departments").public(),
        r("GET", "/api/v1/departments/{code}").public().at(|s, _| one("code", &s.dept)),
        r("PATCH", "/api/v1/departments/{code}")
            .roles(&[CA, CB, DA])
            .own(403)
            .at(|s, _| one("code", &s.dept))
            .body(|s, c| {
                Payload::Json(json!({ "phone": "0534-7000001", "version": version(c, s.dept_version) }))
            }),
        r("GET", "/api/v1/accounts").staff().q(|_, _| "per_page=500".into()),
        r("POST", "/api/v1/accounts")
            .roles(&[CA, CB, DA])
            .own(403)
            .body(|s, c| {
                let (role, j) = if c.role == Some(DA) {
                    ("officer", s.dept.clone())
                } else {
                    ("branch_clerk", s.branch.clone())
                };
                Payload::Json(json!({ "username": format!("mx.user{}", c.n), "display_name": "矩阵账号",
                    "role": role, "jurisdiction": j, "password": "tongquan-matrix-1" }))
            }),
        r("GET", "/api/v1/accounts/{id}")
            .staff()
            .own(404)
            .at(|s, c| one("id", s.account(c.role).0)),
        r("PATCH", "/api/v1/accounts/{id}")
            .roles(&[CA, CB, DA])
            .own(404)
            .at(|s, c| one("id", s.account(c.role).0))
            .body(|s, c| {
                Payload::Json(json!({ "display_name": "矩阵改名", "version": version(c, s.account(c.role).1) }))
            }),
        r("GET", "/api/v1/audit").staff().q(|s, _| format!("county={}&per_page=500", s.county)),
        // ---- JSON API: the catalog and delegations ----
        r("GET", "/api/v1/items").public(),
        r("POST", "/api/v1/items")
            .roles(CATALOG)
            .own(403)
            .body(|s, c| {
                let dept = if c.role == Some(DA) { s.dept.clone() } else { format!("{}SP", s.county) };
                Payload::Json(json!({ "county": s.county, "impl_code": format!("11{}MX{:05}", s.county, c.n),
                    "base_code": format!("11{}", s.county), "content": item_content("矩阵事项", &dept) }))
            }),
        r("GET", "/api/v1/items/{id}").public().at(|s, c| one("id", s.item_for(c.role))),
        r("POST", "/api/v1/items/{id}/drafts")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role))),
        r("PUT", "/api/v1/items/{id}/draft")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|s, c| {
                let dept = if c.role == Some(DA) { s.dept.clone() } else { format!("{}SP", s.county) };
                Payload::Json(json!({ "content": item_content("矩阵草稿", &dept), "lock_version": version(c, 1) }))
            }),
        r("POST", "/api/v1/items/{id}/publish")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|_, _| Payload::Json(json!({ "valid_from": "2024-06-01" }))),
        r("PUT", "/api/v1/items/{id}/four-eyes")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|_, _| Payload::Json(json!({ "required": false }))),
        r("GET", "/api/v1/items/{id}/diff")
            .public()
            .at(|s, c| one("id", s.item_for(c.role)))
            .q(|_, _| "from=1&to=1".into()),
        r("GET", "/api/v1/items/{id}/where")
            .public()
            .at(|s, _| one("id", s.item))
            .q(|s, _| format!("town={}", s.town)),
        r("GET", "/api/v1/offices/{code}/items").public().at(|s, _| one("code", &s.branch)),
        r("GET", "/api/v1/counties/{code}/matrix").public().at(|s, _| one("code", &s.county)),
        r("GET", "/api/v1/batches").public(),
        r("POST", "/api/v1/batches")
            .roles(DELEGATORS)
            .own(403)
            .body(|s, c| {
                Payload::Json(json!({ "county": s.county, "doc_number": format!("矩阵〔2024〕{}号", c.n),
                    "doc_date": "2024-02-01", "title": "矩阵测试批次", "kind": "devolve",
                    "department": format!("{}SP", s.county), "legal_basis": "矩阵" }))
            }),
        r("GET", "/api/v1/batches/{id}").public().at(|s, _| one("id", s.batch)),
        r("POST", "/api/v1/batches/{id}/delegations")
            .roles(DELEGATORS)
            .own(403)
            .at(|s, _| one("id", s.batch))
            .body(|s, _| {
                Payload::Json(json!({ "items": [s.item_code], "recipients": [s.centre], "valid_from": "2024-06-01" }))
            }),
        r("POST", "/api/v1/delegations/{id}/changes")
            .roles(DELEGATORS)
            .own(403)
            .at(|s, _| one("id", s.delegation))
            .body(|_, _| {
                Payload::Json(json!({ "kind": "suspend", "effective": "2024-12-01", "reason": "矩阵测试" }))
            }),
        r("GET", "/api/v1/calendar/due")
            .public()
            .q(|_, _| "from=2024-03-01&days=10".into()),
        r("POST", "/api/v1/calendar/imports")
            .roles(&[CA])
            .body(|_, _| Payload::Raw("text/csv", CALENDAR_2030.as_bytes().to_vec())),
        // ---- JSON API: cases, bundles, services ----
        r("GET", "/api/v1/cases").staff().q(|s, _| format!("office={}&per_page=500", s.branch)),
        r("POST", "/api/v1/cases")
            .roles(WINDOWS)
            .body(|s, c| Payload::Json(application(s, c)))
            .except(None, None, Expect::Allow, "a citizen applies online without an account"),
        r("GET", "/api/v1/cases/{id}")
            .roles(CASE_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| one("id", s.case_a(c.role).id)),
        r("POST", "/api/v1/cases/{id}/steps")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.case_a(c.role).id))
            .body(|s, c| {
                Payload::Json(json!({ "action": "accept", "lock_version": version(c, s.case_a(c.role).lock) }))
            })
            .hidden(NO_CASES),
        r("POST", "/api/v1/cases/{id}/clock")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.case_b(c.role).id))
            .body(|s, c| {
                Payload::Json(json!({ "op": "pause", "reason": "hearing", "note": "矩阵",
                    "lock_version": version(c, s.case_b(c.role).lock) }))
            })
            .hidden(NO_CASES),
        r("POST", "/api/v1/cases/{id}/handover")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.case_a(c.role).id))
            .body(|s, c| {
                Payload::Json(json!({ "op": "hand_over", "lock_version": version(c, s.case_a(c.role).lock) }))
            })
            .hidden(NO_CASES),
        // A new check code is the applicant's only credential: only the case's own window
        // issues one, as only it acts on the case; the bureau and the city get 403 no_power.
        r("POST", "/api/v1/cases/{id}/check-code")
            .roles(CASE_DECIDERS)
            .own(404)
            .hidden(NO_CASES)
            .at(|s, c| one("id", s.case_a(c.role).id)),
        r("GET", "/api/v1/bundle-templates").public(),
        r("POST", "/api/v1/bundle-templates")
            .roles(DELEGATORS)
            .own(403)
            .body(|s, c| {
                Payload::Json(json!({ "county": s.county, "name": format!("矩阵联办{}", c.n),
                    "items": [s.template_items[0], s.template_items[1]] }))
            }),
        r("GET", "/api/v1/bundle-templates/{id}").public().at(|s, _| one("id", s.template)),
        r("GET", "/api/v1/bundles").staff().q(|_, _| "per_page=500".into()),
        r("POST", "/api/v1/bundles")
            .roles(WINDOWS)
            .body(|s, c| {
                Payload::Json(json!({ "template_id": s.template, "town": s.town, "applicant_kind": "enterprise",
                    "applicant_id": uscc(900 + c.n), "applicant_name": "矩阵实业有限公司", "contact": "0534-1234567",
                    "channel": channel(c), "materials": BUNDLE_MATERIALS }))
            })
            .except(None, None, Expect::Allow, "a citizen applies online without an account"),
        r("GET", "/api/v1/bundles/{id}")
            .roles(&[CA, CB])
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.bundle.id)),
        r("GET", "/api/v1/bundles/track/{tracking_no}")
            .public()
            .at(|s, _| one("tracking_no", &s.bundle.no))
            .q(|s, _| format!("code={}", s.bundle.code)),
        r("GET", "/api/v1/services").staff().q(by_county),
        r("POST", "/api/v1/services")
            .roles(&[CC])
            .own(403)
            .body(|s, _| {
                Payload::Json(json!({ "item_id": s.convenience, "town": s.centre_town, "channel": "window", "minutes": 5 }))
            })
            .except(Some(CC), Some(Other), Deny(400), SERVICE_OTHER_COUNTY),
        // ---- JSON API: enforcement ----
        r("GET", "/api/v1/officers").staff().q(by_county),
        r("POST", "/api/v1/officers")
            .roles(DEPARTMENT)
            .own(403)
            .body(|s, _| Payload::Json(json!({ "department": s.dept, "name": "矩阵新执法员", "credential": null }))),
        r("GET", "/api/v1/officers/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.officers[0])),
        r("POST", "/api/v1/officers/{id}/credentials")
            .roles(DEPARTMENT)
            .own(404)
            .deny(403)
            .hidden(NO_ENFORCEMENT)
            .at(|s, _| one("id", s.officers[0]))
            .body(|_, c| {
                Payload::Json(json!({ "number": format!("MX{:06}", c.n), "domains": "market", "issuer": "德州市人民政府",
                    "valid_from": "2024-01-01", "valid_to": "2028-12-31" }))
            }),
        r("POST", "/api/v1/officers/{id}/dispatch")
            .roles(DEPARTMENT)
            .own(404)
            .deny(403)
            .hidden(NO_ENFORCEMENT)
            .at(|s, _| one("id", s.officers[0]))
            .body(|s, _| Payload::Json(json!({ "form": "stationed", "towns": [s.etown], "from": "2024-04-01" }))),
        r("POST", "/api/v1/officers/{id}/recusals")
            .roles(DEPARTMENT)
            .own(404)
            .deny(403)
            .hidden(NO_ENFORCEMENT)
            .at(|s, _| one("id", s.officers[2]))
            .body(|s, _| Payload::Json(json!({ "object_id": s.object, "reason": "矩阵回避" }))),
        r("GET", "/api/v1/inspection-objects").staff().q(by_county),
        r("POST", "/api/v1/inspection-objects")
            .roles(&[CA, DA, TL, OF])
            .own(403)
            .body(|s, c| {
                Payload::Json(json!({ "town": s.etown, "kind": "enterprise", "credit_code": uscc(1000 + c.n),
                    "name": format!("矩阵企业{}", c.n), "industry": "食品制造", "lat": null, "lon": null,
                    "risk_grade": "C", "domains": "market" }))
            }),
        r("GET", "/api/v1/inspection-objects/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.object)),
        r("GET", "/api/v1/inspection-items").public(),
        r("POST", "/api/v1/inspection-items")
            .roles(DEPARTMENT)
            .own(403)
            .body(|s, c| {
                Payload::Json(json!({ "department": s.dept, "name": format!("矩阵检查事项{}", c.n),
                    "object_kinds": "enterprise", "legal_basis": "《矩阵条例》", "method": "", "frequency": [1, 1, 2, 4] }))
            }),
        r("GET", "/api/v1/draws").public(),
        r("POST", "/api/v1/draws")
            .roles(DEPARTMENT)
            .own(403)
            .body(|s, c| {
                Payload::Json(json!({ "department": s.dept, "title": format!("矩阵抽查{}", c.n), "draw_on": "2024-03-05",
                    "count": 1, "team": 2 }))
            }),
        r("GET", "/api/v1/draws/{id}").public().at(|s, _| one("id", s.draw)),
        r("POST", "/api/v1/draws/{id}/reveal")
            .roles(DEPARTMENT)
            .own(403)
            .at(|s, _| one("id", s.draw)),
        r("GET", "/api/v1/draws/{id}/document").public().at(|s, _| one("id", s.draw)),
        r("GET", "/api/v1/draws/{id}/verification").public().at(|s, _| one("id", s.draw)),
        r("GET", "/api/v1/inspections").staff().q(by_county),
        r("POST", "/api/v1/inspections")
            .roles(ENF_ACTORS)
            .own(403)
            .body(|s, _| Payload::Json(inspection(s))),
        r("GET", "/api/v1/inspections/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.inspection)),
        r("GET", "/api/v1/visits").public().q(|s, _| format!("credit_code={}", s.credit)),
        r("POST", "/api/v1/visits/ratings")
            .public()
            .body(|_, _| Payload::Json(json!({ "code": "MATRIXWRONGCODE", "rating": "5", "comment": "" }))),
        r("GET", "/api/v1/leads").staff().q(by_county),
        r("POST", "/api/v1/leads")
            .roles(ENF_ACTORS)
            .own(403)
            .body(|s, _| {
                Payload::Json(json!({ "source": "patrol", "domain": "market", "description": "矩阵测试线索描述",
                    "town": s.etown, "urgency": "normal", "reporter": "矩阵" }))
            })
            .except(None, None, Deny(403), "the public files with source public (/report, Open311), not as a patrol"),
        r("GET", "/api/v1/leads/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| one("id", s.lead(c.role).id)),
        r("POST", "/api/v1/leads/{id}/steps")
            .roles(ENF_ACTORS)
            .own(404)
            .hidden(NO_ENFORCEMENT)
            .at(|s, c| one("id", s.lead(c.role).id))
            .body(|s, c| {
                Payload::Json(json!({ "step": "dispatch", "note": "矩阵", "lock_version": version(c, s.lead(c.role).lock) }))
            }),
        r("GET", "/api/v1/hazards").staff().q(by_county),
        r("GET", "/api/v1/hazards/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.hazard.id)),
        r("POST", "/api/v1/hazards/{id}/reinspections")
            .roles(ENF_ACTORS)
            .own(404)
            .hidden(NO_ENFORCEMENT)
            .at(|s, _| one("id", s.hazard.id))
            .body(|s, c| {
                Payload::Json(json!({ "rectified": true, "deadline": null, "note": "矩阵复查",
                    "lock_version": version(c, s.hazard.lock) }))
            }),
        r("GET", "/api/v1/penalty-cases").staff().q(by_county),
        r("POST", "/api/v1/penalty-cases")
            .roles(&[CA, TL])
            .own(403)
            .body(|s, _| {
                Payload::Json(json!({ "item_id": s.power, "town": s.etown, "object_id": null, "party_name": "矩阵当事人",
                    "facts": "矩阵事实", "major": false, "officers": [s.officers[0], s.officers[1]] }))
            }),
        r("GET", "/api/v1/penalty-cases/{id}")
            .roles(TOWN_POWER_READERS)
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.penalty.id)),
        r("POST", "/api/v1/penalty-cases/{id}/steps")
            .roles(&[CA, TL])
            .own(404)
            .hidden(&[BC, CC, DA, OF])
            .at(|s, _| one("id", s.penalty.id))
            .body(|s, c| {
                Payload::Json(json!({ "step": "investigate", "note": "矩阵", "lock_version": version(c, s.penalty.lock) }))
            }),
        r("GET", "/api/v1/enforcement/figures").public(),
        r("GET", "/api/v1/enforcement/joint-plan")
            .public()
            .q(|s, _| format!("county={}", s.county)),
        r("GET", "/api/v1/tasks").staff().q(|_, _| "per_page=500".into()),
        r("POST", "/api/v1/tasks/{id}")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.task_api(c.role)))
            .body(|_, _| Payload::Json(json!({ "outcome": "confirmed", "method": "online", "note": "矩阵" })))
            .hidden(NO_CASES),
        r("GET", "/api/v1/track/{tracking_no}")
            .public()
            .at(|s, _| one("tracking_no", &s.case_b(None).no))
            .q(|s, _| format!("code={}", s.case_b(None).code)),
        r("POST", "/api/v1/track/{tracking_no}/steps")
            .public()
            .at(|s, _| one("tracking_no", &s.case_a(None).no))
            .body(|_, _| {
                Payload::Json(json!({ "action": "withdraw", "lock_version": 1, "check_code": "000000" }))
            }),
        r("POST", "/api/v1/imports")
            .roles(DELEGATORS)
            .own(403)
            .q(|s, _| format!("county={}&valid_from=2024-06-01", s.county))
            .body(|_, _| Payload::Raw("text/csv", import_file())),
        // ---- Pages: public ----
        r("GET", "/").public(),
        r("GET", "/about").public(),
        r("GET", "/counties").public(),
        r("GET", "/counties/{code}").public().at(|s, _| one("code", &s.county)),
        r("GET", "/towns").public(),
        r("GET", "/towns/{code}").public().at(|s, _| one("code", &s.etown)),
        r("POST", "/towns/{code}")
            .roles(&[CA, CB, TL])
            .own(403)
            .at(|s, _| one("code", &s.etown))
            .body(|s, c| form(&[("population", "12345"), ("version", &version(c, s.town_version).to_string())])),
        r("GET", "/offices").public(),
        r("GET", "/offices/{code}").public().at(|s, c| one("code", s.office(c.role))),
        r("POST", "/offices/{code}")
            .roles(&[CA, CB, BC, CC])
            .own(403)
            .at(|s, c| one("code", s.office(c.role)))
            .body(|s, c| {
                form(&[("address", "矩阵地址"), ("phone", "0534-7000000"), ("hours", "全天"),
                    ("version", &version(c, s.office_version(c.role)).to_string())])
            }),
        r("GET", "/departments").public(),
        r("GET", "/departments/{code}").public().at(|s, _| one("code", &s.dept)),
        r("POST", "/departments/{code}")
            .roles(&[CA, CB, DA])
            .own(403)
            .at(|s, _| one("code", &s.dept))
            .body(|s, c| form(&[("phone", "0534-7000001"), ("version", &version(c, s.dept_version).to_string())])),
        r("GET", "/map").public(),
        r("GET", "/plan").staff(),
        r("GET", "/guide").public(),
        r("GET", "/guide/items/{id}").public().at(|s, _| one("id", s.item)),
        // ---- Pages: the catalog ----
        r("GET", "/catalog").staff(),
        r("GET", "/catalog.xlsx").staff(),
        r("GET", "/catalog/new").staff(),
        r("POST", "/catalog/new")
            .roles(CATALOG)
            .own(403)
            .except(Some(DA), Some(Own), Deny(403), "the page creates items of the approval department ({county}SP) only; a department creates its own over the API")
            .body(|s, c| {
                Payload::Form(vec![("county", s.county.clone()), ("impl_code", format!("11{}MP{:05}", s.county, c.n)),
                    ("base_code", format!("11{}", s.county)), ("name", "矩阵页面事项".into())])
            }),
        r("GET", "/catalog/items/{id}").staff().at(|s, c| one("id", s.item_for(c.role))),
        r("POST", "/catalog/items/{id}/draft")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|s, c| {
                let dept = if c.role == Some(DA) { s.dept.clone() } else { format!("{}SP", s.county) };
                Payload::Form(vec![("name", "矩阵草稿".into()), ("item_type", "licensing".into()), ("department", dept),
                    ("exercise_level", "县级".into()), ("statutory_days", "20".into()), ("online_depth", "on_site".into()),
                    ("service", "approval".into()), ("lock_version", version(c, 1).to_string())])
            }),
        r("POST", "/catalog/items/{id}/drafts")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role))),
        r("POST", "/catalog/items/{id}/publish")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|_, _| form(&[("valid_from", "2024-07-01"), ("valid_to", "")])),
        r("POST", "/catalog/items/{id}/four-eyes")
            .roles(CATALOG)
            .own(403)
            .at(|s, c| one("id", s.item_for(c.role)))
            .body(|_, _| form(&[])),
        r("GET", "/catalog/items/{id}/diff")
            .staff()
            .at(|s, c| one("id", s.item_for(c.role)))
            .q(|_, _| "from=1&to=1".into()),
        r("GET", "/catalog/batches").staff(),
        r("GET", "/catalog/batches/new").staff(),
        r("POST", "/catalog/batches/new")
            .roles(DELEGATORS)
            .own(403)
            .body(|s, c| {
                Payload::Form(vec![("county", s.county.clone()), ("doc_number", format!("矩阵页〔2024〕{}号", c.n)),
                    ("doc_date", "2024-02-01".into()), ("title", "矩阵页面批次".into()), ("kind", "devolve".into()),
                    ("department", format!("{}SP", s.county)), ("legal_basis", "矩阵".into())])
            }),
        r("GET", "/catalog/batches/{id}").staff().at(|s, _| one("id", s.batch)),
        r("POST", "/catalog/batches/{id}/delegations")
            .roles(DELEGATORS)
            .own(403)
            .at(|s, _| one("id", s.batch))
            .body(|s, _| {
                Payload::Form(vec![("items", s.item_code.clone()), ("recipients", s.centre.clone()),
                    ("valid_from", "2024-07-01".into()), ("valid_to", String::new())])
            }),
        r("POST", "/catalog/delegations/{id}/changes")
            .roles(DELEGATORS)
            .own(403)
            .at(|s, _| one("id", s.delegation))
            .body(|_, _| form(&[("kind", "suspend"), ("effective", "2024-12-15"), ("reason", "矩阵页面")])),
        r("GET", "/catalog/matrix").staff(),
        r("GET", "/catalog/matrix.xlsx").staff().q(|s, _| format!("county={}", s.county)),
        r("GET", "/catalog/import").staff(),
        r("POST", "/catalog/import")
            .roles(DELEGATORS)
            .own(403)
            .body(|s, _| {
                Payload::Multipart(vec![("county", s.county.clone()), ("valid_from", "2024-06-01".into())],
                    vec![("file", "items.csv", import_file())])
            }),
        r("GET", "/catalog/template.xlsx").staff(),
        r("GET", "/calendar").staff(),
        r("POST", "/calendar").roles(&[CA]).body(|_, _| {
            Payload::Multipart(vec![("year", "2031".into()), ("reason", String::new())],
                vec![("file", "holidays.csv", CALENDAR_2031.as_bytes().to_vec())])
        }),
        // ---- Pages: applying and tracking (the public) ----
        r("GET", "/apply/bundles").public(),
        r("GET", "/apply/bundles/{id}").public().at(|s, _| one("id", s.template)),
        r("POST", "/apply/bundles/{id}")
            .public()
            .at(|s, _| one("id", s.template))
            .body(|s, _| Payload::Multipart(vec![("town", s.town.clone())], Vec::new())),
        r("GET", "/apply/{id}").public().at(|s, _| one("id", s.item)),
        r("POST", "/apply/{id}")
            .public()
            .at(|s, _| one("id", s.item))
            .body(|s, _| Payload::Multipart(vec![("town", s.town.clone())], Vec::new())),
        r("GET", "/track").public(),
        r("POST", "/track").public().body(|s, _| {
            form(&[("tracking_no", &s.case_b(None).no), ("check_code", &s.case_b(None).code)])
        }),
        r("POST", "/track/supply").public().body(|s, _| {
            Payload::Multipart(vec![("tracking_no", s.case_a(None).no.clone()), ("check_code", "000000".into()),
                ("version", "1".into()), ("material_0", "申请书".into())],
                vec![("file_0", "a.pdf", PDF.to_vec())])
        }),
        r("POST", "/track/withdraw").public().body(|s, _| {
            form(&[("tracking_no", &s.case_a(None).no), ("check_code", "000000"), ("version", "1")])
        }),
        // The applicant's printable notice, proven by number and code; a wrong code finds nothing.
        r("POST", "/track/notices/{n}")
            .open()
            .at(|_, _| one("n", 1))
            .body(|s, _| form(&[("tracking_no", &s.case_a(None).no), ("check_code", "000000")])),
        r("POST", "/track/rating").public().body(|s, _| {
            form(&[("tracking_no", &s.case_a(None).no), ("check_code", "000000"), ("rating", "5")])
        }),
        // ---- Pages: cases ----
        r("GET", "/cases").staff().q(|_, _| "per_page=500".into()),
        r("GET", "/cases/tasks").staff(),
        r("GET", "/cases/bundles").staff(),
        r("GET", "/cases/services").staff(),
        r("POST", "/cases/services")
            .roles(&[CC])
            .own(403)
            .body(|s, _| {
                Payload::Form(vec![("item_id", s.convenience.to_string()), ("town", s.centre_town.clone()),
                    ("channel", "window".into()), ("minutes", "5".into())])
            })
            .except(Some(CC), Some(Other), Deny(400), SERVICE_OTHER_COUNTY),
        r("GET", "/cases/bundles/{id}")
            .roles(&[CA, CB])
            .own(404)
            .deny(404)
            .at(|s, _| one("id", s.bundle.id)),
        r("POST", "/cases/tasks/{id}")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.task_page(c.role)))
            .body(|_, _| form(&[("outcome", "confirmed"), ("method", "online"), ("note", "矩阵")]))
            .hidden(NO_CASES),
        r("GET", "/cases/{id}")
            .roles(CASE_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| one("id", s.case_a(c.role).id)),
        r("POST", "/cases/{id}/steps")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.case_a(c.role).id))
            .body(|s, c| form(&[("action", "accept"), ("version", &version(c, s.case_a(c.role).lock).to_string())]))
            .hidden(NO_CASES),
        r("POST", "/cases/{id}/clock")
            .roles(CASE_DECIDERS)
            .own(404)
            .deny(403)
            .at(|s, c| one("id", s.case_b(c.role).id))
            .body(|s, c| {
                form(&[("op", "pause"), ("reason", "hearing"), ("note", "矩阵"),
                    ("version", &version(c, s.case_b(c.role).lock).to_string())])
            })
            .hidden(NO_CASES),
        // As POST /api/v1/cases/{id}/check-code: only the case's own window.
        r("POST", "/cases/{id}/check-code")
            .roles(CASE_DECIDERS)
            .own(404)
            .hidden(NO_CASES)
            .at(|s, c| one("id", s.case_a(c.role).id))
            .body(|_, _| form(&[("confirm", "on")])),
        r("GET", "/cases/{id}/notices/{n}")
            .roles(CASE_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| vec![("id", s.case_b(c.role).id.to_string()), ("n", "1".into())]),
        r("GET", "/cases/{id}/files/{hash}")
            .roles(CASE_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| vec![("id", s.case_a(c.role).id.to_string()), ("hash", s.case_a(c.role).hash.clone())]),
        // ---- Pages: enforcement ----
        r("GET", "/enforcement").public(),
        r("GET", "/enforcement/leads").staff().q(by_county),
        r("GET", "/enforcement/officers").staff(),
        r("GET", "/enforcement/leads/{id}")
            .roles(ENF_READERS)
            .own(404)
            .deny(404)
            .at(|s, c| one("id", s.lead(c.role).id)),
        r("POST", "/enforcement/leads/{id}/steps")
            .roles(ENF_ACTORS)
            .own(404)
            .hidden(NO_ENFORCEMENT)
            .at(|s, c| one("id", s.lead(c.role).id))
            .body(|s, c| {
                form(&[("step", "dispatch"), ("note", "矩阵"), ("version", &version(c, s.lead(c.role).lock).to_string())])
            }),
        r("GET", "/report").public(),
        r("POST", "/report").public().body(|s, _| {
            form(&[("domain", "market"), ("description", "矩阵举报"), ("town", &s.etown), ("urgency", "normal"),
                ("contact", "")])
        }),
        // A public report's page asks for its follow-up code; what was reported is the reporter's.
        r("GET", "/report/{id}")
            .open()
            .at(|s, _| one("id", s.public_lead)),
        r("POST", "/report/{id}")
            .open()
            .at(|s, _| one("id", s.public_lead))
            .body(|_, _| form(&[("check_code", "000000")])),
        r("GET", "/draws").public(),
        r("GET", "/draws/{id}").public().at(|s, _| one("id", s.draw)),
        r("GET", "/visits").public().q(|s, _| format!("credit_code={}", s.credit)),
        r("POST", "/visits").public().body(|s, _| {
            form(&[("credit_code", &s.credit), ("code", "MATRIXWRONGCODE"), ("rating", "5")])
        }),
        // ---- Pages: signing in, accounts, audit ----
        r("GET", "/login").public(),
        r("POST", "/login").public().body(|_, c| {
            let user = c.role.map_or("ll.team", |r| username(Some(r)));
            form(&[("username", user), ("password", DEMO_PASSWORD)])
        }),
        r("POST", "/logout").public().fresh(),
        r("GET", "/lang/{code}").public().at(|_, _| one("code", "en")),
        r("GET", "/staff/me").staff(),
        r("GET", "/staff/password").staff(),
        r("POST", "/staff/password")
            .staff()
            .body(|_, _| form(&[("current", "not-the-password-1"), ("new", "tongquan-matrix-2")]))
            .all_staff(Is(400), "a wrong current password changes nothing"),
        r("GET", "/staff/accounts").staff().q(|_, _| "per_page=500".into()),
        r("POST", "/staff/accounts")
            .roles(&[CA, CB, DA])
            .own(403)
            .body(|s, c| {
                let (role, j) = if c.role == Some(DA) {
                    ("officer", s.dept.clone())
                } else {
                    ("branch_clerk", s.branch.clone())
                };
                Payload::Form(vec![("username", format!("mx.page{}", c.n)), ("display_name", "矩阵页面账号".into()),
                    ("role", role.into()), ("jurisdiction", j), ("password", "tongquan-matrix-1".into())])
            }),
        r("GET", "/staff/accounts/new").staff(),
        r("GET", "/staff/accounts/{id}")
            .staff()
            .own(404)
            .at(|s, c| one("id", s.account(c.role).0)),
        r("POST", "/staff/accounts/{id}")
            .roles(&[CA, CB, DA])
            .own(404)
            .at(|s, c| one("id", s.account(c.role).0))
            .body(|s, c| {
                form(&[("display_name", "矩阵改名"), ("version", &version(c, s.account(c.role).1).to_string())])
            }),
        r("POST", "/staff/accounts/{id}/tokens")
            .staff()
            .own(404)
            .at(|s, c| one("id", s.account(c.role).0))
            .body(|_, _| form(&[("name", "矩阵")])),
        r("GET", "/staff/audit").staff().q(|s, _| format!("county={}&per_page=500", s.county)),
        // ---- Assets, health, Open311 ----
        r("GET", "/assets/app.css").public(),
        r("GET", "/assets/app.js").public(),
        r("GET", "/favicon.svg").public(),
        r("GET", "/healthz").public(),
        r("GET", "/open311/v2/services.json").public(),
        r("GET", "/open311/v2/requests.json").open(),
        r("POST", "/open311/v2/requests.json").public().body(|s, _| {
            Payload::Json(json!({ "service_code": "market", "description": "矩阵311", "address_id": s.etown }))
        }),
        // The public list and a public report show where, what kind and how far along, not what
        // was reported (that is the reporter's, with the follow-up code); staff leads not at all.
        r("GET", "/open311/v2/requests/{file}")
            .open()
            .at(|s, _| one("file", format!("{}.json", s.public_lead))),
    ]
}

const APPLICANT: &str = "11010519491231002X";

const BUNDLE_MATERIALS: [&str; 6] = [
    "申请表",
    "营业执照",
    "国有建设用地使用权出让合同",
    "建设工程设计方案",
    "土地出让价款缴纳凭证",
    "施工合同",
];

const CALENDAR_2030: &str = "date,name,is_off_day\n2030-01-01,元旦,true\n";
const CALENDAR_2031: &str = "date,name,is_off_day\n2031-01-01,元旦,true\n";

/// A one-item list in the published layout.
fn import_file() -> Vec<u8> {
    "事项名称,基本编码,实施编码,事项类型代码,事项类型,实施主体,区划代码,主项名称,法定时限,承诺时限\n\
     矩阵导入事项,MX0001,MX0001-371481-001,1,行政许可,县市场监管局,371481000000,,20,10\n"
        .as_bytes()
        .to_vec()
}

fn uscc(n: usize) -> String {
    tongquan_domain::applicant::ApplicantId::complete(
        tongquan_domain::applicant::ApplicantKind::Enterprise,
        &format!("91371400MA3C{n:05}"),
    )
    .expect("a credit code")
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// The records the samples name.

#[derive(Clone, Debug, Default)]
struct Rec {
    id: i64,
    no: String,
    code: String,
    lock: i64,
    hash: String,
}

/// One county's records.
#[derive(Debug, Default)]
struct Side {
    county: String,
    branch: String,
    centre: String,
    centre_town: String,
    /// The town of the cases (served by `branch`).
    town: String,
    /// The town of the enforcement records (the team leader's, in 乐陵市).
    etown: String,
    dept: String,
    item: i64,
    item_code: String,
    /// The penalty power, an item of `dept`.
    power: i64,
    convenience: i64,
    batch: i64,
    delegation: i64,
    /// Submitted, with a file: at the branch, and at the centre.
    case_a: Rec,
    centre_a: Rec,
    /// Accepted (its event 1 issued a notice): at the branch, and at the centre.
    case_b: Rec,
    centre_b: Rec,
    /// Verification tasks (one for the API, one for the pages): the branch's and the centre's.
    tasks: [i64; 2],
    centre_tasks: [i64; 2],
    template: i64,
    template_items: Vec<i64>,
    bundle: Rec,
    officers: Vec<i64>,
    object: i64,
    credit: String,
    draw: i64,
    inspection: i64,
    hazard: Rec,
    /// A lead in the town whose team handles the field, and one the department handles.
    lead: Rec,
    dept_lead: Rec,
    /// A report the public filed through Open311.
    public_lead: i64,
    penalty: Rec,
    town_version: i64,
    branch_version: i64,
    centre_version: i64,
    dept_version: i64,
    /// The account each caller reads: its own here, the bureau's in the other county.
    accounts: HashMap<Option<Role>, (i64, i64)>,
}

impl Side {
    fn office(&self, r: Option<Role>) -> &str {
        if r == Some(CC) {
            &self.centre
        } else {
            &self.branch
        }
    }

    fn office_version(&self, r: Option<Role>) -> i64 {
        if r == Some(CC) {
            self.centre_version
        } else {
            self.branch_version
        }
    }

    fn case_a(&self, r: Option<Role>) -> &Rec {
        if r == Some(CC) {
            &self.centre_a
        } else {
            &self.case_a
        }
    }

    fn case_b(&self, r: Option<Role>) -> &Rec {
        if r == Some(CC) {
            &self.centre_b
        } else {
            &self.case_b
        }
    }

    fn task_api(&self, r: Option<Role>) -> i64 {
        if r == Some(CC) {
            self.centre_tasks[0]
        } else {
            self.tasks[0]
        }
    }

    fn task_page(&self, r: Option<Role>) -> i64 {
        if r == Some(CC) {
            self.centre_tasks[1]
        } else {
            self.tasks[1]
        }
    }

    /// A department's own items are the ones it may edit.
    fn item_for(&self, r: Option<Role>) -> i64 {
        if r == Some(DA) { self.power } else { self.item }
    }

    /// The lead a caller handles: the department's for a department, else the town team's.
    fn lead(&self, r: Option<Role>) -> &Rec {
        if matches!(r, Some(DA | OF)) {
            &self.dept_lead
        } else {
            &self.lead
        }
    }

    fn account(&self, r: Option<Role>) -> (i64, i64) {
        self.accounts
            .get(&r)
            .or_else(|| self.accounts.get(&None))
            .copied()
            .expect("an account sample")
    }
}

/// The other county's private records: no caller but the city administrator may see these.
const OTHER_MARKERS: [&str; 7] = [
    "外县申请人",
    "外县线索",
    "外县公开举报",
    "外县当事人",
    "外县测试企业",
    "外县检查发现",
    "oc.bureau",
];

struct Fixture {
    own: Side,
    other: Side,
    tokens: HashMap<String, String>,
}

impl Fixture {
    fn side(&self, at: At) -> &Side {
        match at {
            At::Own => &self.own,
            At::Other => &self.other,
        }
    }
}

/// A set-up call that must succeed; its JSON answer.
async fn ok(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    user: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Value {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(u) = user {
        req = req.header(header::AUTHORIZATION, format!("Bearer {}", tokens[u]));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    let r = t.send(req.unwrap()).await;
    assert!(
        r.status.is_success(),
        "fixture {method} {uri} as {user:?}: {} {}",
        r.status,
        r.body
    );
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

async fn new_account(
    t: &TestApp,
    tokens: &mut HashMap<String, String>,
    name: &str,
    role: &str,
    jurisdiction: &str,
) {
    let a = ok(
        t,
        tokens,
        Some("city.admin"),
        "POST",
        "/api/v1/accounts",
        Some(
            json!({ "username": name, "display_name": format!("矩阵{name}"), "role": role,
                     "jurisdiction": jurisdiction, "password": DEMO_PASSWORD }),
        ),
    )
    .await;
    let token =
        t.db.store
            .create_api_token(&Actor::System("test"), a["id"].as_i64().unwrap(), "tests")
            .await
            .unwrap();
    tokens.insert(name.to_owned(), token);
}

/// An online application through the page, with its files; the case as its applicant tracks it.
async fn apply_with_files(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    item: i64,
    town: &str,
    name: &str,
) -> Rec {
    let form = t.get(&format!("/apply/{item}")).await;
    let csrf = form.cookie("tq_csrf").expect("a CSRF cookie");
    let fields = [
        ("town", town),
        ("applicant_kind", "person"),
        ("applicant_id", APPLICANT),
        ("applicant_name", name),
        ("contact", "13700000000"),
        ("material_0", "申请书"),
        ("material_1", "营业执照"),
    ];
    let r = common::post_multipart(
        t,
        &format!("/apply/{item}?csrf={csrf}"),
        &format!("tq_csrf={csrf}"),
        multipart(
            &fields,
            &[("file_0", "申请书.pdf", PDF), ("file_1", "执照.pdf", PDF)],
        ),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "fixture application: {}", r.body);
    let no = between(&r.body, r#"id="tracking-no">"#, "<").to_owned();
    let code = between(&r.body, r#"id="check-code">"#, "<").to_owned();
    let tracked = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/track/{no}?code={code}"),
        None,
    )
    .await;
    let case = ok(
        t,
        tokens,
        Some("city.admin"),
        "GET",
        &format!("/api/v1/cases/{}", tracked["id"]),
        None,
    )
    .await;
    Rec {
        id: case["id"].as_i64().unwrap(),
        lock: case["lock_version"].as_i64().unwrap(),
        hash: case["files"][0]["hash"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        no,
        code,
    }
}

/// An application over the API, accepted by `clerk` (so its event 1 issued a notice).
async fn accepted_case(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    item: i64,
    town: &str,
    name: &str,
    clerk: &str,
) -> Rec {
    let receipt = ok(
        t,
        tokens,
        None,
        "POST",
        "/api/v1/cases",
        Some(json!({ "item_id": item, "town": town, "applicant_kind": "person", "applicant_id": APPLICANT,
                     "applicant_name": name, "contact": "13900000000", "channel": "online",
                     "materials": ["申请书", "营业执照"] })),
    )
    .await;
    let id = receipt["id"].as_i64().unwrap();
    let case = ok(
        t,
        tokens,
        Some(clerk),
        "POST",
        &format!("/api/v1/cases/{id}/steps"),
        Some(json!({ "action": "accept", "lock_version": 1 })),
    )
    .await;
    Rec {
        id,
        no: receipt["tracking_no"].as_str().unwrap().to_owned(),
        code: receipt["check_code"].as_str().unwrap().to_owned(),
        lock: case["lock_version"].as_i64().unwrap(),
        hash: String::new(),
    }
}

/// Two commitment applications; their verification tasks.
async fn tasks(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    item: i64,
    town: &str,
    name: &str,
) -> [i64; 2] {
    let mut out = [0; 2];
    for slot in &mut out {
        let receipt = ok(
            t,
            tokens,
            None,
            "POST",
            "/api/v1/cases",
            Some(json!({ "item_id": item, "town": town, "applicant_kind": "person", "applicant_id": APPLICANT,
                         "applicant_name": name, "contact": "13900000000", "channel": "online",
                         "materials": ["申请书", "营业执照"], "commitment": true })),
        )
        .await;
        let all = ok(
            t,
            tokens,
            Some("city.admin"),
            "GET",
            "/api/v1/tasks?kind=verification&per_page=100",
            None,
        )
        .await;
        *slot = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|task| task["case_id"] == receipt["id"])
            .expect("a verification task")["id"]
            .as_i64()
            .unwrap();
    }
    out
}

/// An item of `department` in force from 2024-01-01, handed to `recipient` (an office or a town).
#[allow(clippy::too_many_arguments)]
async fn handed_item(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    county: &str,
    impl_code: &str,
    content: Value,
    recipient: Option<&str>,
    kind: &str,
    doc: &str,
) -> i64 {
    let admin = Some("city.admin");
    let item = ok(
        t,
        tokens,
        admin,
        "POST",
        "/api/v1/items",
        Some(json!({ "county": county, "impl_code": impl_code, "base_code": format!("11{county}"), "content": content })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok(
        t,
        tokens,
        admin,
        "POST",
        &format!("/api/v1/items/{item}/publish"),
        Some(json!({ "valid_from": "2024-01-01" })),
    )
    .await;
    if let Some(to) = recipient {
        let batch = ok(
            t,
            tokens,
            admin,
            "POST",
            "/api/v1/batches",
            Some(json!({ "county": county, "doc_number": doc, "doc_date": "2023-12-20", "title": "赋权",
                         "kind": kind, "department": format!("{county}ZB"), "legal_basis": "县镇同权改革实施方案" })),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        ok(
            t,
            tokens,
            admin,
            "POST",
            &format!("/api/v1/batches/{batch}/delegations"),
            Some(json!({ "items": [impl_code], "recipients": [to], "valid_from": "2024-01-01" })),
        )
        .await;
    }
    item
}

/// One county's records. `p` names its private records ("本县" or "外县").
#[allow(clippy::too_many_arguments)]
async fn side(
    t: &TestApp,
    tokens: &HashMap<String, String>,
    p: &str,
    county: &str,
    branch: &str,
    centre: &str,
    etown: &str,
    clerk: &str,
    centre_clerk: Option<&str>,
    team: &str,
    market: &str,
) -> Side {
    let mut s = Side {
        county: county.into(),
        branch: branch.into(),
        centre: centre.into(),
        etown: etown.into(),
        dept: format!("{county}SJ"),
        item_code: format!("11{county}CAS00001"),
        ..Side::default()
    };
    let centre_office = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/offices/{centre}"),
        None,
    )
    .await;
    s.centre_town = centre_office["town_code"].as_str().unwrap().to_owned();
    s.centre_version = centre_office["version"].as_i64().unwrap();
    s.branch_version = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/offices/{branch}"),
        None,
    )
    .await["version"]
        .as_i64()
        .unwrap();
    s.town_version = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/towns/{etown}"),
        None,
    )
    .await["version"]
        .as_i64()
        .unwrap();
    s.dept_version = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/departments/{}", s.dept),
        None,
    )
    .await["version"]
        .as_i64()
        .unwrap();

    // The catalog: an approval item at the branch (testing::delegated_item), its batch and delegation.
    let (item, town) = delegated_item(&t.db.store, branch).await;
    s.item = item;
    s.town = town.to_string();
    let batches = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/batches?county={county}"),
        None,
    )
    .await;
    s.batch = batches["items"][0]["id"].as_i64().unwrap();
    let batch = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/batches/{}", s.batch),
        None,
    )
    .await;
    s.delegation = batch["delegations"][0]["id"].as_i64().unwrap();
    let mut convenience = item_content("矩阵便民服务", &format!("{county}SP"));
    convenience["item_type"] = json!("public_service");
    convenience["service"] = json!("convenience");
    convenience["statutory_days"] = json!("");
    convenience["promised_days"] = json!("");
    convenience["materials"] = json!([]);
    s.convenience = handed_item(
        t,
        tokens,
        county,
        &format!("11{county}BM000001"),
        convenience,
        None,
        "",
        "",
    )
    .await;
    let power = json!({
        "name": "对未取得营业执照擅自从事经营活动的行政处罚", "item_type": "penalty", "department": s.dept,
        "exercise_level": "县级（赋权乡镇行使）", "online_depth": "on_site", "max_visits": "0",
        "service": "approval", "category": "市场监管", "legal_basis_setting": "《无证无照经营查处办法》"
    });
    s.power = handed_item(
        t,
        tokens,
        county,
        &format!("SDZF02001-{county}000000"),
        power,
        Some(etown),
        "empower",
        "矩阵执法赋权〔2023〕1号",
    )
    .await;

    // Cases: at the branch and (in 乐陵市) at the centre, with a file, accepted, with tasks.
    let applicant = format!("{p}申请人");
    s.case_a = apply_with_files(t, tokens, item, &s.town, &applicant).await;
    s.case_b = accepted_case(t, tokens, item, &s.town, &applicant, clerk).await;
    s.tasks = tasks(t, tokens, item, &s.town, &applicant).await;
    if let Some(centre_clerk) = centre_clerk {
        let mut content = item_content("矩阵中心事项", &format!("{county}SP"));
        content["commitment_allowed"] = json!("是");
        content["materials"] = json!([
            { "name": "申请书", "requirement": "required", "form": "original", "copies": "1", "note": "" },
            { "name": "营业执照", "requirement": "required", "form": "original", "copies": "1", "note": "" }
        ]);
        let at_centre = handed_item(
            t,
            tokens,
            county,
            &format!("11{county}CAS00002"),
            content,
            Some(centre),
            "devolve",
            "矩阵赋权〔2023〕2号",
        )
        .await;
        s.centre_a = apply_with_files(t, tokens, at_centre, &s.centre_town, &applicant).await;
        s.centre_b = accepted_case(
            t,
            tokens,
            at_centre,
            &s.centre_town,
            &applicant,
            centre_clerk,
        )
        .await;
        s.centre_tasks = tasks(t, tokens, at_centre, &s.centre_town, &applicant).await;
    } else {
        s.centre_a = s.case_a.clone();
        s.centre_b = s.case_b.clone();
        s.centre_tasks = s.tasks;
    }

    // A bundle.
    s.template = four_certificate_bundle(&t.db.store, county).await;
    let template = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/bundle-templates/{}", s.template),
        None,
    )
    .await;
    s.template_items = template["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_i64().unwrap())
        .collect();
    let receipt = ok(
        t,
        tokens,
        None,
        "POST",
        "/api/v1/bundles",
        Some(json!({ "template_id": s.template, "town": s.town, "applicant_kind": "enterprise",
                     "applicant_id": uscc(if p == "本县" { 1 } else { 2 }), "applicant_name": applicant,
                     "contact": "0534-1234567", "channel": "online", "materials": BUNDLE_MATERIALS })),
    )
    .await;
    s.bundle = Rec {
        id: receipt["id"].as_i64().unwrap(),
        no: receipt["tracking_no"].as_str().unwrap().to_owned(),
        code: receipt["check_code"].as_str().unwrap().to_owned(),
        ..Rec::default()
    };

    // Enforcement: an enterprise, three dispatched officers, a draw, an inspection with a hazard,
    // a lead and a penalty case.
    s.credit = uscc(if p == "本县" { 11 } else { 12 });
    s.object = ok(
        t,
        tokens,
        Some(market),
        "POST",
        "/api/v1/inspection-objects",
        Some(json!({ "town": etown, "kind": "enterprise", "credit_code": s.credit, "name": format!("{p}测试企业"),
                     "industry": "食品制造", "risk_grade": "C", "domains": "market,safety" })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for n in 0..3 {
        let o = ok(
            t,
            tokens,
            Some(market),
            "POST",
            "/api/v1/officers",
            Some(json!({ "department": s.dept, "name": format!("{p}执法员{n}"),
                         "credential": { "number": format!("SD{county}{n:02}"), "domains": "market",
                            "issuer": "德州市人民政府", "valid_from": "2024-01-01", "valid_to": "2028-12-31" } })),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        ok(
            t,
            tokens,
            Some(market),
            "POST",
            &format!("/api/v1/officers/{o}/dispatch"),
            Some(json!({ "form": "stationed", "towns": [etown], "from": "2024-01-01" })),
        )
        .await;
        s.officers.push(o);
    }
    s.draw = ok(
        t,
        tokens,
        Some(market),
        "POST",
        "/api/v1/draws",
        Some(json!({ "department": s.dept, "title": format!("{p}双随机抽查"), "draw_on": "2024-03-05",
                     "count": 1, "team": 2 })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut visit = inspection(&s);
    visit["visited_on"] = json!("2024-02-20");
    visit["findings"] = json!(format!("{p}检查发现"));
    visit["hazards"] = json!([{ "level": "general", "description": format!("{p}隐患"),
                                 "responsible": "企业负责人", "deadline": "2024-03-10" }]);
    let receipt = ok(
        t,
        tokens,
        Some(market),
        "POST",
        "/api/v1/inspections",
        Some(visit),
    )
    .await;
    s.inspection = receipt["inspection"]["id"].as_i64().unwrap();
    let hazard = receipt["hazards"][0].as_i64().unwrap();
    let h = ok(
        t,
        tokens,
        Some("city.admin"),
        "GET",
        &format!("/api/v1/hazards/{hazard}"),
        None,
    )
    .await;
    s.hazard = Rec {
        id: hazard,
        lock: h["lock_version"].as_i64().unwrap_or(1),
        ..Rec::default()
    };
    let lead = ok(
        t,
        tokens,
        Some(team),
        "POST",
        "/api/v1/leads",
        Some(json!({ "source": "patrol", "domain": "market", "description": format!("{p}线索：无照经营"), "town": etown,
                     "urgency": "normal", "reporter": format!("{p}举报人") })),
    )
    .await;
    s.lead = Rec {
        id: lead["id"].as_i64().unwrap(),
        lock: lead["lock_version"].as_i64().unwrap(),
        ..Rec::default()
    };
    // The same field in another town of the county, not handed to it: the department's lead.
    let towns = ok(
        t,
        tokens,
        None,
        "GET",
        &format!("/api/v1/towns?county={county}&per_page=500"),
        None,
    )
    .await;
    let dept_town = towns["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .find(|c| c != etown)
        .expect("a second town");
    let lead = ok(
        t,
        tokens,
        Some(market),
        "POST",
        "/api/v1/leads",
        Some(json!({ "source": "patrol", "domain": "market", "description": format!("{p}线索：占道经营"), "town": dept_town,
                     "urgency": "normal", "reporter": format!("{p}举报人") })),
    )
    .await;
    assert_eq!(lead["handler_kind"], "department", "{lead}");
    s.dept_lead = Rec {
        id: lead["id"].as_i64().unwrap(),
        lock: lead["lock_version"].as_i64().unwrap(),
        ..Rec::default()
    };
    let filed = ok(
        t,
        tokens,
        None,
        "POST",
        "/open311/v2/requests.json",
        Some(json!({ "service_code": "market", "description": format!("{p}公开举报：占道经营"), "address_id": etown })),
    )
    .await;
    s.public_lead = filed[0]["service_request_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let penalty = ok(
        t,
        tokens,
        Some(team),
        "POST",
        "/api/v1/penalty-cases",
        Some(json!({ "item_id": s.power, "town": etown, "party_name": format!("{p}当事人"), "facts": "无照经营",
                     "officers": [s.officers[0], s.officers[1]] })),
    )
    .await;
    s.penalty = Rec {
        id: penalty["id"].as_i64().unwrap(),
        lock: penalty["lock_version"].as_i64().unwrap(),
        ..Rec::default()
    };
    s
}

async fn account(t: &TestApp, tokens: &HashMap<String, String>, user: &str) -> (i64, i64) {
    let me = ok(t, tokens, Some(user), "GET", "/api/v1/me", None).await;
    let id = me["id"].as_i64().unwrap();
    let a = ok(
        t,
        tokens,
        Some("city.admin"),
        "GET",
        &format!("/api/v1/accounts/{id}"),
        None,
    )
    .await;
    (id, a["version"].as_i64().unwrap())
}

async fn fixture(t: &TestApp) -> Fixture {
    let mut tokens: HashMap<String, String> = tongquan_store::seed::DEMO_ACCOUNTS
        .iter()
        .map(|(u, ..)| ((*u).to_owned(), t.token(u).to_owned()))
        .collect();
    new_account(t, &mut tokens, "ll.officer", "officer", "371481SJ").await;
    // The other county: the first with an approval branch (德城区, an urban district, has none),
    // with its bureau, market department, window clerk and town team.
    let branches = ok(
        t,
        &tokens,
        None,
        "GET",
        "/api/v1/offices?kind=branch&per_page=500",
        None,
    )
    .await;
    let oc_branch = branches["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["county_code"] != "371481")
        .expect("a branch outside 乐陵市")
        .clone();
    let county = oc_branch["county_code"].as_str().unwrap().to_owned();
    let branch = oc_branch["code"].as_str().unwrap().to_owned();
    let centre = ok(
        t,
        &tokens,
        None,
        "GET",
        &format!("/api/v1/offices?county={county}&kind=centre&per_page=1"),
        None,
    )
    .await["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let etown = centre[..9].to_owned();
    new_account(t, &mut tokens, "oc.bureau", "county_bureau", &county).await;
    new_account(
        t,
        &mut tokens,
        "oc.market",
        "department_admin",
        &format!("{county}SJ"),
    )
    .await;
    new_account(t, &mut tokens, "oc.branch", "branch_clerk", &branch).await;
    new_account(t, &mut tokens, "oc.team", "team_leader", &etown).await;

    let mut own = side(
        t,
        &tokens,
        "本县",
        "371481",
        "371481B01",
        "371481104C",
        "371481104",
        "ll.branch1",
        Some("ll.centre"),
        "ll.team",
        "ll.market",
    )
    .await;
    let mut other = side(
        t,
        &tokens,
        "外县",
        &county,
        &branch,
        &centre,
        &etown,
        "oc.branch",
        None,
        "oc.team",
        "oc.market",
    )
    .await;
    for (role, user) in CALLERS {
        own.accounts
            .insert(Some(role), account(t, &tokens, user).await);
    }
    own.accounts.insert(None, own.accounts[&Some(CB)]);
    other
        .accounts
        .insert(None, account(t, &tokens, "oc.bureau").await);
    Fixture { own, other, tokens }
}

// ---------------------------------------------------------------------------------------------
// Calling and judging.

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

fn location(r: &Reply) -> Option<&str> {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

/// The problem code of a refusal, for the report.
fn problem_code(r: &Reply) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(&r.body)
        && let Some(c) = v["code"].as_str()
    {
        return c.to_owned();
    }
    if r.body.contains("data-code=\"") {
        return between(&r.body, "data-code=\"", "\"").to_owned();
    }
    String::new()
}

async fn send(
    t: &TestApp,
    method: &str,
    uri: &str,
    api: bool,
    token: Option<&str>,
    browser: &Browser,
    payload: &Payload,
) -> Reply {
    let mut uri = uri.to_owned();
    if !api && matches!(payload, Payload::Multipart(..)) {
        // An upload form carries its CSRF token in the query.
        uri.push(if uri.contains('?') { '&' } else { '?' });
        uri.push_str(&format!("csrf={}", browser.csrf));
    }
    let mut req = Request::builder().method(method).uri(&uri);
    if api {
        if let Some(tok) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {tok}"));
        }
    } else {
        req = req.header(header::COOKIE, &browser.cookies);
    }
    let form_body = |fields: &[(&str, String)]| {
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !api {
            all.push(("csrf", &browser.csrf));
        }
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        serde_urlencoded::to_string(&all).unwrap()
    };
    let form_type = "application/x-www-form-urlencoded";
    let req = match payload {
        Payload::Empty if api || method == "GET" => req.body(Body::empty()),
        Payload::Empty => req
            .header(header::CONTENT_TYPE, form_type)
            .body(Body::from(form_body(&[]))),
        Payload::Json(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        Payload::Form(f) => req
            .header(header::CONTENT_TYPE, form_type)
            .body(Body::from(form_body(f))),
        Payload::Raw(ct, bytes) => req
            .header(header::CONTENT_TYPE, *ct)
            .body(Body::from(bytes.clone())),
        Payload::Multipart(fields, files) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &str, &[u8])> = files
                .iter()
                .map(|(k, n, b)| (*k, *n, b.as_slice()))
                .collect();
            let (ct, body) = multipart(&fields, &files);
            req.header(header::CONTENT_TYPE, ct).body(Body::from(body))
        }
    };
    t.send(req.unwrap()).await
}

/// The same payload with every text replaced by "?": well-formed, but nothing in it valid.
fn corrupt(p: &Payload) -> Payload {
    fn value(v: &Value) -> Value {
        match v {
            Value::String(_) => Value::String("?".into()),
            Value::Array(a) => Value::Array(a.iter().map(value).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), value(v))).collect())
            }
            other => other.clone(),
        }
    }
    match p {
        Payload::Empty => Payload::Empty,
        Payload::Json(v) => Payload::Json(value(v)),
        Payload::Form(f) => Payload::Form(f.iter().map(|(k, _)| (*k, "?".to_owned())).collect()),
        Payload::Raw(ct, _) => Payload::Raw(ct, b"?".to_vec()),
        Payload::Multipart(f, files) => Payload::Multipart(
            f.iter().map(|(k, _)| (*k, "?".to_owned())).collect(),
            files
                .iter()
                .map(|(k, n, _)| (*k, *n, b"?".to_vec()))
                .collect(),
        ),
    }
}

fn judge(e: &Entry, api: bool, expect: Expect, r: &Reply) -> Result<(), String> {
    let s = r.status.as_u16();
    if s >= 500 {
        return Err(format!("server error {s}"));
    }
    let to_login = !api && s == 303 && location(r) == Some("/login");
    match expect {
        Expect::Allow if s == 401 || s == 403 || to_login => Err(format!("refused ({s})")),
        Expect::Allow if s == 404 && e.who != Who::Public => {
            Err("404 for a record the caller may reach".into())
        }
        Expect::Allow => Ok(()),
        Expect::Deny(401) if !api => {
            if to_login {
                Ok(())
            } else {
                Err(format!("{s} instead of a redirect to /login"))
            }
        }
        Expect::Deny(x) | Expect::Is(x) if s == x => Ok(()),
        Expect::Deny(x) | Expect::Is(x) => Err(format!("{s} instead of {x}")),
    }
}

fn fill(e: &Entry, side: &Side, ctx: &Ctx) -> String {
    let mut uri = e.path.to_owned();
    if let Some(p) = e.params {
        for (k, v) in p(side, ctx) {
            let key = format!("{{{k}}}");
            assert!(uri.contains(&key), "{} has no parameter {k}", e.path);
            uri = uri.replace(&key, &v);
        }
    }
    assert!(
        !uri.contains('{'),
        "{}: a path parameter has no sample",
        e.path
    );
    if let Some(q) = e.query {
        uri = format!("{uri}?{}", q(side, ctx));
    }
    uri
}

fn snippet(body: &str) -> String {
    body.chars()
        .take(300)
        .collect::<String>()
        .replace('\n', " ")
}

async fn every_route_answers_every_role_as_its_policy_says(db: TestDb) {
    let started = Instant::now();
    // Coverage first: the router and the policy name the same routes.
    let routes = router_routes();
    let policy = policy();
    let mut by_key: BTreeMap<(&str, &str), &Entry> = BTreeMap::new();
    for e in &policy {
        assert!(
            by_key.insert((e.method, e.path), e).is_none(),
            "the policy lists {} {} twice",
            e.method,
            e.path
        );
    }
    let served: BTreeSet<(&str, &str)> = routes
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let uncovered: Vec<String> = served
        .iter()
        .filter(|k| !by_key.contains_key(*k))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let stale: Vec<String> = by_key
        .keys()
        .filter(|k| !served.contains(*k))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        uncovered.is_empty() && stale.is_empty(),
        "router.rs and the policy in tests/matrix.rs disagree.\n\
         Routes without a policy entry (say who may call them): {uncovered:#?}\n\
         Policy entries for routes that no longer exist: {stale:#?}"
    );

    let t = TestApp::new(db).await;
    let fx = fixture(&t).await;
    let setup = started.elapsed();
    let mut browsers: HashMap<Option<Role>, Browser> = HashMap::new();
    for (role, user) in CALLERS {
        browsers.insert(Some(role), t.sign_in(user).await);
    }
    browsers.insert(None, t.sign_in_anonymous().await);
    let callers: Vec<Option<Role>> = std::iter::once(None)
        .chain(CALLERS.iter().map(|c| Some(c.0)))
        .collect();

    // MATRIX_VERBOSE=1 prints every call and its answer.
    let verbose = std::env::var("MATRIX_VERBOSE").is_ok_and(|v| v == "1");
    let mut failures: Vec<String> = Vec::new();
    // The markers the city administrator saw: each must show somewhere, or its leak check proves nothing.
    let mut markers_seen: BTreeSet<&str> = BTreeSet::new();
    // (route, caller, status, code) where a refused caller's invalid body was judged before its role.
    let mut validated_first: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let (mut calls, mut refused, mut n) = (0usize, 0usize, 0usize);
    for (method, path) in &routes {
        let e = by_key[&(method.as_str(), path.as_str())];
        let api = is_api(path);
        let sides: &[At] = if e.sided() {
            &[At::Own, At::Other]
        } else {
            &[At::Own]
        };
        for &at in sides {
            let side = fx.side(at);
            // Refused callers first, so a write an allowed caller makes cannot mask a refusal.
            let mut order: Vec<(Option<Role>, Expect)> =
                callers.iter().map(|&c| (c, e.expect(c, at))).collect();
            order.sort_by_key(|(_, x)| !matches!(x, Expect::Deny(_)));
            for (role, expect) in order {
                n += 1;
                let allowed = !matches!(expect, Expect::Deny(_));
                let ctx = Ctx { role, allowed, n };
                let uri = fill(e, side, &ctx);
                let payload = e.body.map_or(Payload::Empty, |b| b(side, &ctx));
                let write = method != "GET";
                let who = username(role);
                let fresh;
                let browser = if e.fresh_session && role.is_some() {
                    fresh = t.sign_in(who).await;
                    &fresh
                } else {
                    &browsers[&role]
                };
                let token = role.map(|_| fx.tokens[who].as_str());
                let before = if write && !allowed {
                    Some(t.audit_len().await)
                } else {
                    None
                };
                let reply = send(&t, method, &uri, api, token, browser, &payload).await;
                calls += 1;
                let what = format!("{method} {uri} as {who} ({at:?} county)");
                if verbose {
                    eprintln!(
                        "{what}: {expect:?} -> {} {} {}",
                        reply.status.as_u16(),
                        problem_code(&reply),
                        if api {
                            snippet(&reply.body)
                        } else {
                            String::new()
                        }
                    );
                }
                if let Err(why) = judge(e, api, expect, &reply) {
                    let because = e.why(role, at).map_or(String::new(), |w| format!(" ({w})"));
                    failures.push(format!(
                        "{what}: expected {expect:?}{because}: {why} [{}] {}",
                        problem_code(&reply),
                        snippet(&reply.body)
                    ));
                }
                if !e.public_data && role == Some(CA) {
                    for m in OTHER_MARKERS {
                        if reply.body.contains(m) {
                            markers_seen.insert(m);
                        }
                    }
                }
                if !e.public_data && role != Some(CA) {
                    for m in OTHER_MARKERS {
                        if reply.body.contains(m) {
                            failures
                                .push(format!("{what}: LEAK of the other county's record ({m})"));
                        }
                    }
                }
                if let Some(before) = before {
                    refused += 1;
                    if t.audit_len().await != before {
                        failures.push(format!("{what}: a refused write changed data"));
                    }
                    // The same request with nothing valid in it: still refused, still nothing
                    // written; where it is judged on its content first, that is reported.
                    let bad = corrupt(&payload);
                    let before = t.audit_len().await;
                    let probe = send(&t, method, &uri, api, token, browser, &bad).await;
                    calls += 1;
                    let s = probe.status.as_u16();
                    let to_login = !api && s == 303 && location(&probe) == Some("/login");
                    if (200..400).contains(&s) && !to_login {
                        failures.push(format!(
                            "{what}: an invalid body from a refused caller was accepted ({s})"
                        ));
                    }
                    if s >= 500 {
                        failures.push(format!("{what}: invalid body: server error {s}"));
                    }
                    if t.audit_len().await != before {
                        failures.push(format!(
                            "{what}: an invalid body from a refused caller changed data"
                        ));
                    }
                    if ![401, 403, 404].contains(&s) && !to_login {
                        validated_first
                            .entry(format!("{method} {path}"))
                            .or_default()
                            .insert(format!("{who}:{s}:{}", problem_code(&probe)));
                    }
                }
            }
        }
    }
    eprintln!(
        "route matrix ({:?}): {} routes ({} API, {} pages) × {} callers (7 roles and anonymous) \
         × own/other county = {calls} calls ({refused} refused writes, each also probed with an invalid body); \
         setup {:.1}s, total {:.1}s",
        t.db.backend(),
        routes.len(),
        routes.iter().filter(|r| is_api(&r.1)).count(),
        routes.iter().filter(|r| !is_api(&r.1)).count(),
        callers.len(),
        setup.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    if !validated_first.is_empty() {
        eprintln!(
            "routes that judge a refused caller's request on its content before refusing it \
             (caller:status:code; nothing is written and no record is shown):"
        );
        for (route, seen) in &validated_first {
            eprintln!(
                "  {route}: {}",
                seen.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    for m in OTHER_MARKERS {
        if !markers_seen.contains(m) {
            failures.push(format!(
                "the marker {m} of the other county's records never appeared, even to the city administrator"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls broke the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
