-- 008 (PostgreSQL): as ../sqlite/008_access.sql (its SQL is portable). Who looked at the hub (issue 15): every view of a dossier's personal
-- data on the web page and every citizen export by the hub's own staff.
-- One row per dossier an access showed (access_id groups them; an access
-- that found none has one row with dossier ''). Portable SQL (no rowid, no
-- SQLite functions): the same text runs on PostgreSQL.
CREATE TABLE hub_access (
    access_id TEXT NOT NULL,             -- random, one per view or export
    at        TEXT NOT NULL,             -- domain.TimeLayout
    username  TEXT NOT NULL,             -- the hub user, or who ran the command
    what      TEXT NOT NULL,             -- view | export (domain.AccessWhat)
    via       TEXT NOT NULL,             -- web | cli
    detail    TEXT NOT NULL DEFAULT '',  -- e.g. "citizen export pdf"
    dossier   TEXT NOT NULL DEFAULT '',
    UNIQUE (access_id, dossier)
);
CREATE INDEX hub_access_dossier ON hub_access(dossier, at);
CREATE INDEX hub_access_user ON hub_access(username, at);
