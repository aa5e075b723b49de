package sqlitedb

import (
	"database/sql"
	"encoding/json"
	"time"

	"postdesk/internal/domain"
)

// DoneStatesIn is the SQL condition on a dossier's state column that
// domain.DoneAt may hold for, with DoneStateArgs as its arguments: the
// retention's purge (the device's and the hub's) lists its candidates with it.
const DoneStatesIn = "state IN (?, ?, ?, ?, ?)"

// DoneStateArgs are DoneStatesIn's arguments.
func DoneStateArgs() []any {
	return []any{string(domain.StateDelivered), string(domain.StateReturnedToAgency), string(domain.StateCancelled),
		string(domain.StateAccepted), string(domain.StateRejected)}
}

// DueForPurge reads rows of one column, the JSON of a domain.Dossier, and
// lists in their order the dossiers done before cutoff (domain.DoneAt) that
// want accepts; it closes rows.
func DueForPurge(rows *sql.Rows, cutoff time.Time, want func(*domain.Dossier) bool) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var d domain.Dossier
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, err
		}
		if at, ok := domain.DoneAt(&d); ok && at.Before(cutoff) && want(&d) {
			out = append(out, d.ID)
		}
	}
	return out, rows.Err()
}

// Strings reads rows of one text column into a slice; it closes rows.
func Strings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
