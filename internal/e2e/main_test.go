// Package e2e runs PostDesk's sync end to end with the real binary on
// 127.0.0.1: one province hub (`postdesk hub serve`), devices made with
// `postdesk demo seed`, enrolled and synced with `postdesk enroll` /
// `postdesk sync`, USB files with `postdesk batch export|import` and
// `postdesk hub import`, and the faults a 2G line and a province server
// meet. It holds tests only.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/pgdb"
	"postdesk/internal/store"
)

// bin is the postdesk binary built once for every test.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "postdesk-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "postdesk")
	build := exec.Command("go", "build", "-tags", "ci", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building postdesk: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// A hub on PostgreSQL keeps its calendar files here (hubstore.CalendarDir).
	os.Setenv(pgdb.CalendarDirEnv, filepath.Join(dir, "calendar"))
	code := hubtest.Main(m) // the hub's database is a file, or on PostgreSQL (hubtest.StoreEnv)
	os.RemoveAll(dir)
	os.Exit(code)
}

// childEnv is the environment of every postdesk process: a UTF-8 locale
// (so the toolkit's locale parsing stays quiet) and no display.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LC_ALL=") || strings.HasPrefix(kv, "DISPLAY=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LANG=en_US.UTF-8", "LC_ALL=en_US.UTF-8")
}

// pd runs postdesk with args and returns its standard output; err says
// the exit status and standard error.
func pd(t testing.TB, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("postdesk %s: %v\n%s", strings.Join(args, " "), err, quietStderr(errb.String()))
	}
	return out.String(), nil
}

func mustPD(t testing.TB, args ...string) string {
	t.Helper()
	out, err := pd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// quietStderr drops the toolkit's locale warnings from a child's stderr.
func quietStderr(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "Fyne error") || strings.Contains(l, "Cause: language") || strings.Contains(l, "lang/locale.go") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// ---------------------------------------------------------------- the hub process

type hubProc struct {
	t     testing.TB
	db    string
	addr  string // host:port it listens on
	URL   string
	cmd   *exec.Cmd
	extra []string // more hub serve arguments, kept for restart
	done  chan struct{}
	mu    sync.Mutex
	log   bytes.Buffer
}

// startHub runs `postdesk hub serve` on addr ("127.0.0.1:0" for a free port)
// and waits until it listens.
func startHub(t testing.TB, db, addr string) *hubProc {
	t.Helper()
	h := &hubProc{t: t, db: db}
	h.start(addr)
	t.Cleanup(h.kill)
	return h
}

// startArgs starts the hub with more hub serve arguments.
func (h *hubProc) startArgs(addr string, extra ...string) {
	h.t.Helper()
	h.extra = extra
	h.start(addr)
}

func (h *hubProc) start(addr string) {
	h.t.Helper()
	cmd := exec.Command(bin, append([]string{"hub", "serve", "--db", h.db, "--addr", addr, "--name", "Gia Lai"}, h.extra...)...)
	cmd.Env = childEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{mu: &h.mu, w: &h.log}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.cmd, h.done = cmd, make(chan struct{})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(cmd, h.done)
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				h.t.Fatalf("hub exited before listening:\n%s", h.Log())
			}
			if u, found := strings.CutPrefix(l, "hub listening on "); found {
				h.URL = u
				pu, _ := url.Parse(u)
				h.addr = pu.Host
				go func() {
					for range lines {
					}
				}()
				return
			}
		case <-deadline:
			h.t.Fatalf("hub did not start listening in time:\n%s", h.Log())
		}
	}
}

// Log is what the hub wrote on stderr.
func (h *hubProc) Log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return quietStderr(h.log.String())
}

// kill ends the hub with SIGKILL (no shutdown at all).
func (h *hubProc) kill() {
	if h.cmd == nil || h.cmd.Process == nil {
		return
	}
	select {
	case <-h.done:
		return
	default:
	}
	h.cmd.Process.Kill()
	<-h.done
}

// stop asks the hub to shut down (SIGTERM) and waits for a clean exit.
func (h *hubProc) stop() {
	h.t.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(45 * time.Second):
		h.t.Fatalf("the hub did not stop on SIGTERM:\n%s", h.Log())
	}
	if !h.cmd.ProcessState.Success() {
		h.t.Fatalf("the hub exited with %v on SIGTERM:\n%s", h.cmd.ProcessState, h.Log())
	}
}

