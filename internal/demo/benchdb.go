package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"postdesk/internal/atomicfile"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// BenchDossiers is how many dossiers benchmarks use: 200,000 as the issues
// ask, or POSTDESK_BENCH_DOSSIERS for a quicker run.
func BenchDossiers() int {
	if n, err := strconv.Atoi(os.Getenv("POSTDESK_BENCH_DOSSIERS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// CachedDB returns the path of a seeded database of n dossiers, built once
// and kept in the temp folder (keyed by n and the schema version) because
// seeding 200,000 dossiers takes a while. Treat it as read-only: copy it
// before writing.
func CachedDB(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("postdesk-bench-s%d-%d.db", store.SchemaVersion(), n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	s, err := store.Open(tmp)
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		s.Close()
		return "", err
	}
	f, err := catalog.Sample()
	if err != nil {
		s.Close()
		return "", err
	}
	if _, err := s.ImportCatalog(ctx, "bench", store.CatalogImport{FileName: f.Name, SHA256: f.SHA256, Agencies: f.Agencies, Procedures: f.Procedures}); err != nil {
		s.Close()
		return "", err
	}
	// A fixed "now" makes the cached file the same whatever day it is built.
	if _, err := Seed(ctx, s, Options{Dossiers: n, Seed: 42, Now: time.Date(2026, 11, 25, 12, 0, 0, 0, domain.Zone)}); err != nil {
		s.Close()
		return "", err
	}
	if err := s.Checkpoint(ctx); err != nil {
		s.Close()
		return "", err
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return path, atomicfile.Commit(tmp, path)
}
