-- 007: the province's catalog pushed down by the hub (syncproto.CatalogChange):
-- each import records the hub's catalog version it came from (0: a file
-- imported on this device), so the device can say which province catalog it runs.
ALTER TABLE catalog_versions ADD COLUMN hub_version INTEGER NOT NULL DEFAULT 0;
