-- 011: the all-channel totals go both ways between the hub and the post
-- points (docs/sync-protocol.md §11.5). Each cell (agency, month) keeps the
-- mark of the change that set it, as on the devices: the province's import
-- here (mark_device '') or a device's import of its post point
-- (totals.shared events); the latest mark (mark_at, then mark_device) wins
-- on every device and at the hub, whatever order they arrive in. The
-- province's import goes down as updates with device_id "@" + a post point
-- code: for every device of that post point, enrolled now or later.
ALTER TABLE hub_report_totals_coverage ADD COLUMN mark_at text NOT NULL DEFAULT '';
ALTER TABLE hub_report_totals_coverage ADD COLUMN mark_device text NOT NULL DEFAULT '';
-- the device whose totals.shared change an import is ('' for the province's)
ALTER TABLE hub_report_totals_imports ADD COLUMN from_device text NOT NULL DEFAULT '';
UPDATE hub_report_totals_coverage SET mark_at = (SELECT i.imported_at FROM hub_report_totals_imports i WHERE i.id = hub_report_totals_coverage.import_id);
