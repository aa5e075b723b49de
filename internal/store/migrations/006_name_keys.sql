-- 006: names found as they are typed without spaces or apostrophes
-- ("hbich" finds "H'Bích", "rmah" finds "Rơ Mah"): domain.NameKeys of the
-- applicant's name, kept as a JSON array on the dossier (written by the
-- projection, store/events.go) and one row a key in dossier_name_keys, kept
-- by triggers, so a search is a prefix range on an index.
ALTER TABLE dossiers ADD COLUMN name_keys TEXT NOT NULL DEFAULT '[]';
-- existing dossiers: postdesk_name_keys is domain.NameKeys as JSON,
-- registered with the SQLite driver by the store (name_keys.go)
UPDATE dossiers SET name_keys = postdesk_name_keys(applicant_name);

CREATE TABLE dossier_name_keys (
    key     TEXT NOT NULL,
    dossier TEXT NOT NULL,
    PRIMARY KEY (key, dossier)
) WITHOUT ROWID;
CREATE INDEX dossier_name_keys_dossier ON dossier_name_keys(dossier);
INSERT OR IGNORE INTO dossier_name_keys(key, dossier)
    SELECT j.value, d.id FROM dossiers d, json_each(d.name_keys) j;

CREATE TRIGGER dossier_name_keys_insert AFTER INSERT ON dossiers BEGIN
    INSERT OR IGNORE INTO dossier_name_keys(key, dossier) SELECT value, NEW.id FROM json_each(NEW.name_keys);
END;
CREATE TRIGGER dossier_name_keys_update AFTER UPDATE ON dossiers
WHEN OLD.name_keys IS NOT NEW.name_keys OR OLD.id IS NOT NEW.id BEGIN
    DELETE FROM dossier_name_keys WHERE dossier = OLD.id;
    INSERT OR IGNORE INTO dossier_name_keys(key, dossier) SELECT value, NEW.id FROM json_each(NEW.name_keys);
END;
CREATE TRIGGER dossier_name_keys_delete AFTER DELETE ON dossiers BEGIN
    DELETE FROM dossier_name_keys WHERE dossier = OLD.id;
END;