// restart starts the hub again on the same address.
func (h *hubProc) restart() {
	h.t.Helper()
	var err error
	for i := 0; i < 50; i++ { // the port may take a moment to be free
		if ln, e := net.Listen("tcp", h.addr); e == nil {
			ln.Close()
			err = nil
			break
		} else {
			err = e
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		h.t.Fatalf("port %s not free: %v", h.addr, err)
	}
	h.start(h.addr)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// ---------------------------------------------------------------- devices

type device struct {
	t      testing.TB
	db     string
	id, pp string
}

// newDevice makes a demo device database with n dossiers of the last year.
func newDevice(t testing.TB, dir, pp, letter string, n int, seed int) *device {
	t.Helper()
	d := &device{t: t, db: filepath.Join(dir, pp+letter+".db"), id: pp + "-" + letter, pp: pp}
	mustPD(t, "demo", "seed", "--db", d.db, "--dossiers", fmt.Sprint(n), "--seed", fmt.Sprint(seed), "--post-point", pp, "--letter", letter)
	return d
}

func (d *device) enroll(h *hubProc, hubURL string) {
	d.t.Helper()
	tok := strings.TrimSpace(mustPD(d.t, "hub", "token", "--db", h.db, "--post-point", d.pp))
	mustPD(d.t, "enroll", "--db", d.db, "--hub", hubURL, "--token", tok)
}

func (d *device) sync() error {
	_, err := pd(d.t, "sync", "--db", d.db)
	return err
}

// syncUntilQuiet retries sync until a round succeeds with nothing left to send.
func (d *device) syncUntilQuiet() {
	d.t.Helper()
	var last error
	for i := 0; i < 20; i++ {
		_, err := pd(d.t, "sync", "--db", d.db)
		if err == nil {
			var st struct {
				EventsWaiting int64 `json:"events_waiting"`
			}
			out := mustPD(d.t, "status", "--db", d.db, "--json")
			if err := json.Unmarshal([]byte(out), &st); err != nil {
				d.t.Fatalf("status --json: %v\n%s", err, out)
			}
			if st.EventsWaiting == 0 {
				return
			}
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	d.t.Fatalf("%s never got quiet: %v", d.id, last)
}

func (d *device) open() *store.Store {
	d.t.Helper()
	s, err := store.Open(d.db)
	if err != nil {
		d.t.Fatal(err)
	}
	return s
}

func (d *device) lastSeq() int64 {
	d.t.Helper()
	s := d.open()
	defer s.Close()
	n, err := s.LastSeq(context.Background(), d.id)
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// work takes n new dossiers at the counter while offline and hands them
// over to their agency; it returns their receipt numbers.
func (d *device) work(n int) []string {
	d.t.Helper()
	ctx := context.Background()
	s := d.open()
	defer s.Close()
	procs, err := s.Procedures(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	var usable []domain.Procedure
	for _, p := range procs {
		if p.BCCIIntake && p.AgencyCode != "" {
			usable = append(usable, p)
		}
	}
	var ids []string
	for i := 0; i < n; i++ {
		p := usable[i%len(usable)]
		in := domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: p.Code, ProcedureName: p.Name, AgencyCode: p.AgencyCode,
			Applicant: domain.Person{FullName: "Rơ Mah H'Bích", IDNumber: fmt.Sprintf("06430100%04d", i+1), IDType: domain.IDCCCD,
				Phone: "0912345678", Commune: "Ia O", Address: "Làng Mrông Yố"},
			Place: domain.PlaceCounter, Postage: 15000, FeePayment: domain.PayNow, ReturnMethod: domain.ReturnByPost,
			ReturnAddress: "Làng Mrông Yố, Ia O"}
		doss, err := s.Intake(ctx, "gdv1", in)
		if err != nil {
			d.t.Fatal(err)
		}
		if _, _, err := s.Record(ctx, "buuta1", domain.KindHandover, doss.ID,
			domain.HandoverPayload{HandoverID: "BG-E2E-" + doss.ID, Officer: "Lê Thị Thu"}); err != nil {
			d.t.Fatal(err)
		}
		ids = append(ids, doss.ID)
	}
	return ids
}

func (d *device) dossier(id string) *domain.Dossier {
	d.t.Helper()
	s := d.open()
	defer s.Close()
	doss, err := s.Dossier(context.Background(), id)
	if err != nil {
		d.t.Fatalf("%s: dossier %s: %v", d.id, id, err)
	}
	return doss
}

// check runs `postdesk check` on the device (integrity, chain, projection).
func (d *device) check() {
	d.t.Helper()
	mustPD(d.t, "check", "--db", d.db)
}

// ---------------------------------------------------------------- reading the hub

// hubDB opens the hub file read-only beside a running hub.
func hubDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	if hubstore.IsPostgres(path) {
		db, err := pgdb.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitProjected waits until the hub's projection (which follows the
// ingest by a moment) has applied every stored event.
func waitProjected(t testing.TB, db *sql.DB) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if queryInt(t, db, "SELECT count(*) FROM devices WHERE projected_seq < head_seq") == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the hub's projection did not catch up")
}

// assertExactlyOnce: the hub holds every event of each device exactly
// once (1..LastSeq, no more), no conflict, and both sides' checks pass.
func assertExactlyOnce(t testing.TB, hubPath string, devs ...*device) {
	t.Helper()
	db := hubDB(t, hubPath)
	for _, d := range devs {
		want := d.lastSeq()
		n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.id)
		distinct := queryInt(t, db, "SELECT count(DISTINCT seq) FROM hub_events WHERE device_id = ?", d.id)
		maxSeq := queryInt(t, db, "SELECT coalesce(max(seq), 0) FROM hub_events WHERE device_id = ?", d.id)
		if n != want || distinct != want || maxSeq != want {
			t.Fatalf("%s: hub holds %d events (%d distinct, max seq %d); the device has %d", d.id, n, distinct, maxSeq, want)
		}
		d.check()
	}
	waitProjected(t, db)
	if c := queryInt(t, db, "SELECT count(*) FROM conflicts"); c != 0 {
		t.Fatalf("%d conflicts at the hub", c)
	}
	out := mustPD(t, "hub", "check", "--db", hubPath)
	if !strings.HasPrefix(out, "ok:") {
		t.Fatalf("hub check: %s", out)
	}
}
