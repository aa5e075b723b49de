package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"slices"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// A post point's report counts the same procedures and totals on its
// devices as here (domain.ReportScope): each communes import sends every
// post point its scope (a report_scope update, docs/sync-protocol.md
// §11.5), and so does a post point that appears after one.

// ReportScopes gives every post point's report scope, known to the hub or
// named in the communes file: its commune there (else its name, else its
// code, standing for itself) and that commune's agencies on record.
func (s *Store) ReportScopes(ctx context.Context) (map[string]domain.ReportScope, error) {
	return reportScopes(ctx, s.db)
}

func reportScopes(ctx context.Context, q queryer) (map[string]domain.ReportScope, error) {
	pairs := func(query string) (map[string]string, error) {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, rows.Err()
	}
	ppCommune, err := pairs("SELECT post_point_code, commune FROM hub_report_post_point_communes")
	if err != nil {
		return nil, err
	}
	agCommune, err := pairs("SELECT agency_code, commune FROM hub_report_agency_communes")
	if err != nil {
		return nil, err
	}
	names, err := pairs("SELECT code, name FROM post_points")
	if err != nil {
		return nil, err
	}
	agencies := map[string][]string{}
	for _, a := range slices.Sorted(maps.Keys(agCommune)) {
		agencies[agCommune[a]] = append(agencies[agCommune[a]], a)
	}
	out := map[string]domain.ReportScope{}
	for pp := range names {
		c := names[pp]
		if c == "" {
			c = pp
		}
		out[pp] = domain.ReportScope{Commune: c}
	}
	for pp, c := range ppCommune {
		out[pp] = domain.ReportScope{Commune: c}
	}
	for pp, sc := range out {
		sc.Agencies = agencies[sc.Commune]
		out[pp] = sc
	}
	return out, nil
}

// queueScopes queues each named post point's scope for all its devices.
func queueScopes(ctx context.Context, tx *sql.Tx, only []string, now string) error {
	scopes, err := reportScopes(ctx, tx)
	if err != nil {
		return err
	}
	for _, pp := range only {
		sc, ok := scopes[pp]
		if !ok {
			continue
		}
		b, err := json.Marshal(sc)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO updates(device_id, post_point_code, kind, payload, source, dedup, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)`,
			postPointAddress(pp), pp, syncproto.UpdateScope, b, "communes", dedupKey(syncproto.UpdateScope, pp, string(b), RandomHex(8)), now); err != nil {
			return err
		}
	}
	return nil
}
