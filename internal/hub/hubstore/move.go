package hubstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"postdesk/internal/pgdb"
)

// moveOrder is every table of the hub, parents before the tables that
// refer to them, in the order MoveToPostgres copies them. A table missing
// here stops the move (TestMoveToPostgres fails first): a new migration's
// table must be added.
var moveOrder = []string{
	"hub_meta", "post_points", "devices", "enrollment_tokens", "batches", "hub_envelopes", "hub_events",
	"conflicts", "refusals", "updates", "hub_users", "hub_sessions", "api_tokens",
	"hub_report_procedures", "hub_report_agencies", "hub_report_post_point_communes", "hub_report_agency_communes",
	"hub_report_totals_imports", "hub_report_totals", "hub_report_totals_coverage",
	"hub_dossiers", "hub_report_cells", "hub_report_cells_total",
	"onestop_changes", "hub_catalog_versions", "onestop_dossiers", "hub_proofs", "hub_proof_parts", "hub_access",
	"hub_event_redactions", "hub_purges",
}

// MoveReport counts the rows MoveToPostgres copied, by table.
type MoveReport struct {
	Tables map[string]int64
	Rows   int64
}

// ErrTargetNotEmpty refuses a hub move into a database that holds tables.
var ErrTargetNotEmpty = errors.New("the PostgreSQL database is not empty: hub migrate copies a hub only into an empty database (create one: CREATE DATABASE … OWNER …), so nothing there is overwritten")

// MoveToPostgres copies the hub on SQLite s (stop its hub serve first)
// into the empty PostgreSQL database dsn, in one transaction: the schema
// (migrations/postgres), then every row of every table as it is — keys,
// events, batches and their acks, dossiers, updates and their cursors,
// users, tokens, the report's kept counts — with the identity sequences
// moved past the copied ids. A failure leaves the target empty.
func MoveToPostgres(ctx context.Context, s *Store, dsn string) (MoveReport, error) {
	rep := MoveReport{Tables: map[string]int64{}}
	if s.pg {
		return rep, errors.New("hub migrate: --from is a hub file (SQLite)")
	}
	if err := moveCoversEveryTable(ctx, s); err != nil {
		return rep, err
	}
	db, err := pgdb.Open(dsn)
	if err != nil {
		return rep, err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return rep, fmt.Errorf("hub database on PostgreSQL: cannot connect: %w", err)
	}
	dst := &Store{db: db, path: dsn, pg: true}
	src, err := s.readTx(ctx)
	if err != nil {
		return rep, err
	}
	defer src.Rollback()
	err = dst.writePostgres(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrTargetNotEmpty
		}
		if err := migrateInTx(ctx, tx); err != nil {
			return err
		}
		for _, table := range moveOrder {
			if table == "hub_report_cells" || table == "hub_report_cells_total" {
				// the triggers counted the dossiers just copied; the source's
				// kept counts are copied as they are instead
				if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
					return err
				}
			}
			n, err := copyTable(ctx, src, tx, table)
			if err != nil {
				return fmt.Errorf("hub migrate: table %s: %w", table, err)
			}
			rep.Tables[table] = n
			rep.Rows += n
		}
		return resetIdentities(ctx, tx)
	})
	return rep, err
}

// moveCoversEveryTable refuses a hub whose tables moveOrder does not list.
func moveCoversEveryTable(ctx context.Context, s *Store) error {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		return err
	}
	defer rows.Close()
	known := map[string]bool{}
	for _, t := range moveOrder {
		known[t] = true
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		if !known[t] {
			return fmt.Errorf("hub migrate does not know the table %s (add it to moveOrder in internal/hub/hubstore/move.go)", t)
		}
	}
	return rows.Err()
}

// copyTable copies every row of table from the SQLite snapshot src to tx,
// many rows a statement. Values keep their bytes: text the SQLite file
// holds as a BLOB goes to a text column as text (refused if not UTF-8),
// and text to a bytea column as its bytes.
func copyTable(ctx context.Context, src, tx *sql.Tx, table string) (int64, error) {
	types, err := pgColumnTypes(ctx, tx, table)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	for _, c := range cols {
		if types[c] == "" {
			return 0, fmt.Errorf("column %s is not in the PostgreSQL schema", c)
		}
	}
	per := max(1, min(1000, 60000/len(cols)))
	var args []any
	var copied int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / len(cols)
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		q := "INSERT INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		copied += int64(n)
		args = args[:0]
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				b := append([]byte(nil), x...)
				if types[cols[i]] != "bytea" {
					if !utf8.Valid(b) {
						return 0, fmt.Errorf("row %d, column %s: not UTF-8 text", copied+int64(len(args)/len(cols))+1, cols[i])
					}
					v = string(b)
				} else {
					v = b
				}
			case string:
				if types[cols[i]] == "bytea" {
					v = []byte(x)
				}
			}
			args = append(args, v)
		}
		if len(args) == per*len(cols) {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return copied, flush()
}

func pgColumnTypes(ctx context.Context, tx *sql.Tx, table string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			return nil, err
		}
		out[c] = t
	}
	return out, rows.Err()
}

// resetIdentities moves every identity column's sequence past the largest
// id copied, so the next row gets a new one.
func resetIdentities(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	var ids [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tc := range ids {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s", tc[0], tc[1], tc[1], tc[0])
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
