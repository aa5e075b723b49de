package domain

import (
	"fmt"
	"strings"
)

// FieldError says which field is wrong and why. Key is the i18n key of the
// reason (translated on screen); Args fill its {{.Name}} placeholders; the
// English text of Error is for logs and the command line.
type FieldError struct {
	Field string            // e.g. "applicant.id_number", or "line 12: code" for imports
	Key   string            // i18n key, e.g. "err.cccd.province"
	Args  map[string]string // values for the message template
	Msg   string            // English reason
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Errf builds a FieldError with an English reason.
func Errf(field, key, format string, a ...any) *FieldError {
	return &FieldError{Field: field, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// WithArgs attaches template values for the translated message.
func (e *FieldError) WithArgs(kv ...string) *FieldError {
	if e.Args == nil {
		e.Args = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Args[kv[i]] = kv[i+1]
	}
	return e
}

// In returns a copy of e naming field instead (validators don't know the form's field names).
func (e *FieldError) In(field string) *FieldError {
	c := *e
	c.Field = field
	return &c
}

// Errors is a list of field errors, e.g. every bad row of an import.
type Errors []*FieldError

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err returns nil when the list is empty, so callers can `return errs.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
