package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
)

// CatalogImport is a validated catalog file, ready to store.
type CatalogImport struct {
	FileName   string
	SHA256     string
	Agencies   []domain.Agency
	Procedures []domain.Procedure
	// HubVersion is the province catalog's version at the hub when the
	// import comes down from it (0: a file imported on this device).
	HubVersion int
	// Communes, when not nil, replaces the device's commune list (the
	// province's, from the hub); nil leaves it as it is.
	Communes []domain.Commune
}

// CatalogResult says what an import changed.
type CatalogResult struct {
	Version, Added, Updated int
}

// ImportCatalog stores agencies and procedures all-or-nothing: a re-import
// updates rows by code, and each import is a new catalog version recorded as
// an event. A procedure naming an agency that is neither in the file nor
// already known is refused.
func (s *Store) ImportCatalog(ctx context.Context, staff string, f CatalogImport) (CatalogResult, error) {
	var res CatalogResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		known := map[string]bool{}
		for _, a := range f.Agencies {
			known[a.Code] = true
		}
		var errs domain.Errors
		for _, p := range f.Procedures {
			if p.AgencyCode == "" || known[p.AgencyCode] {
				continue
			}
			var one int
			if tx.QueryRowContext(ctx, "SELECT 1 FROM agencies WHERE code = ?", p.AgencyCode).Scan(&one) != nil {
				errs = append(errs, domain.Errf("procedure "+p.Code+": agency_code", "err.catalog.unknown_agency",
					"agency %s is neither in the file nor in the catalog", p.AgencyCode).WithArgs("Code", p.AgencyCode))
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		// Which change of a row wins (docs/sync-protocol.md §11.5): the
		// province's push carries its version; an import here is made on
		// top of the newest province version applied, at a moment after
		// every shared change held.
		m := mark{hub: f.HubVersion}
		if f.HubVersion == 0 {
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(hub_version), 0) FROM catalog_versions").Scan(&m.hub); err != nil {
				return err
			}
			dev, _, err := deviceOf(ctx, tx)
			switch {
			case err == nil:
				at, err := s.sharedAt(ctx, tx)
				if err != nil {
					return err
				}
				m.at, m.device = formatTime(at), dev.ID()
			case !errors.Is(err, ErrNotSetUp):
				return err
			}
		}
		var err error
		if res, err = s.writeCatalog(ctx, tx, f, m, staff, ""); err != nil {
			return err
		}
		// The import is an event, so the province learns which catalog version a post point used.
		if _, _, err := deviceOf(ctx, tx); errors.Is(err, ErrNotSetUp) {
			return nil // a catalog may be loaded before the first-start setup
		}
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		fields := map[string]any{"version": res.Version, "file": f.FileName, "sha256": f.SHA256,
			"agencies": len(f.Agencies), "procedures": len(f.Procedures), "added": res.Added, "updated": res.Updated}
		if f.HubVersion > 0 {
			fields["hub_version"] = f.HubVersion
		}
		if f.Communes != nil {
			fields["communes"] = len(f.Communes)
		}
		payload, _ := json.Marshal(fields)
		if _, err = r.append(&domain.Event{Kind: domain.KindCatalogImported, Staff: staff, Payload: payload}, nil, false); err != nil {
			return err
		}
		if f.HubVersion > 0 {
			return nil // each device takes the province's push from the hub itself
		}
		// The post point's own catalog reaches its other devices.
		t, _ := parseTime(m.at)
		items := make([]any, 0, len(f.Agencies)+len(f.Procedures))
		for i := range f.Agencies {
			items = append(items, catalogItem{Agency: &f.Agencies[i]})
		}
		for i := range f.Procedures {
			items = append(items, catalogItem{Procedure: &f.Procedures[i]})
		}
		return r.appendShared(domain.KindCatalogShared, staff, t, catalogHead{File: f.FileName, SHA256: f.SHA256, HubVersion: m.hub}, items)
	})
	return res, err
}

// catalogHead and catalogItem are a catalog.shared change: the file it came
// from and the province version it was made on, and its agencies and
// procedures.
type catalogHead struct {
	File       string `json:"file"`
	SHA256     string `json:"sha256"`
	HubVersion int    `json:"hub_version"`
}

type catalogItem struct {
	Agency    *domain.Agency    `json:"agency,omitempty"`
	Procedure *domain.Procedure `json:"procedure,omitempty"`
}

