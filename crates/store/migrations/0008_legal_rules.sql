-- Rules the law sets (issue 18): the clock of an approval case runs from acceptance, each
-- decision records whether it came in time, a batch says what happens to open cases when its
-- power ends, each officer of a joint visit does one department's part, and a penalty case
-- carries the penalty its notice proposed and its decision imposed.

-- The first day the office accepted (受理); the last day it may accept, refuse or ask for the
-- supplement before the law deems the application accepted (five working days after receipt or
-- after the supplement arrived).
ALTER TABLE cases ADD COLUMN accepted_on TEXT;
ALTER TABLE cases ADD COLUMN answer_by TEXT;
-- The decision (准予 or 不予许可) and whether it met the statutory and the promised due date
-- (1 or 0; empty without a decision or without that limit).
ALTER TABLE cases ADD COLUMN decided_on TEXT;
ALTER TABLE cases ADD COLUMN on_time_statutory BIGINT;
ALTER TABLE cases ADD COLUMN on_time_promised BIGINT;

UPDATE cases SET accepted_on = (
    SELECT MIN(e.on_day) FROM case_events e WHERE e.case_id = cases.id AND e.action = 'accept'
);
UPDATE cases SET decided_on = (
    SELECT MIN(e.on_day) FROM case_events e WHERE e.case_id = cases.id AND e.action IN ('grant', 'deny')
);
UPDATE cases SET
    on_time_statutory = CASE WHEN statutory_due IS NULL THEN NULL WHEN decided_on <= statutory_due THEN 1 ELSE 0 END,
    on_time_promised = CASE WHEN promised_due IS NULL THEN NULL WHEN decided_on <= promised_due THEN 1 ELSE 0 END
WHERE decided_on IS NOT NULL;

-- What happens to a case received while an office held the power, when the power is suspended
-- or revoked: 'stay' (the office decides it) or 'transfer' (handed to the county body).
ALTER TABLE batches ADD COLUMN open_cases TEXT NOT NULL DEFAULT 'stay';

-- The field whose part of the visit the officer did (empty for visits recorded before).
ALTER TABLE inspection_officers ADD COLUMN domain TEXT;

-- The party (a natural person or an organisation, for the hearing thresholds), the penalty the
-- notice of rights proposed and the decision imposed (JSON), when the notice was served, whether
-- a hearing was held, and the days approved extensions added to the 90 days to decide.
ALTER TABLE penalty_cases ADD COLUMN organisation BIGINT NOT NULL DEFAULT 1;
ALTER TABLE penalty_cases ADD COLUMN proposed TEXT;
ALTER TABLE penalty_cases ADD COLUMN imposed TEXT;
ALTER TABLE penalty_cases ADD COLUMN notified_on TEXT;
ALTER TABLE penalty_cases ADD COLUMN heard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE penalty_cases ADD COLUMN extended_days BIGINT NOT NULL DEFAULT 0;
