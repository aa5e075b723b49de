package desk_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// BenchmarkLookupByIDLogged is a search by CCCD through the desk among
// demo.BenchDossiers() dossiers (200,000 unless POSTDESK_BENCH_DOSSIERS
// says): the search, then its access event (one write, FULL sync).
func BenchmarkLookupByIDLogged(b *testing.B) {
	cached, err := demo.CachedDB(demo.BenchDossiers())
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "live.db")
	if err := copyFile(cached, path); err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	rows, err := s.Search(ctx, "nguyen", 50)
	if err != nil || len(rows) == 0 {
		b.Fatalf("no sample: %v", err)
	}
	id := rows[len(rows)/2].CitizenID
	dk := desk.New(s)
	a := desk.Actor{Username: "gdv1", Role: domain.RoleClerk}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := dk.Lookup(ctx, a, id)
		if err != nil || len(res.Dossiers) == 0 {
			b.Fatalf("lookup %s: %v", id, err)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
