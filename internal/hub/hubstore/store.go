// Package hubstore is the province hub's store: its own SQLite file
// (HUB.db) of post points, enrolled devices, every event received (once per
// device and sequence), conflicts, updates going down to devices, staff
// users and API tokens, and a projection of dossiers for province-wide
// figures; the ingest that checks a batch before storing it; the import of
// agency outcomes; the integrity check; and the SQL of the province report.
// Every SQL statement of the hub lives in this package: the HTTP side
// (internal/hub/hubweb) and the report (internal/hub/hubreport) call its
// methods.
package hubstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"postdesk/internal/pgdb"
	"postdesk/internal/sqlitedb"

	"postdesk/internal/domain"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// ErrNotFound is returned when a device, post point or user does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open hub database.
type Store struct {
	db   *sql.DB
	path string // the SQLite file, or the PostgreSQL connection string
	pg   bool   // on PostgreSQL (see postgres.go)

	calendarDir string // set by SetCalendarDir
	readOnly    bool   // a PostgreSQL replica: read, never migrate or make keys
	// Now is the clock; tests replace it.
	Now func() time.Time

	signKey ed25519.PrivateKey
	ageID   *age.X25519Identity
	// wmu queues this process's writers in Go rather than in SQLite's busy
	// handler, which polls: 200 devices pushing at once then wait in line
	// instead of sleeping and retrying. Other processes still meet the
	// busy timeout.
	wmu sync.Mutex

	projMu   sync.Mutex
	projWake chan struct{} // the background projector's bell (nil: project inline)

	refusalRate refusalRate // how often each client's refusals are noted

	projCacheMu sync.Mutex
	projCache   map[string]*projected // dossiers as this process last wrote them

	analyzed analyzeState // PostgreSQL: the planner statistics' catch-up (postgres.go)
	group    writeGroup   // PostgreSQL: device batches committed together (postgres.go)
}

// CalendarDir is the calendar/ folder beside the hub's database: year
// files (internal/calendar) that override the shipped ones. A hub on
// PostgreSQL has no file: pgdb.CalendarDir.
func (s *Store) CalendarDir() string {
	if s.calendarDir != "" {
		return s.calendarDir
	}
	if s.pg {
		return pgdb.CalendarDir()
	}
	return filepath.Join(filepath.Dir(s.path), "calendar")
}

// SetCalendarDir sets the folder CalendarDir names (tests give a hub on
// PostgreSQL a folder of their own).
func (s *Store) SetCalendarDir(dir string) { s.calendarDir = dir }

// IsPostgres reports whether db (a --db value) names a PostgreSQL database
// (a postgres:// URL or a key=value connection string) rather than a file.
func IsPostgres(db string) bool { return pgdb.Is(db) }

// Open opens (creating if needed) the hub database db — a SQLite file, or
// a PostgreSQL database when db is a connection string (IsPostgres) —
// brings its schema up to date and makes the hub's keys on first start.
func Open(db string) (*Store, error) {
	if pgdb.Is(db) {
		return openPostgres(db)
	}
	path := db
	sdb, err := sqlitedb.Open(path, dsn(path), "hub database")
	if err != nil {
		return nil, err
	}
	// Keep connections open: each new one re-reads the schema and pragmas,
	// and ingests, pulls, the projector and the web page read at once.
	sdb.SetMaxIdleConns(16)
	sdb.SetConnMaxIdleTime(10 * time.Minute)
	return start(&Store{db: sdb, path: path, Now: time.Now})
}

