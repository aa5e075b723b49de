-- 010 (SQLite): nothing changes. On PostgreSQL this step moves the BCCI
-- count triggers of hub_dossiers from rows to statements
-- (../postgres/010_statement_triggers.sql); SQLite has no statement-level
-- triggers, and its row triggers (003) run in-process, without the round
-- trips and plpgsql calls that made them dear on PostgreSQL.
SELECT 1;
