-- The item catalog (实施清单) and the delegation of items to towns (赋权目录).

-- An item of a county's catalog; what it says lives in its versions.
CREATE TABLE items (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    impl_code TEXT NOT NULL,
    base_code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (county_code, impl_code)
);
CREATE INDEX items_base ON items (base_code);

-- Drafts and published versions. A published version is never updated; its period in force runs
-- from valid_from to valid_to or the next version's valid_from, whichever comes first.
CREATE TABLE item_versions (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items (id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    name TEXT NOT NULL,
    parent_code TEXT,
    item_type TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    legal_basis_setting TEXT NOT NULL,
    legal_basis_implementing TEXT NOT NULL,
    exercise_level TEXT NOT NULL,
    statutory_days BIGINT,
    promised_days BIGINT,
    fees TEXT NOT NULL,
    online_depth TEXT NOT NULL,
    max_visits BIGINT NOT NULL,
    commitment_allowed BIGINT NOT NULL,
    tongban_allowed BIGINT NOT NULL,
    service TEXT NOT NULL,
    category TEXT NOT NULL,
    materials TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    lock_version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (item_id, number)
);
CREATE INDEX item_versions_in_force ON item_versions (item_id, status, valid_from);
CREATE INDEX item_versions_department ON item_versions (department_code);

-- A document that hands items down (文号), and what it hands to whom.
CREATE TABLE batches (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    doc_number TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    legal_basis TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (county_code, doc_number)
);

CREATE TABLE delegations (
    id {{ID}},
    batch_id BIGINT NOT NULL REFERENCES batches (id),
    item_id BIGINT NOT NULL REFERENCES items (id),
    recipient TEXT NOT NULL,
    county_code TEXT NOT NULL,
    town_code TEXT,
    office_code TEXT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (batch_id, item_id, recipient)
);
CREATE INDEX delegations_item ON delegations (item_id, recipient);
CREATE INDEX delegations_recipient ON delegations (recipient, item_id);
CREATE INDEX delegations_town ON delegations (town_code, item_id);

-- Suspensions, resumptions and revocations: new records, never edits.
CREATE TABLE delegation_events (
    id {{ID}},
    delegation_id BIGINT NOT NULL REFERENCES delegations (id),
    kind TEXT NOT NULL,
    effective TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX delegation_events_delegation ON delegation_events (delegation_id, effective);
