-- One schema for SQLite and PostgreSQL. {{ID}} is the only dialect difference: an auto-numbered key.
-- Integers are BIGINT and flags are BIGINT 0/1, so both backends decode them the same way.
-- Timestamps are RFC 3339 UTC text with fixed width, so they sort as text.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counties (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    seat_lat DOUBLE PRECISION NOT NULL,
    seat_lon DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL,
    ordinal BIGINT NOT NULL
);

CREATE TABLE boundaries (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE towns (
    code TEXT PRIMARY KEY,
    county_code TEXT NOT NULL REFERENCES counties (code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    coord_source TEXT NOT NULL,
    population BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX towns_county ON towns (county_code, code);

CREATE TABLE offices (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT REFERENCES towns (code),
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    hours TEXT NOT NULL,
    illustrative BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX offices_county ON offices (county_code, kind, code);

-- The towns whose approval applications an office takes (a branch serves 2-5 towns).
CREATE TABLE office_towns (
    office_code TEXT NOT NULL REFERENCES offices (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    PRIMARY KEY (office_code, town_code)
);
CREATE INDEX office_towns_town ON office_towns (town_code);

CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    county_code TEXT NOT NULL REFERENCES counties (code),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX departments_county ON departments (county_code, code);

CREATE TABLE accounts (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    county_code TEXT,
    town_code TEXT,
    office_code TEXT,
    department_code TEXT,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX accounts_county ON accounts (county_code, id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);

-- The end of the audit chain. Every write transaction updates this row first, which serialises
-- writers on both backends, so that each entry links to the one committed before it.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    resource_kind TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    county_code TEXT,
    town_code TEXT,
    office_code TEXT,
    department_code TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_county ON audit_log (county_code, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
