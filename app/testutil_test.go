package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/platform"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// testNow is the fixed clock of the test databases, so golden files and
// counts are the same every day.
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// testDossiers is how many dossiers the shared test database has.
const testDossiers = 120

var (
	tmplOnce sync.Once
	tmplPath string
	tmplErr  error
	tmplDir  string
)

func TestMain(m *testing.M) {
	autoBackups = false
	os.Setenv("LANG", "vi_VN.UTF-8") // Fyne logs an error per call under LANG=C
	idleTick = time.Hour             // tests call CheckIdle themselves
	// Receipts are not opened on the machine running the tests (the
	// receipt_out tests put the system's ways back where they test them).
	openInViewer = func(string) error { return nil }
	openFolder = func(string) error { return nil }
	// The test machine's own disk does not decide what the screens show (diskcheck_test.go tests the warning).
	diskEncryption = func(string) (platform.DiskState, string) { return platform.DiskEncrypted, "test" }
	dir, err := os.MkdirTemp("", "postdesk-app-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmplDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixedClock is a settable clock for the store and the UI.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// demoStore returns a fresh copy of a demo database (post point, staff
// with PIN 1234, sample catalog, testDossiers dossiers) made once per run.
func demoStore(t testing.TB, clock *fixedClock) *store.Store {
	t.Helper()
	tmplOnce.Do(func() {
		tmplPath = filepath.Join(tmplDir, "template.db")
		s, err := store.Open(tmplPath)
		if err != nil {
			tmplErr = err
			return
		}
		defer s.Close()
		s.Now = func() time.Time { return testNow }
		ctx := context.Background()
		if err := desk.New(s).PrepareDemo(ctx); err != nil {
			tmplErr = err
			return
		}
		_, tmplErr = demo.Seed(ctx, s, demo.Options{Dossiers: testDossiers, Seed: 1, Now: testNow})
	})
	if tmplErr != nil {
		t.Fatal(tmplErr)
	}
	src, err := store.Open(tmplPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "desk.db")
	err = src.PlainCopy(context.Background(), path)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = clock.Now
	t.Cleanup(func() { s.Close() })
	return s
}

// newTestUI opens the desk on a demo database in the test driver and, when
// username is given, signs in with the demo PIN. The UI's and the store's
// clock is returned for tests that move time.
func newTestUI(t testing.TB, username string) (*UI, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: testNow}
	a := test.NewTempApp(t)
	s := demoStore(t, clock)
	u, err := Open(a, s)
	if err != nil {
		t.Fatal(err)
	}
	u.Now = clock.Now
	u.idle = newIdleWatch(clock.Now)
	u.Win.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(u.Close)
	if username != "" {
		if err := u.SignInAs(username, desk.DemoPIN); err != nil {
			t.Fatal(err)
		}
	}
	return u, clock
}

// withScreens puts screens in place of Screens() for one test (golden
// files of the shell must not change when a real screen changes); with
// none, a fixed set of placeholder pages.
func withScreens(t testing.TB, screens ...Screen) {
	if len(screens) == 0 {
		screens = placeholderScreens()
	}
	saved := testScreens
	testScreens = screens
	t.Cleanup(func() { testScreens = saved })
}

// placeholderScreens are plain pages under six known IDs (settings for
// supervisors), each saying only its title and app.placeholder.
func placeholderScreens() []Screen {
	var out []Screen
	for _, id := range []string{"intake", "delivery", "dossiers", "sync", "reports", "settings"} {
		s := Screen{ID: id, TitleKey: "app.nav." + id}
		if id == "settings" {
			s.Roles = []domain.Role{domain.RoleSupervisor}
		}
		s.Build = func(u *UI) fyne.CanvasObject {
			title := widget.NewLabelWithStyle(i18n.T(s.TitleKey), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
			msg := widget.NewLabelWithStyle(i18n.T("app.placeholder"), fyne.TextAlignCenter, fyne.TextStyle{})
			return container.NewCenter(container.NewVBox(title, msg))
		}
		out = append(out, s)
	}
	return out
}

// eventKinds counts the events of each kind in the store.
func eventKinds(t testing.TB, s *store.Store) map[string]int {
	t.Helper()
	// access.logged records that a screen showed a dossier (the showing, not the key pressed after it).
	rows, err := testtool.DB(t, s.Path()).Query("SELECT kind, count(*) FROM events WHERE kind <> 'access.logged' GROUP BY kind")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

func sleepMs(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
