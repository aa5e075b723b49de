package store

import (
	"context"
	"strings"
)

// CitizenDossiers lists, oldest first, the receipt numbers of every dossier
// about one ID number: as the applicant's (indexed), or anywhere in the
// dossier (a representative, the person a result was handed to). The
// second reads every dossier once — for a citizen's export, not a search.
func (s *Store) CitizenDossiers(ctx context.Context, idNumber string) ([]string, error) {
	idNumber = strings.TrimSpace(idNumber)
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM dossiers WHERE citizen_id = ?1
		OR instr(CAST(data AS TEXT), '"' || ?1 || '"') > 0 ORDER BY received_at, id`, idNumber)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
