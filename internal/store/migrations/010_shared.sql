-- 010: what the post point shares among its devices (docs/sync-protocol.md
-- §11.5): staff accounts, its own catalog edits and the all-channel totals
-- travel as events; each shared item (a staff account's field, an agency, a
-- procedure, a totals cell of an agency and month) keeps the mark of the
-- change that set it here, and a change applies only when its mark is later:
-- (hub catalog version, at, device), so every device ends the same in any
-- arrival order.
CREATE TABLE shared_marks (
    what        TEXT NOT NULL,              -- staff.full_name | staff.role | staff.active | staff.secret | agency | procedure | totals
    key         TEXT NOT NULL,              -- username, code, or agency|month
    hub_version INTEGER NOT NULL DEFAULT 0, -- the province catalog version the change was made on
    at          TEXT NOT NULL DEFAULT '',
    device      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (what, key)
);

-- An import that came from another device of the post point names it.
ALTER TABLE catalog_versions ADD COLUMN from_device TEXT NOT NULL DEFAULT '';
ALTER TABLE report_totals_imports ADD COLUMN from_device TEXT NOT NULL DEFAULT '';
