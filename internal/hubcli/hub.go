package hubcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"postdesk/internal/atomicfile"
	"postdesk/internal/cmdline"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubreport"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/syncproto"
)

// openHub opens the hub database --db, which must exist; createHub (hub
// serve, token, user add, api-token: the commands that set a hub up) may
// create it.
//
// A --db that is a PostgreSQL connection string (postgres://… or
// key=value) opens the hub on PostgreSQL; its password comes from
// PGPASSWORD or a password file, never from the command line.
func openHub(path string) (*hubstore.Store, error) {
	if path == "" {
		return nil, usagef("--db is required: the hub database file (HUB.db) or a PostgreSQL connection string (postgres://…)")
	}
	if hubstore.IsPostgres(path) {
		return hubstore.Open(path)
	}
	if err := cmdline.DBPath(path, true); err != nil {
		return nil, err
	}
	return hubstore.Open(path)
}

func createHub(path string) (*hubstore.Store, error) {
	if path == "" {
		return nil, usagef("--db is required: the hub database file (HUB.db) or a PostgreSQL connection string (postgres://…)")
	}
	if hubstore.IsPostgres(path) {
		return hubstore.Open(path)
	}
	if err := cmdline.DBPath(path, false); err != nil {
		return nil, err
	}
	return hubstore.Open(path)
}

func runHubServe(env *Env, args []string) error {
	fs, db := hubFlags("hub serve")
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	cert := fs.String("cert", "", "TLS certificate (PEM)")
	key := fs.String("key", "", "TLS private key (PEM)")
	name := fs.String("name", "", "the hub's name shown to devices and staff, e.g. Gia Lai")
	quiet := fs.Bool("quiet", false, "do not log every request")
	proxies := fs.String("trusted-proxy", "", "reverse proxies whose X-Forwarded-For names the client (addresses or CIDR prefixes, comma-separated)")
	maxConns := fs.Int("max-conns", hubweb.DefaultMaxConns, "most connections held at once")
	tlsProxy := fs.Bool("behind-tls-proxy", false, "a TLS reverse proxy is in front: mark cookies Secure and send HSTS")
	var trusted []netip.Prefix
	check := func([]string) (err error) {
		if (*cert == "") != (*key == "") {
			return usagef("give both --cert and --key, or neither")
		}
		if trusted, err = hubweb.ParseTrustedProxies(*proxies); err != nil {
			return usagef("--trusted-proxy: %v", err)
		}
		if *maxConns < 1 {
			return usagef("--max-conns must be at least 1")
		}
		return nil
	}
	return onNewHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		ctx, stop := signal.NotifyContext(env.Ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		defer hubweb.TuneGC()()
		opt := hubweb.Options{Name: domain.Clean(*name), TrustedProxies: trusted, MaxConns: *maxConns,
			SecureCookies: *tlsProxy, HSTS: *tlsProxy, Pages: []hubweb.ExtraPage{hubreport.StaffPage(), hubreport.ReconcilePage()}}
		if !*quiet {
			opt.Log = log.New(env.Stderr, "hub ", log.LstdFlags)
		}
		// The hub's own retention: at start, then daily (its failures are
		// said even with --quiet, as the projection's are).
		s.StartAutoPurge(ctx, log.New(env.Stderr, "hub ", log.LstdFlags).Printf)
		scheme := "http"
		if *cert != "" {
			scheme = "https"
		}
		err := hubweb.Serve(ctx, s, *addr, *cert, *key, opt, func(a net.Addr) {
			// Tests and scripts read this line to learn the port of --addr 127.0.0.1:0.
			fmt.Fprintf(env.Stdout, "hub listening on %s://%s\n", scheme, a)
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "hub stopped")
		return nil
	})
}

