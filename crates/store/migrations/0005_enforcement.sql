-- Enforcement moved down (执法下沉): officers, credentials and dispatch; inspection objects, item
-- lists and recusals; random draws; inspections; leads; hazards; penalty cases.

CREATE TABLE officers (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    name TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts (id),
    created_at TEXT NOT NULL
);
CREATE INDEX officers_department ON officers (department_code, id);
CREATE INDEX officers_county ON officers (county_code, id);
CREATE INDEX officers_account ON officers (account_id);

CREATE TABLE credentials (
    id {{ID}},
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    number TEXT NOT NULL UNIQUE,
    domains TEXT NOT NULL,
    issuer TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX credentials_officer ON credentials (officer_id, valid_to);

CREATE TABLE dispatches (
    id {{ID}},
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    county_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    form TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX dispatches_officer ON dispatches (officer_id, valid_from);

CREATE TABLE dispatch_towns (
    dispatch_id BIGINT NOT NULL REFERENCES dispatches (id),
    town_code TEXT NOT NULL REFERENCES towns (code),
    PRIMARY KEY (dispatch_id, town_code)
);
CREATE INDEX dispatch_towns_town ON dispatch_towns (town_code, dispatch_id);

CREATE TABLE inspection_objects (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    kind TEXT NOT NULL,
    credit_code TEXT,
    name TEXT NOT NULL,
    industry TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    risk_grade TEXT NOT NULL,
    domains TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (county_code, credit_code)
);
CREATE INDEX inspection_objects_town ON inspection_objects (town_code, id);
CREATE INDEX inspection_objects_county ON inspection_objects (county_code, risk_grade, id);

-- Declared conflicts of interest; repeated clean inspections are read from the inspections.
CREATE TABLE recusals (
    id {{ID}},
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    object_id BIGINT NOT NULL REFERENCES inspection_objects (id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (officer_id, object_id)
);
CREATE INDEX recusals_object ON recusals (object_id);

-- A department's inspection item list (检查事项清单), with times a year per risk grade.
CREATE TABLE inspection_items (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    domain TEXT NOT NULL,
    name TEXT NOT NULL,
    object_kinds TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    method TEXT NOT NULL,
    freq_a BIGINT NOT NULL,
    freq_b BIGINT NOT NULL,
    freq_c BIGINT NOT NULL,
    freq_d BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (department_code, name)
);

-- A random draw: inputs and commitment published first, the seed revealed after.
CREATE TABLE draws (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    domain TEXT NOT NULL,
    title TEXT NOT NULL,
    draw_on TEXT NOT NULL,
    inputs TEXT NOT NULL,
    objects_in_pool BIGINT NOT NULL,
    officers_in_pool BIGINT NOT NULL,
    inputs_digest TEXT NOT NULL,
    commitment TEXT NOT NULL,
    seed TEXT NOT NULL,
    outcome TEXT,
    state TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    revealed_at TEXT
);
CREATE INDEX draws_county ON draws (county_code, id);
CREATE INDEX draws_department ON draws (department_code, id);

CREATE TABLE inspections (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    object_id BIGINT NOT NULL REFERENCES inspection_objects (id),
    departments TEXT NOT NULL,
    domain TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    draw_id BIGINT REFERENCES draws (id),
    lead_id BIGINT,
    visited_on TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    items TEXT NOT NULL,
    findings TEXT NOT NULL,
    found BIGINT NOT NULL,
    override_reason TEXT,
    rating_code_hash TEXT NOT NULL,
    rating BIGINT,
    rating_comment TEXT,
    rated_at TEXT,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX inspections_object ON inspections (object_id, visited_on);
CREATE INDEX inspections_county ON inspections (county_code, visited_on, id);
CREATE INDEX inspections_town ON inspections (town_code, visited_on, id);
CREATE INDEX inspections_department ON inspections (department_code, visited_on, id);
CREATE UNIQUE INDEX inspections_rating_code ON inspections (rating_code_hash);

CREATE TABLE inspection_officers (
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    PRIMARY KEY (inspection_id, officer_id)
);
CREATE INDEX inspection_officers_officer ON inspection_officers (officer_id);

CREATE TABLE leads (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    department_code TEXT,
    handler_kind TEXT NOT NULL,
    handler_code TEXT NOT NULL,
    route_reason_zh TEXT NOT NULL,
    route_reason_en TEXT NOT NULL,
    source TEXT NOT NULL,
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    urgency TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at TEXT NOT NULL,
    dispatched_at TEXT,
    on_site_at TEXT,
    disposed_at TEXT,
    closed_at TEXT,
    disposal TEXT NOT NULL,
    reporter TEXT NOT NULL,
    lock_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX leads_county ON leads (county_code, state, id);
CREATE INDEX leads_town ON leads (town_code, state, id);
CREATE INDEX leads_department ON leads (department_code, state, id);

CREATE TABLE hazards (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    object_id BIGINT NOT NULL REFERENCES inspection_objects (id),
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    domain TEXT NOT NULL,
    level TEXT NOT NULL,
    description TEXT NOT NULL,
    responsible TEXT NOT NULL,
    deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    escalated_on TEXT,
    closed_on TEXT,
    lock_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX hazards_county ON hazards (county_code, state, deadline);
CREATE INDEX hazards_town ON hazards (town_code, state, deadline);
CREATE INDEX hazards_department ON hazards (department_code, state, deadline);

CREATE TABLE hazard_events (
    id {{ID}},
    hazard_id BIGINT NOT NULL REFERENCES hazards (id),
    kind TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX hazard_events_hazard ON hazard_events (hazard_id, id);

CREATE TABLE penalty_cases (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    department_code TEXT,
    handler_kind TEXT NOT NULL,
    handler_code TEXT NOT NULL,
    route_reason_zh TEXT NOT NULL,
    route_reason_en TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    item_name TEXT NOT NULL,
    domain TEXT NOT NULL,
    party_name TEXT NOT NULL,
    facts TEXT NOT NULL,
    major BIGINT NOT NULL,
    state TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    decision TEXT NOT NULL,
    lock_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX penalty_cases_county ON penalty_cases (county_code, state, id);
CREATE INDEX penalty_cases_town ON penalty_cases (town_code, state, id);
CREATE INDEX penalty_cases_department ON penalty_cases (department_code, state, id);

CREATE TABLE penalty_officers (
    case_id BIGINT NOT NULL REFERENCES penalty_cases (id),
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    PRIMARY KEY (case_id, officer_id)
);

CREATE TABLE penalty_events (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES penalty_cases (id),
    step TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX penalty_events_case ON penalty_events (case_id, id);
