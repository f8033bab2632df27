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
    lock_version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_queue ON cases (office_code, state, statutory_due);
CREATE INDEX cases_county ON cases (county_code, submitted_on);
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
