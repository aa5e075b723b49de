package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"modernc.org/sqlite"

	"postdesk/internal/domain"
)

// nameKeysJSON is the name_keys column of a dossier: domain.NameKeys of the
// applicant's name as a JSON array (migration 006).
func nameKeysJSON(name string) string {
	keys := domain.NameKeys(name)
	if keys == nil {
		keys = []string{}
	}
	b, _ := json.Marshal(keys) // strings always marshal
	return string(b)
}

// postdesk_name_keys lets migration 006 fill name_keys of the dossiers
// stored before it, with the same Go code as the projection.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("postdesk_name_keys", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return nameKeysJSON(v), nil
		case []byte:
			return nameKeysJSON(string(v)), nil
		case nil:
			return "[]", nil
		}
		return nil, fmt.Errorf("postdesk_name_keys: a name is text, not %T", args[0])
	})
}
