package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"postdesk/internal/domain"
)

// Dossier returns one dossier's current state, or ErrNotFound.
func (s *Store) Dossier(ctx context.Context, id string) (*domain.Dossier, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM dossiers WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var d domain.Dossier
	return &d, json.Unmarshal(data, &d)
}

// DossierRow is a dossier as lists and search results show it.
type DossierRow struct {
	ID            string
	State         domain.State
	Option        domain.ServiceOption
	ProcedureCode string
	AgencyCode    string
	ApplicantName string
	CitizenID     string
	Phone         string
	OfficialCode  string
	ItemCode      string
	ReceivedAt    time.Time
	DueDate       time.Time // agency's due date, else the expected date; zero when none
}

const rowColumns = "id, state, option, procedure_code, agency_code, applicant_name, citizen_id, phone, official_code, item_code, received_at, due_date"

func scanRows(rows *sql.Rows) ([]DossierRow, error) {
	defer rows.Close()
	var out []DossierRow
	for rows.Next() {
		var r DossierRow
		var state, option, received, due string
		if err := rows.Scan(&r.ID, &state, &option, &r.ProcedureCode, &r.AgencyCode, &r.ApplicantName,
			&r.CitizenID, &r.Phone, &r.OfficialCode, &r.ItemCode, &received, &due); err != nil {
			return nil, err
		}
		r.State, r.Option = domain.State(state), domain.ServiceOption(option)
		r.ReceivedAt, _ = parseTime(received)
		r.DueDate, _ = parseTime(due)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Search finds dossiers by what a clerk types or scans: a receipt number,
// an official dossier code, an S10 item code (exact or prefix), a citizen
// ID, a phone number, the start of a name with or without diacritics, or
// the start of any of its words typed without spaces or apostrophes
// ("hbich", "rmah": domain.NameKeys). Every branch uses an index.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]DossierRow, error) {
	if limit <= 0 {
		limit = 50
	}
	q := domain.Clean(text)
	if q == "" {
		return nil, nil
	}
	upper := strings.ToUpper(strings.ReplaceAll(q, " ", ""))
	var parts []string
	var args []any
	add := func(cond string, a ...any) {
		parts = append(parts, "SELECT "+rowColumns+" FROM dossiers WHERE "+cond)
		args = append(args, a...)
	}
	prefix := func(col, p string) { add(col+" >= ? AND "+col+" < ?", p, p+"\U0010FFFF") }
	// official_code and item_code have partial indexes (most dossiers lack
	// them); repeating the index's condition lets SQLite use it.
	partialPrefix := func(col, p string) { add(col+" <> '' AND "+col+" >= ? AND "+col+" < ?", p, p+"\U0010FFFF") }
	switch {
	case domain.AllDigits(upper):
		prefix("citizen_id", upper)
		if phone, err := domain.NormalizePhone(upper); err == nil {
			add("phone = ?", phone)
		} else if strings.HasPrefix(upper, "0") {
			prefix("phone", upper)
		}
		prefix("id", upper)
	case strings.HasPrefix(upper, "+84"):
		if phone, err := domain.NormalizePhone(upper); err == nil {
			add("phone = ?", phone)
		}
	case looksLikeCode(upper):
		prefix("id", upper)
		partialPrefix("official_code", upper)
		partialPrefix("item_code", upper)
	}
	if hasLetter(q) {
		if f := domain.Fold(q); f != "" {
			prefix("name_fold", f)
		}
		if cond, a := nameKeysWhere(q); cond != "" {
			// a join streams the key ranges and stops at the branch's limit
			parts = append(parts, "SELECT "+rowColumns+" FROM dossier_name_keys JOIN dossiers ON dossiers.id = dossier_name_keys.dossier WHERE "+cond)
			args = append(args, a...)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	// Each branch is limited too, so a common surname does not sort 50,000 rows.
	for i := range parts {
		parts[i] = "SELECT * FROM (" + parts[i] + " LIMIT " + strconv.Itoa(limit) + ")"
	}
	query := "SELECT * FROM (" + strings.Join(parts, " UNION ") + ") ORDER BY received_at DESC LIMIT ?"
	rows, err := s.db.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// looksLikeCode: letters, digits, dots and dashes with at least one digit.
func looksLikeCode(s string) bool {
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z', r == '.', r == '-':
		default:
			return false
		}
	}
	return digit
}
