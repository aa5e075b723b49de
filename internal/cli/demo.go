package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/store"
)

// checkpoint folds the WAL into the database after a seed (a variable so
// that a test can make it fail).
var checkpoint = func(ctx context.Context, s *store.Store) error { return s.Checkpoint(ctx) }

func runDemoSeed(env *Env, args []string) error {
	fs, db := dbFlags("demo seed")
	n := fs.Int("dossiers", 1000, "how many dossiers")
	seed := fs.Uint64("seed", 1, "random seed")
	ppCode := fs.String("post-point", "", "post point code of a new database (default "+desk.DemoPostPoint.Code+")")
	letter := fs.String("letter", "A", "device letter of a new database")
	showcase := fs.Bool("showcase", false, "add one dossier standing in every state today (as the app's demo post point has)")
	check := func([]string) error {
		if *n < 0 || *n > 5_000_000 {
			return usagef("--dossiers must be between 0 and 5000000")
		}
		return nil
	}
	return onNewDB(fs, db, args, check, func(s *store.Store, _ []string) error {
		start := time.Now()
		// Another post point or device letter (several demo devices syncing to one hub).
		if *ppCode != "" || *letter != "A" {
			if _, _, err := s.Device(env.Ctx); errors.Is(err, store.ErrNotSetUp) {
				pp := desk.DemoPostPoint
				if *ppCode != "" {
					pp.Code, pp.Name = *ppCode, "Bưu điện Văn hóa xã "+*ppCode
				}
				if err := s.Setup(env.Ctx, pp, *letter); err != nil {
					return err
				}
			}
		}
		if err := desk.New(s).PrepareDemo(env.Ctx); err != nil {
			return err
		}
		count, err := demo.Seed(env.Ctx, s, demo.Options{Dossiers: *n, Seed: *seed, Showcase: *showcase})
		if err != nil {
			return err
		}
		// The dossiers are committed: what follows only tidies up, and its
		// failure (a full disk, say) must not make the seed look failed.
		if err := checkpoint(env.Ctx, s); err != nil {
			fmt.Fprintf(env.Stderr, "note: the dossiers are saved, but the database's write-ahead log could not be folded in yet (%v); it will be the next time the database is opened\n", err)
		}
		size := fileSize(*db)
		fmt.Fprintf(env.Stdout, "seeded %d dossiers in %.1fs; database %d bytes (%.0f bytes per dossier)\n",
			count, time.Since(start).Seconds(), size, float64(size)/float64(max(count, 1)))
		fmt.Fprintf(env.Stdout, "demo accounts (PIN %s): ", desk.DemoPIN)
		for _, st := range demo.Staff {
			fmt.Fprintf(env.Stdout, "%s (%s) ", st.Username, st.Role)
		}
		fmt.Fprintln(env.Stdout)
		return nil
	})
}

func fileSize(path string) int64 {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return total
}