// writeCatalog stores a new catalog version and the agencies and
// procedures of f whose change wins under m (claim).
func (s *Store) writeCatalog(ctx context.Context, tx *sql.Tx, f CatalogImport, m mark, staff, from string) (CatalogResult, error) {
	var res CatalogResult
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) + 1 FROM catalog_versions").Scan(&res.Version); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions(version, imported_at, file_name, sha256, agencies, procedures, added, updated, staff, hub_version, from_device, communes)
		VALUES(?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)`, res.Version, formatTime(s.Now()), f.FileName, f.SHA256,
		len(f.Agencies), len(f.Procedures), staff, f.HubVersion, from, len(f.Communes)); err != nil {
		return res, err
	}
	if err := replaceCommunes(ctx, tx, f.Communes, res.Version); err != nil {
		return res, err
	}
	for _, a := range f.Agencies {
		if won, err := claim(ctx, tx, "agency", a.Code, m); err != nil || !won {
			if err != nil {
				return res, err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agencies(code, name, level, address, phone) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level,
			address = excluded.address, phone = excluded.phone`, a.Code, a.Name, a.Level, a.Address, a.Phone); err != nil {
			return res, err
		}
	}
	for _, p := range f.Procedures {
		if won, err := claim(ctx, tx, "procedure", p.Code, m); err != nil || !won {
			if err != nil {
				return res, err
			}
			continue
		}
		var exists int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM procedures WHERE code = ?", p.Code).Scan(&exists); err != nil {
			return res, err
		}
		if exists > 0 {
			res.Updated++
		} else {
			res.Added++
		}
		docs, err := json.Marshal(p.Documents)
		if err != nil {
			return res, err
		}
		var fee any
		if p.FeeKnown {
			fee = int64(p.Fee)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO procedures(code, name, name_fold, field, level, agency_code,
			processing_days, fee, postage, documents, bcci_intake, bcci_return, source, catalog_version)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold, field = excluded.field,
			level = excluded.level, agency_code = excluded.agency_code, processing_days = excluded.processing_days,
			fee = excluded.fee, postage = excluded.postage, documents = excluded.documents,
			bcci_intake = excluded.bcci_intake, bcci_return = excluded.bcci_return, source = excluded.source,
			catalog_version = excluded.catalog_version`,
			p.Code, p.Name, domain.Fold(p.Name), p.Field, p.Level, p.AgencyCode, p.ProcessingDays, fee,
			int64(p.Postage), string(docs), p.BCCIIntake, p.BCCIReturn, p.Source, res.Version); err != nil {
			return res, err
		}
	}
	_, err := tx.ExecContext(ctx, "UPDATE catalog_versions SET added = ?, updated = ? WHERE version = ?",
		res.Added, res.Updated, res.Version)
	return res, err
}

// peerCatalog applies another device's catalog.shared change when its last
// part arrives: its agencies and procedures whose change is the latest
// known here, as a catalog version naming that device.
func (r *recorder) peerCatalog(e *domain.Event) error {
	parts, err := r.sharedParts(e)
	if err != nil || parts == nil {
		return err
	}
	var head catalogHead
	if err := json.Unmarshal(parts[0].Head, &head); err != nil {
		return unreadable(fmt.Errorf("%s %s/%d: head: %w", e.Kind, e.DeviceID, e.Seq, err))
	}
	f := CatalogImport{FileName: head.File, SHA256: head.SHA256}
	for _, p := range parts {
		for _, raw := range p.Items {
			var it catalogItem
			if err := json.Unmarshal(raw, &it); err != nil || (it.Agency == nil) == (it.Procedure == nil) {
				return unreadable(fmt.Errorf("%s %s/%d: an item is neither an agency nor a procedure", e.Kind, e.DeviceID, e.Seq))
			}
			if it.Agency != nil {
				f.Agencies = append(f.Agencies, *it.Agency)
			} else {
				f.Procedures = append(f.Procedures, *it.Procedure)
			}
		}
	}
	s := &Store{Now: r.now}
	_, err = s.writeCatalog(r.ctx, r.tx, f, eventMark(e, head.HubVersion), e.Staff, e.DeviceID)
	return err
}

// replaceCommunes makes list the commune list, inside an import's
// transaction; a nil list leaves the one there.
func replaceCommunes(ctx context.Context, tx *sql.Tx, list []domain.Commune, version int) error {
	if list == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM communes"); err != nil {
		return err
	}
	for i, c := range list {
		if _, err := tx.ExecContext(ctx, "INSERT INTO communes(position, name, type, province, note, catalog_version) VALUES(?, ?, ?, ?, ?, ?)",
			i+1, c.Name, c.Type, c.Province, c.Note, version); err != nil {
			return err
		}
	}
	return nil
}

// Communes returns the province's commune list that came down from the
// hub, in its order (none: the intake form offers the shipped list).
func (s *Store) Communes(ctx context.Context) ([]domain.Commune, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, type, province, note FROM communes ORDER BY position")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Commune
	for rows.Next() {
		var c domain.Commune
		if err := rows.Scan(&c.Name, &c.Type, &c.Province, &c.Note); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CatalogVersion is the newest imported catalog version (0 when none).
func (s *Store) CatalogVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM catalog_versions").Scan(&v)
	return v, err
}

// CatalogInfo says which catalog the device runs: its own newest version,
// and the newest province catalog that came down from the hub.
type CatalogInfo struct {
	Version    int       `json:"version"`               // newest import on this device (0: none)
	HubVersion int       `json:"hub_version,omitempty"` // newest province catalog version applied (0: none)
	HubAt      time.Time `json:"hub_at,omitempty"`      // when that one was applied here
	HubFile    string    `json:"hub_file,omitempty"`    // its file name at the hub
	Communes   int       `json:"communes"`              // communes of the province's list held here (0: the shipped list is offered)
}

// Catalog returns which catalog the device runs.
func (s *Store) Catalog(ctx context.Context) (CatalogInfo, error) {
	var c CatalogInfo
	if err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM catalog_versions").Scan(&c.Version); err != nil {
		return c, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM communes").Scan(&c.Communes); err != nil {
		return c, err
	}
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT hub_version, imported_at, file_name FROM catalog_versions
		WHERE hub_version > 0 ORDER BY hub_version DESC, version DESC LIMIT 1`).Scan(&c.HubVersion, &at, &c.HubFile)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.HubAt, err = parseTime(at)
	return c, err
}

