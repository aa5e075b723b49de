// Package pgdb opens a PostgreSQL database through database/sql with
// github.com/jackc/pgx/v5, for the province hub's store (internal/hub/hubstore)
// when --db is a connection string instead of a file.
//
// The hub's SQL is written once, with SQLite's `?` and `?NNN` placeholders.
// The connections this package opens rewrite them to PostgreSQL's `$n`
// (outside quoted text) before pgx sees a statement, and pass a Go bool as
// 0 or 1, as SQLite's driver does, so every statement runs unchanged on
// both stores.
package pgdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Is reports whether db names a PostgreSQL database rather than a file: a
// libpq URL (postgres://…, postgresql://…) or a key=value connection string
// naming host= or dbname=.
func Is(db string) bool {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return true
	}
	return kvKey.MatchString(db) && (hasKey(db, "host") || hasKey(db, "dbname"))
}

var kvKey = regexp.MustCompile(`^\s*[a-z_]+\s*=`)

func hasKey(dsn, key string) bool {
	return regexp.MustCompile(`(^|\s)` + key + `\s*=`).MatchString(dsn)
}

// ErrPasswordInDSN refuses a connection string that carries a password: the
// command line is seen by every user of the machine (ps) and kept in shell
// histories.
var ErrPasswordInDSN = errors.New("the PostgreSQL connection string carries a password: remove it and set PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass) instead — a password on the command line is visible to every user of the machine")

// CheckDSN refuses a connection string that is not one or carries a password.
func CheckDSN(dsn string) error {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return fmt.Errorf("the PostgreSQL URL is malformed: %v", err)
		}
		if _, ok := u.User.Password(); ok {
			return ErrPasswordInDSN
		}
		if u.Query().Has("password") {
			return ErrPasswordInDSN
		}
		return nil
	}
	if hasKey(dsn, "password") {
		return ErrPasswordInDSN
	}
	return nil
}

// Open opens the database dsn names (the password from PGPASSWORD or the
// password file, as libpq does). Nothing is sent until the first statement.
func Open(dsn string) (*sql.DB, error) {
	if err := CheckDSN(dsn); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL connection string: %v", err)
	}
	return sql.OpenDB(connector{stdlib.GetConnector(*cfg)}), nil
}

// CalendarDirEnv names the calendar folder of a hub on PostgreSQL.
const CalendarDirEnv = "POSTDESK_HUB_CALENDAR_DIR"

// CalendarDir is the folder of year calendar files of a hub on PostgreSQL
// (a hub on SQLite keeps them in calendar/ beside its file; this one has
// no file): $POSTDESK_HUB_CALENDAR_DIR, else calendar/ in the folder the
// command runs in. Every hub process of one database needs the same files.
func CalendarDir() string {
	if d := os.Getenv(CalendarDirEnv); d != "" {
		return d
	}
	return "calendar"
}

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc.(*stdlib.Conn)}, nil
}

// conn is pgx's connection with the placeholders rewritten.
type conn struct{ *stdlib.Conn }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(Rebind(query))
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, Rebind(query))
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, Rebind(query), args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, Rebind(query), args)
}

// CheckNamedValue passes a bool as 0 or 1 (the hub's flags are integer
// columns, as in SQLite) and everything else to pgx as it is.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		if b {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
	}
	return nil
}

var rebound sync.Map // query → rewritten query

// Rebind rewrites SQLite's placeholders to PostgreSQL's: each bare `?` to
// the next `$n`, `?NNN` to `$NNN`. Text in single or double quotes, dollar-
// quoted bodies ($$…$$) and -- comments are left alone.
func Rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(query[i+1:], ch)
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case ch == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case ch == '$' && i+1 < len(query) && query[i+1] == '$':
			j := strings.Index(query[i+2:], "$$")
			if j < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+j+4])
			i += j + 3
		case ch == '?':
			k := i + 1
			for k < len(query) && query[k] >= '0' && query[k] <= '9' {
				k++
			}
			if k > i+1 {
				b.WriteString("$" + query[i+1:k])
				i = k - 1
			} else {
				n++
				fmt.Fprintf(&b, "$%d", n)
			}
		default:
			b.WriteByte(ch)
		}
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}
