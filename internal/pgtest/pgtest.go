// Package pgtest starts a throwaway PostgreSQL cluster of a test's own:
// initdb into a new temporary folder, the server on 127.0.0.1 at a free
// port (and its Unix socket in that folder), run as the unprivileged
// "postgres" user through runuser when the tests run as root; stopped, and
// its folder removed, when the test ends. The binaries come from PATH or
// Debian's /usr/lib/postgresql/N/bin (scripts/deps.sh test installs them);
// when they are missing the test skips, except under CI, where it fails.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"postdesk/internal/testtool"
)

// DurableEnv, set to 1, starts the clusters with a production server's
// durability (fsync, synchronous_commit and full_page_writes on, as
// PostgreSQL's defaults are): what the hub's benchmarks on PostgreSQL are
// measured with. Without it a test cluster skips the disk's flushes, which
// no production server may do, and the tests run faster.
const DurableEnv = "POSTDESK_TEST_PG_DURABLE"

// OptionsEnv adds server options (pg_ctl -o text, e.g. "-c
// shared_preload_libraries=pg_stat_statements -c log_min_duration_statement=0")
// to every cluster started: for profiling the server side of a benchmark.
const OptionsEnv = "POSTDESK_TEST_PG_OPTIONS"

// Durable reports whether the clusters run with production durability.
func Durable() bool { return os.Getenv(DurableEnv) == "1" }

// ServerOptions are the settings the clusters start with (besides the
// address, port and socket): durability off unless Durable, then
// $POSTDESK_TEST_PG_OPTIONS.
func ServerOptions() string {
	o := "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if Durable() {
		o = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	}
	if extra := os.Getenv(OptionsEnv); extra != "" {
		o += " " + extra
	}
	return o
}

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	// URL connects as the superuser "postgres" (trust authentication on
	// 127.0.0.1 only) to the database "postgres".
	URL  string
	Port int
	Dir  string // the cluster's folder: data/, the server log, the socket

	bin     string // folder of initdb, pg_ctl, postgres
	asUser  string // run the binaries as this user ("" : as ourselves)
	stopped bool
}

// startTimeout bounds how long the server may take to start or stop.
const startTimeout = 60 * time.Second

// Start initialises and starts a cluster for t and stops it at t's end.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin := binDir()
	if bin == "" {
		if testtool.CI() {
			t.Fatal("PostgreSQL's initdb and pg_ctl are not installed (scripts/deps.sh test installs postgresql)")
		}
		t.Skip("PostgreSQL is not installed (scripts/deps.sh test)")
	}
	c, err := start(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the test's PostgreSQL: %v", err)
		}
	})
	return c
}

// StartShared starts a cluster for a whole test binary (a TestMain's), to
// be stopped with Stop after m.Run. It returns (nil, nil) when PostgreSQL is
// not installed and the tests may skip (not under CI), an error under CI.
func StartShared() (*Cluster, error) {
	bin := binDir()
	if bin == "" {
		if testtool.CI() {
			return nil, fmt.Errorf("PostgreSQL's initdb and pg_ctl are not installed (scripts/deps.sh test installs postgresql)")
		}
		return nil, nil
	}
	return start(bin)
}

// URLFor is the cluster's URL for database name.
func (c *Cluster) URLFor(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

func start(bin string) (*Cluster, error) {
	c := &Cluster{bin: bin}
	dir, err := os.MkdirTemp("", "postdesk-pgtest-")
	if err != nil {
		return nil, err
	}
	c.Dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: the cluster belongs to the
		// unprivileged postgres user, in a folder of its own.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, the cluster needs the postgres user (installed with postgresql): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.asUser = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// A free port can be taken by another process between the probe and
	// the server's bind: try a few.
	for try := 0; ; try++ {
		if c.Port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=300 %s", c.Port, dir, ServerOptions())
		out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", strconv.Itoa(int(startTimeout/time.Second)), "-o", opts, "start")
		if err == nil {
			break
		}
		if try == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	c.URL = c.URLFor("postgres")
	return c, nil
}

// Stop stops the server at once (the data are thrown away) and removes
// the cluster's folder. A second call does nothing.
func (c *Cluster) Stop() error {
	if c.stopped {
		return nil
	}
	c.stopped = true
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "immediate", "-w", "-t", strconv.Itoa(int(startTimeout/time.Second)), "stop")
	rmErr := os.RemoveAll(c.Dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return rmErr
}

// run runs one of the cluster's binaries, as c.asUser when set.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	prog := filepath.Join(c.bin, name)
	cmd := exec.Command(prog, args...)
	if c.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.asUser, "--", prog}, args...)...)
	}
	cmd.Dir = c.Dir
	// pg_ctl start leaves the server running in the background: its
	// output goes to the log file, so CombinedOutput returns.
	return cmd.CombinedOutput()
}

// binDir is the folder holding initdb and pg_ctl: PATH's, else the newest
// of Debian's /usr/lib/postgresql/N/bin; "" when there is none.
func binDir() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// version is N of /usr/lib/postgresql/N/bin (0 when not a number).
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Reachable reports whether something accepts connections on the
// cluster's port (within a second).
func (c *Cluster) Reachable() bool {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(c.Port), time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
