-- 012: the province's commune list, pushed down by the hub with its catalog
-- (syncproto.CatalogChange.Communes). The intake form offers these once any
-- are here, else the list shipped with the app. An import that brings a list
-- replaces the whole list in its transaction; the catalog version records
-- how many it brought (0: it left the list as it was).
CREATE TABLE communes (
    position        INTEGER PRIMARY KEY,  -- the list's order, from 1
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,        -- xã | phường | đặc khu | ''
    province        TEXT NOT NULL,
    note            TEXT NOT NULL,
    catalog_version INTEGER NOT NULL      -- the import that brought it
);
ALTER TABLE catalog_versions ADD COLUMN communes INTEGER NOT NULL DEFAULT 0;
