-- Bundles (一件事), the hand-offs of cross-window cases (跨域通办), and state indexes for case histories.

-- A county's bundle of items applied for together, e.g. an industrial project's four certificates.
CREATE TABLE bundle_templates (
    id {{ID}},
    county_code TEXT NOT NULL REFERENCES counties (code),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (county_code, name)
);

CREATE TABLE bundle_template_items (
    template_id BIGINT NOT NULL REFERENCES bundle_templates (id),
    position BIGINT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    PRIMARY KEY (template_id, position)
);

-- One application under a template; its sub-cases carry bundle_id. concluded_on is the day the
-- last sub-case closed, empty while any is open.
CREATE TABLE bundles (
    id {{ID}},
    tracking_no TEXT NOT NULL UNIQUE,
    check_hash TEXT NOT NULL,
    template_id BIGINT NOT NULL REFERENCES bundle_templates (id),
    template_name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES counties (code),
    town_code TEXT NOT NULL REFERENCES towns (code),
    applicant_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    concluded_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX bundles_county ON bundles (county_code, submitted_on);

ALTER TABLE cases ADD COLUMN bundle_id BIGINT REFERENCES bundles (id);
CREATE INDEX cases_bundle ON cases (bundle_id);

-- A cross-window case: the day the intake window handed it to the competent office, and the day
-- that office returned the result to the intake window.
ALTER TABLE cases ADD COLUMN handed_over_on TEXT;
ALTER TABLE cases ADD COLUMN returned_on TEXT;

-- Case histories filtered by state, newest first (e.g. a county's concluded cases), read and
-- counted from the index alone. They replace the office-state-due index, which the partial
-- open-queue indexes made unused.
DROP INDEX cases_queue;
CREATE INDEX cases_office_state ON cases (office_code, state, submitted_on, id);
CREATE INDEX cases_county_state ON cases (county_code, state, submitted_on, id);
CREATE INDEX cases_state ON cases (state, submitted_on, id);

-- The city-wide list of convenience services, newest first, without sorting them all.
CREATE INDEX services_day ON services (taken_on, id);
