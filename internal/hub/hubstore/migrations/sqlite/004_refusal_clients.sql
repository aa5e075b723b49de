-- The refusal log keeps a bounded sample per client (the address that sent
-- the request, behind a trusted proxy the one it names), so a flood from one
-- client evicts only its own rows and cannot hide other clients' refusals.
ALTER TABLE refusals ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX refusals_by_client ON refusals(client, id);
