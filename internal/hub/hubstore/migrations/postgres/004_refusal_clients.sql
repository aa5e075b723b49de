-- 004 (PostgreSQL): as ../sqlite/004_refusal_clients.sql.
ALTER TABLE refusals ADD COLUMN client text NOT NULL DEFAULT '';
CREATE INDEX refusals_by_client ON refusals(client, id);
