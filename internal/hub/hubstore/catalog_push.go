package hubstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"postdesk/internal/calendar"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// The province catalog flows down: the hub keeps the catalog (procedures
// with their BCCI flags, fees, days and checklists; agencies; the communes
// of the intake form's list) and the calendar year files installed beside
// its database, numbered by version,
// and queues each version for every device as a signed catalog update
// (syncproto.CatalogChange). A device applies it all or nothing and
// records the version (internal/devicesync).

// CatalogPush says what an import at the hub did.
type CatalogPush struct {
	Version    int
	Procedures int
	Agencies   int
	Communes   int // in the version: given with the import, or kept from the one before
	Calendars  int
	Same       bool // the catalog and calendars are those of the current version: nothing queued
}

// hubCalendars reads the year files installed beside the hub's database,
// by year. A file that does not parse stops the push (never skipped).
func (s *Store) hubCalendars() ([]syncproto.CalendarFile, error) {
	entries, err := os.ReadDir(s.CalendarDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []syncproto.CalendarFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.CalendarDir(), e.Name()))
		if err != nil {
			return nil, err
		}
		f, err := calendar.Parse(data)
		if err != nil {
			return nil, &calendar.FileError{Path: filepath.Join(s.CalendarDir(), e.Name()), Err: err}
		}
		out = append(out, syncproto.CalendarFile{Year: f.Year, Text: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// PushCatalog makes f (a parsed catalog, or several merged) the province
// catalog: a new version with the hub's calendar files, the province
// report's catalog replaced, and one catalog update queued for every
// device — all in one transaction. Every procedure's agency must be in f.
// communes, when not nil, is the province's commune list (checked with
// catalog.ValidateCommunes); nil keeps the current version's. The same
// catalog, communes and calendars as the current version queue nothing.
func (s *Store) PushCatalog(ctx context.Context, f *catalog.File, communes []domain.Commune, staff string) (CatalogPush, error) {
	var res CatalogPush
	if len(f.Procedures) == 0 {
		return res, domain.Errors{domain.Errf(f.Name, "hub.report.err.no_procedures", "the catalog has no procedures")}
	}
	if err := f.CheckAgencies(nil); err != nil {
		return res, err
	}
	if communes != nil {
		if err := catalog.ValidateCommunes(communes); err != nil {
			return res, err
		}
	}
	cals, err := s.hubCalendars()
	if err != nil {
		return res, err
	}
	res.Procedures, res.Agencies, res.Calendars = len(f.Procedures), len(f.Agencies), len(cals)
	now := s.Now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		var last int
		var lastSum string
		var lastPayload []byte
		err := tx.QueryRowContext(ctx, "SELECT version, sha256, payload FROM hub_catalog_versions ORDER BY version DESC LIMIT 1").Scan(&last, &lastSum, &lastPayload)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if communes == nil && len(lastPayload) > 0 {
			var prev syncproto.CatalogChange
			if err := json.Unmarshal(lastPayload, &prev); err != nil {
				return fmt.Errorf("province catalog version %d: %w", last, err)
			}
			communes = prev.Communes
		}
		res.Communes = len(communes)
		sum, err := catalogSum(f, communes, cals)
		if err != nil {
			return err
		}
		if lastSum == sum {
			res.Version, res.Same = last, true
			return nil
		}
		res.Version = last + 1
		change := syncproto.CatalogChange{FileName: f.Name, SHA256: sum, Version: res.Version,
			Agencies: f.Agencies, Procedures: f.Procedures, Communes: communes, Calendars: cals}
		payload, err := json.Marshal(change)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_catalog_versions(version, file_name, sha256, imported_at, staff, agencies, procedures, calendars, payload)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, res.Version, f.Name, sum, formatTime(now), staff, res.Agencies, res.Procedures, res.Calendars, payload); err != nil {
			return err
		}
		if err := replaceReportCatalog(ctx, tx, f); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO updates(device_id, kind, payload, source, dedup, created_at) VALUES('*', ?, ?, ?, ?, ?)`,
			syncproto.UpdateCatalog, payload, Truncate("catalog:"+f.Name, 200), dedupKey(syncproto.UpdateCatalog, sum, strconv.Itoa(res.Version)), formatTime(now))
		return err
	})
	return res, err
}

// catalogSum is a version's identity: the catalog file(s), the communes
// and every calendar file.
func catalogSum(f *catalog.File, communes []domain.Commune, cals []syncproto.CalendarFile) (string, error) {
	h := sha256.New()
	h.Write([]byte(f.SHA256))
	if len(communes) > 0 { // a version without communes keeps the identity it had before communes were pushed
		b, err := json.Marshal(communes)
		if err != nil {
			return "", err
		}
		h.Write([]byte{1})
		h.Write(b)
	}
	for _, c := range cals {
		h.Write([]byte{0})
		h.Write([]byte(c.Text))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ProvinceCatalog is the current version at the hub (0 when none).
func (s *Store) ProvinceCatalog(ctx context.Context) (version int, fileName string, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT version, file_name FROM hub_catalog_versions ORDER BY version DESC LIMIT 1").Scan(&version, &fileName)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return version, fileName, err
}