func runHubToken(env *Env, args []string) error {
	fs, db := hubFlags("hub token")
	pp := fs.String("post-point", "", "post point code (6 digits)")
	name := fs.String("name", "", "a note: whose PC the token is for")
	ppName := fs.String("post-point-name", "", "the post point's name, shown in hub status and on the web page")
	check := func(pos []string) error {
		if *pp == "" {
			return usagef("--post-point CODE is required")
		}
		return nil
	}
	return onNewHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		if *ppName != "" {
			if err := s.EnsurePostPoint(env.Ctx, *pp, *ppName); err != nil {
				return err
			}
		}
		tok, err := s.IssueToken(env.Ctx, *pp, *name, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, tok.Token)
		fmt.Fprintf(env.Stderr, "one-time enrollment token for post point %s, valid until %s\n", tok.PostPoint, domain.FormatDateTime(tok.ExpiresAt))
		return nil
	})
}

func runHubRevoke(env *Env, args []string) error {
	fs, db := hubFlags("hub revoke")
	dev := fs.String("device", "", "device id, e.g. 600900-A")
	reason := fs.String("reason", "", "why (sent to the other devices)")
	check := func(pos []string) error {
		if *dev == "" {
			return usagef("--device ID is required")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		if err := s.Revoke(env.Ctx, *dev, "cli", *reason); err != nil {
			if errors.Is(err, hubstore.ErrNotFound) {
				return fmt.Errorf("device %s is not enrolled at this hub", *dev)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "device %s revoked\n", *dev)
		return nil
	})
}

func runHubImportOutcomes(env *Env, args []string) error {
	fs, db := hubFlags("hub import-outcomes")
	var rows []hubstore.Outcome
	check := func(pos []string) error {
		if len(pos) != 1 {
			return usagef("one outcome FILE (.csv or .xlsx) is required")
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		rows, err = hubstore.ParseOutcomeFile(f, pos[0])
		return err
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		res, err := s.QueueOutcomes(env.Ctx, rows, filepath.Base(pos[0]))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d rows: %d updates queued, %d already queued before", res.Rows, res.Queued, res.AlreadyQueued)
		if res.Unchanged > 0 {
			fmt.Fprintf(env.Stdout, ", %d already at that one-stop status", res.Unchanged)
		}
		fmt.Fprintln(env.Stdout)
		return nil
	})
}

func runHubImport(env *Env, args []string) error {
	fs, db := hubFlags("hub import")
	reply := fs.String("reply", "", "reply file to write (.pdreply)")
	check := func(pos []string) error {
		if len(pos) != 1 || *reply == "" {
			return usagef("one batch FILE and --reply REPLY are required")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		res, err := s.ReceiveFile(env.Ctx, f)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(*reply, 0o600, func(w io.Writer) error {
			return syncproto.WriteReplyFile(w, res.AgeRecipient, res.Reply)
		}); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "device %s: %d new events (%d batches already imported), stored through seq %d; %d updates in %s\n",
			res.Device, res.New, res.Duplicates, res.Through, res.Updates, *reply)
		return nil
	})
}

func runHubStatus(env *Env, args []string) error {
	fs, db := hubFlags("hub status")
	asJSON := fs.Bool("json", false, "print JSON")
	return onHub(fs, db, args, nil, func(s *hubstore.Store, pos []string) error {
		st, err := s.Status(env.Ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		fmt.Fprintf(env.Stdout, "%d post points, %d events, %d dossiers, %d conflicts, %d result-only registrations not yet taken\n",
			len(st.PostPoints), st.Events, st.Dossiers, st.Conflicts, st.Pending)
		for _, p := range st.PostPoints {
			fmt.Fprintf(env.Stdout, "post point %s %s: %d dossiers\n", p.Code, p.Name, p.Dossiers)
			for _, d := range p.Devices {
				state := "active"
				if !d.RevokedAt.IsZero() {
					state = "revoked " + domain.FormatDateTime(d.RevokedAt)
				}
				last := "never"
				if !d.LastSyncAt.IsZero() {
					last = domain.FormatDateTime(d.LastSyncAt)
				}
				fmt.Fprintf(env.Stdout, "  %s  %s  events %d  last sync %s  updates waiting %d  conflicts %d\n",
					d.ID, state, d.Events, last, d.Waiting, d.Conflicts)
			}
		}
		return nil
	})
}

func runHubCheck(env *Env, args []string) error {
	fs, db := hubFlags("hub check")
	asJSON := fs.Bool("json", false, "print JSON")
	return onHub(fs, db, args, nil, func(s *hubstore.Store, pos []string) error {
		rep, err := s.Check(env.Ctx)
		if err != nil {
			return fmt.Errorf("hub check failed: %w", err)
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]any{"ok": true, "devices": rep.Devices, "events": rep.Events,
				"dossiers": rep.Dossiers, "conflicts": rep.Conflicts, "apply_errors": rep.ApplyErrors, "redacted": rep.Redacted, "digest": rep.Digest})
		}
		fmt.Fprintf(env.Stdout, "ok: %d events from %d devices, chains intact (%d redacted by the hub's retention, each matching its record); %d dossiers match their events; %d conflicts kept; %d dossiers with an event the hub could not apply; digest %s\n",
			rep.Events, rep.Devices, rep.Redacted, rep.Dossiers, rep.Conflicts, rep.ApplyErrors, rep.Digest)
		return nil
	})
}

