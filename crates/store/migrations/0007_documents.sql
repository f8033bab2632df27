-- Legal documents that hold up (issue 12): every notice and decision an office issues on a case
-- carries a document number of its office's series for the year, the legal basis, the licence it
-- grants, and for an adverse decision the bodies that hear a challenge.

-- Where a county's adverse decisions are challenged: the reconsideration body (行政复议机关) and
-- the court of first instance (行政诉讼).
ALTER TABLE counties ADD COLUMN reconsideration_body TEXT NOT NULL DEFAULT '';
ALTER TABLE counties ADD COLUMN court TEXT NOT NULL DEFAULT '';

-- The certificate a grant of the item issues (证照名称; empty for none) and its term in years
-- (empty for none or for one without a term).
ALTER TABLE item_versions ADD COLUMN licence TEXT NOT NULL DEFAULT '';
ALTER TABLE item_versions ADD COLUMN licence_years BIGINT;

-- The last number an office gave in a year, per series: 'notice' (文号 of every notice and
-- decision) and 'licence' (licence numbers). Taken in the transaction that writes the decision,
-- so a write that fails takes no number and the series has no gaps.
CREATE TABLE notice_series (
    office_code TEXT NOT NULL REFERENCES offices (code),
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (office_code, series, year)
);

-- A notice or decision as issued by the event that issued it. It keeps what it stated then (the
-- legal basis, the licence, the remedies), so a notice printed again says the same.
CREATE TABLE case_notices (
    id {{ID}},
    event_id BIGINT NOT NULL UNIQUE REFERENCES case_events (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    office_code TEXT NOT NULL REFERENCES offices (code),
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    issued_on TEXT NOT NULL,
    legal_basis_setting TEXT NOT NULL,
    legal_basis_implementing TEXT NOT NULL,
    licence TEXT NOT NULL DEFAULT '',
    licence_number BIGINT,
    licence_years BIGINT,
    licence_scope TEXT NOT NULL DEFAULT '',
    reconsideration_body TEXT NOT NULL DEFAULT '',
    court TEXT NOT NULL DEFAULT '',
    UNIQUE (office_code, year, number)
);
CREATE INDEX case_notices_case ON case_notices (case_id);

-- Notices issued before this migration are numbered in the order they were issued, per office and
-- year (the same statements number the demo's generated history; see store::cases::notices).
INSERT INTO case_notices (event_id, case_id, office_code, year, number, issued_on,
    legal_basis_setting, legal_basis_implementing, licence, licence_number, licence_years,
    licence_scope, reconsideration_body, court)
SELECT e.id, e.case_id, COALESCE(e.office_code, c.office_code), CAST(SUBSTR(e.on_day, 1, 4) AS BIGINT),
    COALESCE((SELECT s.last_number FROM notice_series s
              WHERE s.office_code = COALESCE(e.office_code, c.office_code) AND s.series = 'notice'
                AND s.year = CAST(SUBSTR(e.on_day, 1, 4) AS BIGINT)), 0)
      + ROW_NUMBER() OVER (PARTITION BY COALESCE(e.office_code, c.office_code), SUBSTR(e.on_day, 1, 4)
                           ORDER BY e.on_day, e.id),
    e.on_day, v.legal_basis_setting, v.legal_basis_implementing,
    CASE WHEN e.action = 'grant' THEN v.licence ELSE '' END,
    CASE WHEN e.action = 'grant' AND v.licence <> '' THEN
        COALESCE((SELECT s.last_number FROM notice_series s
                  WHERE s.office_code = COALESCE(e.office_code, c.office_code) AND s.series = 'licence'
                    AND s.year = CAST(SUBSTR(e.on_day, 1, 4) AS BIGINT)), 0)
          + ROW_NUMBER() OVER (PARTITION BY COALESCE(e.office_code, c.office_code), SUBSTR(e.on_day, 1, 4),
                                   CASE WHEN e.action = 'grant' AND v.licence <> '' THEN 1 ELSE 0 END
                               ORDER BY e.on_day, e.id)
    END,
    CASE WHEN e.action = 'grant' AND v.licence <> '' THEN v.licence_years END,
    CASE WHEN e.action = 'grant' AND v.licence <> '' THEN COALESCE(NULLIF(e.reason, ''), c.item_name) ELSE '' END,
    CASE WHEN e.action IN ('reject', 'deny', 'revoke') THEN co.reconsideration_body ELSE '' END,
    CASE WHEN e.action IN ('reject', 'deny', 'revoke') THEN co.court ELSE '' END
FROM case_events e
JOIN cases c ON c.id = e.case_id
JOIN item_versions v ON v.item_id = c.item_id AND v.number = c.item_version
JOIN counties co ON co.code = c.county_code
WHERE e.action IN ('accept', 'reject', 'request_supplement', 'grant', 'deny', 'revoke')
  AND NOT EXISTS (SELECT 1 FROM case_notices n WHERE n.event_id = e.id);

INSERT INTO notice_series (office_code, series, year, last_number)
SELECT office_code, 'notice', year, MAX(number) FROM case_notices WHERE 1 = 1 GROUP BY office_code, year
ON CONFLICT (office_code, series, year) DO UPDATE SET last_number = excluded.last_number;

INSERT INTO notice_series (office_code, series, year, last_number)
SELECT office_code, 'licence', year, MAX(licence_number) FROM case_notices WHERE licence_number IS NOT NULL GROUP BY office_code, year
ON CONFLICT (office_code, series, year) DO UPDATE SET last_number = excluded.last_number;