// start brings a newly opened store's schema up to date and loads its keys.
func start(s *Store) (*Store, error) {
	db := s.db
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadKeys(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// dsn: the same pragmas as the post point's store, with a longer busy
// timeout because ingests, pulls, the projector and the web page share it.
// Statement journals stay in memory: the projector's per-dossier writes (and
// the report triggers they fire) otherwise spend a sixth of the hub's CPU
// writing temp files. Durability is unchanged (WAL, FULL sync).
func dsn(path string) string { return sqlitedb.DSN(path, 30000) + "&_pragma=temp_store(memory)" }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SigningKey is the hub's ed25519 key; acks and reply files are signed with it.
func (s *Store) SigningKey() ed25519.PrivateKey { return s.signKey }

// PublicKey is the public half of SigningKey, given to devices at enrollment.
func (s *Store) PublicKey() ed25519.PublicKey { return s.signKey.Public().(ed25519.PublicKey) }

// AgeIdentity decrypts batch files carried on USB sticks.
func (s *Store) AgeIdentity() *age.X25519Identity { return s.ageID }

// AgeRecipient is what devices encrypt batch files to.
func (s *Store) AgeRecipient() *age.X25519Recipient { return s.ageID.Recipient() }

func migrations() []sqlitedb.Migration {
	return sqlitedb.Migrations(migrationFiles, "migrations/sqlite")
}

// Migrations are the hub database's numbered schema steps on SQLite
// (benchmarks key their cached files by them).
func Migrations() []sqlitedb.Migration { return migrations() }

// PostgresMigrations are the same steps, with the same numbers, on PostgreSQL.
func PostgresMigrations() []sqlitedb.Migration {
	return sqlitedb.Migrations(migrationFiles, "migrations/postgres")
}

// ErrNewerSchema means the file was written by a newer PostDesk.
type ErrNewerSchema = sqlitedb.ErrNewerSchema

// ErrNotHub means the file is a device's database, not a hub's.
var ErrNotHub = errors.New("this file is a post point's database, not a hub database (HUB.db)")

func (s *Store) migrate(ctx context.Context) error {
	if s.pg {
		return s.migratePostgres(ctx)
	}
	current, err := sqlitedb.Version(ctx, s.db)
	if err != nil {
		return fmt.Errorf("open hub database: %w", err)
	}
	// A device database has user_version > 0 and no hub_meta; a fresh file has no tables.
	var n int
	if current == 0 {
		err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&n)
		if err == nil && n > 0 {
			return ErrNotHub
		}
	} else if current <= len(migrations()) {
		err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'hub_meta'").Scan(&n)
		if err == nil && n == 0 {
			return ErrNotHub
		}
	}
	if err != nil {
		return err
	}
	all := migrations()
	return sqlitedb.Migrate(ctx, s.db, all, len(all), "hub database")
}

// write runs fn in one write transaction: BEGIN IMMEDIATE on SQLite; on
// PostgreSQL one that first takes the hub's write lock (postgres.go), so
// the hub's writers, in every process, run one after another as on SQLite.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.pg {
		return s.writePostgres(ctx, fn)
	}
	return sqlitedb.Write(ctx, s.db, fn)
}

// readTx begins a read-only transaction that sees one snapshot throughout
// (SQLite's read transactions do; PostgreSQL's need REPEATABLE READ).
func (s *Store) readTx(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.pg {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.db.BeginTx(ctx, opts)
}

// loadKeys reads the hub's keys, making them on first start. Insert if
// absent, then read back: two processes opening a new hub agree on one key.
func (s *Store) loadKeys(ctx context.Context) error {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	create := func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO hub_meta(key, value) VALUES('sign_key_seed', ?) ON CONFLICT DO NOTHING", seed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO hub_meta(key, value) VALUES('age_identity', ?) ON CONFLICT DO NOTHING", []byte(id.String())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO hub_meta(key, value) VALUES('created_at', ?) ON CONFLICT DO NOTHING", []byte(formatTime(s.Now())))
		return err
	}
	if !s.readOnly {
		if err := s.write(ctx, create); err != nil {
			return err
		}
	}
	var ageText []byte
	if err := s.db.QueryRowContext(ctx, "SELECT value FROM hub_meta WHERE key = 'sign_key_seed'").Scan(&seed); err != nil {
		return err
	}
	if len(seed) != ed25519.SeedSize {
		return errors.New("hub database: the stored signing key is damaged")
	}
	if err := s.db.QueryRowContext(ctx, "SELECT value FROM hub_meta WHERE key = 'age_identity'").Scan(&ageText); err != nil {
		return err
	}
	s.signKey = ed25519.NewKeyFromSeed(seed)
	if s.ageID, err = age.ParseX25519Identity(string(ageText)); err != nil {
		return fmt.Errorf("hub database: the stored age identity is damaged: %w", err)
	}
	return nil
}

// FormatTime is t as the hub's columns hold it (UTC, domain.TimeLayout;
// "" for the zero time), for tests and benchmarks that write or read rows.
func FormatTime(t time.Time) string { return formatTime(t) }

// ParseTime reads a time column (the zero time for "" or a bad value).
func ParseTime(s string) time.Time { return parseTime(s) }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(domain.TimeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(domain.TimeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func timePtrText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}
