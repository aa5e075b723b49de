package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"postdesk/internal/domain"
)

// crashChildEnv names the database a child process records dossiers into
// until it is killed. See TestCrashSafety.
const crashChildEnv = "POSTDESK_CRASH_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path))
	}
	if path := os.Getenv(sealChildEnv); path != "" {
		os.Exit(sealChild(path))
	}
	if path := os.Getenv(purgeChildEnv); path != "" {
		os.Exit(purgeChild(path))
	}
	os.Exit(m.Run())
}

// crashChild records dossiers in a loop and prints each receipt number only
// after Intake returned, i.e. after the receipt could have been printed.
func crashChild(path string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, _, err := s.Device(ctx); err == ErrNotSetUp {
		if err := s.Setup(ctx, domain.PostPoint{Code: "553140", Name: "Crash test"}, "A"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		d, err := s.Intake(ctx, "clerk", sampleDossier(fmt.Sprintf("Nguyễn Văn Số %d", i), "064090000123", "0905123456"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// Move some dossiers on too, so kills also land inside projection updates.
		if i%3 == 0 {
			if _, _, err := s.Record(ctx, "clerk", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BG", Officer: "X"}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		fmt.Fprintln(out, d.ID)
		out.Flush()
	}
}

// TestCrashSafety kills a recording process with SIGKILL at random moments,
// many times over, and checks after each kill that every dossier whose save
// had returned is in the database and that check passes.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes for several seconds")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	saved := map[string]bool{}
	rounds := 25
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it get going (open, migrate, first saves), then kill at a random moment.
		time.Sleep(time.Duration(150+rnd.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for id := range lines {
			saved[id] = true
		}
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("round %d: child failed: %s", round, stderr.String())
		}
		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		for id := range saved {
			if _, err := s.Dossier(ctx, id); err != nil {
				t.Fatalf("round %d: dossier %s was saved before the kill but is missing: %v", round, id, err)
			}
		}
		if _, err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: check after kill: %v", round, err)
		}
		s.Close()
	}
	if len(saved) < rounds {
		t.Fatalf("only %d dossiers saved over %d rounds: the child barely ran", len(saved), rounds)
	}
	t.Logf("%d rounds, %d dossiers saved before kills, all present", rounds, len(saved))
}
