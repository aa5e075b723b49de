-- 003: the round trip (handover records, deliveries, feedback).
--
-- Handover records (biên bản giao nhận) are the post point's paper trail:
-- drafts until the agency's officer signs. Confirming one records the
-- dossiers' moves as events in the same transaction; a draft cancelled
-- changes no dossier. Feedback and the daily register are read from the
-- event log itself (no second copy to drift), through events_kind_at.

CREATE TABLE handovers (
    id           TEXT PRIMARY KEY,            -- e.g. BG-553140A-261125-01
    direction    TEXT NOT NULL CHECK (direction IN ('out', 'in', 'return')),
    agency_code  TEXT NOT NULL,
    officer      TEXT NOT NULL DEFAULT '',    -- the agency's officer who signed
    staff        TEXT NOT NULL,               -- who drew it up
    confirmed_by TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    confirmed_at TEXT NOT NULL DEFAULT '',    -- '' while a draft
    cancelled_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX handovers_open ON handovers(direction, confirmed_at, cancelled_at);
CREATE INDEX handovers_created ON handovers(created_at);

CREATE TABLE handover_items (
    handover_id TEXT NOT NULL REFERENCES handovers(id),
    position    INTEGER NOT NULL,
    dossier     TEXT NOT NULL,
    PRIMARY KEY (handover_id, position),
    UNIQUE (handover_id, dossier)
);
CREATE INDEX handover_items_dossier ON handover_items(dossier);

-- The daily register reads a day's events of given kinds; the feedback list
-- reads the feedback kinds.
CREATE INDEX events_kind_at ON events(kind, at);