func runHubUserAdd(env *Env, args []string) error {
	fs, db := hubFlags("hub user add")
	user := fs.String("username", "", "user name")
	pass := fs.String("password", "", "password (at least 10 characters); - reads it from standard input")
	check := func(pos []string) error {
		if *user == "" || *pass == "" {
			return usagef("--username and --password are required")
		}
		if *pass == "-" {
			b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
			if err != nil {
				return err
			}
			p := string(b)
			for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
				p = p[:len(p)-1]
			}
			*pass = p
		}
		return nil
	}
	return onNewHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		if err := s.AddUser(env.Ctx, *user, *pass); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "user %s can sign in to the hub's web page\n", domain.Clean(*user))
		return nil
	})
}

func runHubAPIToken(env *Env, args []string) error {
	fs, db := hubFlags("hub api-token")
	name := fs.String("name", "", "the system that will use it, e.g. one-stop")
	check := func(pos []string) error {
		if *name == "" {
			return usagef("--name NAME is required")
		}
		return nil
	}
	return onNewHub(fs, db, args, check, func(s *hubstore.Store, pos []string) error {
		tok, err := s.IssueAPIToken(env.Ctx, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, tok)
		fmt.Fprintf(env.Stderr, "API token for %s: send it as \"Authorization: Bearer TOKEN\" to POST %s\n", domain.Clean(*name), hubweb.PathOutcomes)
		return nil
	})
}

// runHubMigrate copies a hub file into an empty PostgreSQL database
// (`hub migrate --from HUB.db --to postgres://…`), then checks both and
// compares what the checks found.
func runHubMigrate(env *Env, args []string) error {
	fs := cmdline.Flags("hub migrate")
	from := fs.String("from", "", "the hub file (HUB.db) to copy; stop its hub serve first")
	to := fs.String("to", "", "the empty PostgreSQL database: postgres://user@host/db or \"host=… dbname=…\" (password from PGPASSWORD or ~/.pgpass)")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("--from HUB.db and --to postgres://… are required")
	}
	if hubstore.IsPostgres(*from) {
		return usagef("--from is the hub file (SQLite) to copy, not a connection string")
	}
	if !hubstore.IsPostgres(*to) {
		return usagef("--to is a PostgreSQL connection string (postgres://… or \"host=… dbname=…\")")
	}
	src, err := openHub(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	rep, err := hubstore.MoveToPostgres(env.Ctx, src, *to)
	if err != nil {
		return err
	}
	dst, err := hubstore.Open(*to)
	if err != nil {
		return err
	}
	defer dst.Close()
	a, err := src.Check(env.Ctx)
	if err != nil {
		return fmt.Errorf("hub check of %s failed: %w", *from, err)
	}
	b, err := dst.Check(env.Ctx)
	if err != nil {
		return fmt.Errorf("hub check of the PostgreSQL copy failed: %w", err)
	}
	if a != b {
		return fmt.Errorf("the PostgreSQL copy's check differs from the file's: %+v, file %+v", b, a)
	}
	fmt.Fprintf(env.Stdout, "copied %d rows of %d tables to PostgreSQL; hub check on both: %d events from %d devices, %d dossiers, %d conflicts; digest %s\n",
		rep.Rows, len(rep.Tables), b.Events, b.Devices, b.Dossiers, b.Conflicts, b.Digest)
	return nil
}