const procedureColumns = `code, name, field, level, agency_code, processing_days, fee, postage, documents, bcci_intake, bcci_return, source`

func scanProcedure(scan func(...any) error) (domain.Procedure, error) {
	var p domain.Procedure
	var fee sql.NullInt64
	var postage int64
	var docs string
	if err := scan(&p.Code, &p.Name, &p.Field, &p.Level, &p.AgencyCode, &p.ProcessingDays, &fee, &postage,
		&docs, &p.BCCIIntake, &p.BCCIReturn, &p.Source); err != nil {
		return p, err
	}
	p.Fee, p.FeeKnown, p.Postage = domain.Money(fee.Int64), fee.Valid, domain.Money(postage)
	if err := json.Unmarshal([]byte(docs), &p.Documents); err != nil {
		return p, fmt.Errorf("procedure %s: documents: %w", p.Code, err)
	}
	return p, nil
}

// Procedures returns the whole catalog, ordered by code. A catalog of a few
// thousand procedures fits in memory, where type-ahead is fastest.
func (s *Store) Procedures(ctx context.Context) ([]domain.Procedure, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+procedureColumns+" FROM procedures ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Procedure
	for rows.Next() {
		p, err := scanProcedure(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Procedure returns one procedure by code, or ErrNotFound.
func (s *Store) Procedure(ctx context.Context, code string) (domain.Procedure, error) {
	p, err := scanProcedure(s.db.QueryRowContext(ctx, "SELECT "+procedureColumns+" FROM procedures WHERE code = ?", code).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// Agencies returns every agency, ordered by code.
func (s *Store) Agencies(ctx context.Context) ([]domain.Agency, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT code, name, level, address, phone FROM agencies ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Agency
	for rows.Next() {
		var a domain.Agency
		if err := rows.Scan(&a.Code, &a.Name, &a.Level, &a.Address, &a.Phone); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CatalogVersionInfo is one catalog import: its version, when and by whom,
// the source file and what it held and changed.
type CatalogVersionInfo struct {
	Version    int
	ImportedAt time.Time
	FileName   string
	SHA256     string
	Staff      string // username, or "" for a catalog from the province
	Agencies   int
	Procedures int
	Added      int
	Updated    int
}

// CatalogVersions lists the catalog imports, newest first.
func (s *Store) CatalogVersions(ctx context.Context) ([]CatalogVersionInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, imported_at, file_name, sha256, staff, agencies, procedures, added, updated
		FROM catalog_versions ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CatalogVersionInfo
	for rows.Next() {
		var v CatalogVersionInfo
		var at string
		if err := rows.Scan(&v.Version, &at, &v.FileName, &v.SHA256, &v.Staff, &v.Agencies, &v.Procedures, &v.Added, &v.Updated); err != nil {
			return nil, err
		}
		if v.ImportedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("catalog version %d: imported_at: %w", v.Version, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// KnownVillages lists the villages (the applicant's address line) of the
// newest recent dossiers, most used first, at most limit: the intake slip
// offers them as the clerk types one.
func (s *Store) KnownVillages(ctx context.Context, recent, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a FROM (
			SELECT json_extract(data, '$.applicant.address') AS a FROM dossiers ORDER BY rowid DESC LIMIT ?)
		WHERE a IS NOT NULL AND a <> '' GROUP BY a ORDER BY count(*) DESC, a LIMIT ?`, recent, limit)
	if err != nil {
		return nil, err
	}
	return sqlitedb.Strings(rows)
}
