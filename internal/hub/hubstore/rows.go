package hubstore

import (
	"context"
	"database/sql"
	"strings"
)

// rowWriter sends rows with multi-row statements, prefix + "(?,…),(?,…)"
// + suffix, per rows at a time, inside one transaction: one statement (one
// round trip to PostgreSQL, one parse on SQLite) for many rows instead of
// one for each. The full statement is prepared once; the last, shorter one
// goes through the drivers' statement caches. Both stores take the same
// SQL (SQLite's and PostgreSQL's bound parameters allow far more than the
// per × cols the callers use: 32,766 and 65,535).
type rowWriter struct {
	ctx            context.Context
	tx             *sql.Tx
	prefix, suffix string
	cols, per      int
	full           *sql.Stmt
	args           []any
}

func newRowWriter(ctx context.Context, tx *sql.Tx, prefix, suffix string, cols, per int) *rowWriter {
	return &rowWriter{ctx: ctx, tx: tx, prefix: prefix, suffix: suffix, cols: cols, per: per}
}

// rowsSQL is the statement for n rows.
func (w *rowWriter) rowsSQL(n int) string {
	tuple := "(" + strings.Repeat("?,", w.cols-1) + "?)"
	var b strings.Builder
	b.Grow(len(w.prefix) + n*(len(tuple)+1) + len(w.suffix) + 2)
	b.WriteString(w.prefix)
	b.WriteByte(' ')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	if w.suffix != "" {
		b.WriteByte(' ')
		b.WriteString(w.suffix)
	}
	return b.String()
}

// add queues one row (cols values), sending a full statement when per are queued.
func (w *rowWriter) add(vals ...any) error {
	w.args = append(w.args, vals...)
	if len(w.args) < w.per*w.cols {
		return nil
	}
	if w.full == nil {
		var err error
		if w.full, err = w.tx.PrepareContext(w.ctx, w.rowsSQL(w.per)); err != nil {
			return err
		}
	}
	_, err := w.full.ExecContext(w.ctx, w.args...)
	w.args = w.args[:0]
	return err
}

// flush sends the rows still queued.
func (w *rowWriter) flush() error {
	if len(w.args) == 0 {
		return nil
	}
	_, err := w.tx.ExecContext(w.ctx, w.rowsSQL(len(w.args)/w.cols), w.args...)
	w.args = w.args[:0]
	return err
}

func (w *rowWriter) close() {
	if w.full != nil {
		w.full.Close()
	}
}

// inList is "?,?,…" for n values, padded up to a power of two (from 16) so
// that the statements built with it are few and stay in the drivers'
// statement caches; pad repeats the last value to that length (an IN list
// with a value twice selects the same rows).
func inList(vals []any) (string, []any) {
	n := 16
	for n < len(vals) {
		n *= 2
	}
	padded := append(make([]any, 0, n), vals...)
	for len(padded) < n {
		padded = append(padded, vals[len(vals)-1])
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ","), padded
}
