-- The working-day calendar and approval cases (办件).

-- The official holiday arrangement: holidays (off = 1) and adjusted working days (off = 0). The
-- years with any row are the years the calendar knows.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    off BIGINT NOT NULL
);

-- One application for one item. The office is the one the catalog named competent for the
-- applicant's town on the submission date; doc_number is the delegation that gave it the power.
CREATE TABLE cases (
    id {{ID}},
    tracking_no TEXT NOT NULL UNIQUE,
    check_hash TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    item_version BIGINT NOT NULL,
    item_name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    office_code TEXT NOT NULL REFERENCES offices (code),
    intake_office_code TEXT REFERENCES offices (code),
    doc_number TEXT,
    channel TEXT NOT NULL,
    assisted_by TEXT,
    applicant_kind TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    materials TEXT NOT NULL,
    state TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    statutory_days BIGINT,
    promised_days BIGINT,
    statutory_due TEXT,
    promised_due TEXT,
    concluded_on TEXT,
    km_to_office DOUBLE PRECISION,
    km_to_hall DOUBLE PRECISION,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    commitment BIGINT NOT NULL DEFAULT 0,
    rating BIGINT,
    rating_comment TEXT,
    rated_on TEXT,
    lock_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_queue ON cases (office_code, state, statutory_due);
CREATE INDEX cases_county ON cases (county_code, submitted_on);
CREATE INDEX cases_office_day ON cases (office_code, submitted_on);
CREATE INDEX cases_day ON cases (submitted_on);
-- The queues: open cases only, so that they stay small however many cases are closed.
CREATE INDEX cases_open_office ON cases (office_code, (COALESCE(statutory_due, '9999-12-31')), id) WHERE state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked');
CREATE INDEX cases_open_county ON cases (county_code, (COALESCE(statutory_due, '9999-12-31')), id) WHERE state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked');
CREATE INDEX cases_open ON cases ((COALESCE(statutory_due, '9999-12-31')), id) WHERE state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked');
CREATE INDEX cases_applicant ON cases (applicant_id);

-- Every transition, with who took it, at which office, and why.
CREATE TABLE case_events (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    office_code TEXT,
    on_day TEXT NOT NULL,
    reason TEXT NOT NULL,
    missing TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id);

-- Periods the clock stops (补正, hearings, expert review, public notice); until is empty while open.
CREATE TABLE case_pauses (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    from_day TEXT NOT NULL,
    until_day TEXT
);
CREATE INDEX case_pauses_case ON case_pauses (case_id);

-- Extensions of the statutory limit: requested by the office, approved (1) or refused (0) by the
-- county bureau; approved is empty while pending.
CREATE TABLE case_extensions (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    days BIGINT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    approved BIGINT,
    decided_by TEXT,
    decided_on TEXT
);
CREATE INDEX case_extensions_case ON case_extensions (case_id);

-- Uploaded materials, stored once per content (sha256). media_type is what the content proved to
-- be, never what the browser claimed.
CREATE TABLE files (
    hash TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content {{BLOB}} NOT NULL,
    created_at TEXT NOT NULL
);

-- Which file was handed in for which material of a case.
CREATE TABLE case_files (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    material TEXT NOT NULL,
    file_hash TEXT NOT NULL REFERENCES files (hash),
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_id);

-- Work a case leaves behind with a deadline: the follow-up of a bad rating (差评整改) and the
-- post-verification of a commitment approval (告知承诺核查).
CREATE TABLE case_tasks (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    office_code TEXT NOT NULL REFERENCES offices (code),
    method TEXT,
    due TEXT NOT NULL,
    done_on TEXT,
    outcome TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX case_tasks_open ON case_tasks (office_code, done_on, due);

-- Applicants flagged for serious credit problems, e.g. a commitment that proved false; while a
-- flag stands they may not use commitment approval.
CREATE TABLE credit_flags (
    id {{ID}},
    applicant_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    case_id BIGINT REFERENCES cases (id),
    flagged_on TEXT NOT NULL,
    cleared_on TEXT
);
CREATE INDEX credit_flags_applicant ON credit_flags (applicant_id);

-- Convenience services (便民服务) a town centre records: lighter than cases, just what was taken,
-- when it was done and how long it took.
CREATE TABLE services (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items (id),
    item_name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    office_code TEXT NOT NULL REFERENCES offices (code),
    channel TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    done_on TEXT,
    minutes BIGINT,
    recorded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX services_office ON services (office_code, taken_on);
CREATE INDEX services_county ON services (county_code, taken_on);
