-- Attempts at secrets (passwords, check codes), counted per subject and per client so guessing is
-- throttled without letting one client lock everyone else out. A row is written before the secret
-- is checked and removed when it proves right, so concurrent guesses cannot slip past the count.
CREATE TABLE attempts (
    id {{ID}},
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX attempts_subject ON attempts (kind, subject, at);
CREATE INDEX attempts_client ON attempts (kind, client, at);
CREATE INDEX attempts_at ON attempts (at);

-- Superseded by attempts: a per-account counter let anyone lock any account, and was read outside
-- the transaction that wrote it.
ALTER TABLE accounts DROP COLUMN failed_logins;
ALTER TABLE accounts DROP COLUMN locked_until;

-- A public report is followed with its number and a code given once to the reporter, as a case is:
-- its description and handling are not for whoever counts report numbers.
ALTER TABLE leads ADD COLUMN check_hash TEXT;

-- Idempotency: a request sent twice with one key (a double click, a refresh, a retry after a lost
-- answer) gets the first answer instead of a second case. Kept a day.
CREATE TABLE once_keys (
    scope TEXT NOT NULL,
    once_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, once_key)
);
CREATE INDEX once_keys_created ON once_keys (created_at);

-- 审核 then 审批: a county may require that an item's decisions are signed off by two people.
ALTER TABLE items ADD COLUMN four_eyes BIGINT NOT NULL DEFAULT 0;
