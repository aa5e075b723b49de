package store_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"postdesk/internal/demo"
	"postdesk/internal/store"
	"postdesk/internal/vault"
)

// BenchmarkBackup compares the encrypted backup (VACUUM INTO beside the
// database, then age to the recovery key and the hub) with the plain
// VACUUM INTO copy PostDesk made before, on demo.BenchDossiers() dossiers
// (200,000 unless POSTDESK_BENCH_DOSSIERS says). Run with -benchtime=Nx.
func BenchmarkBackup(b *testing.B) {
	cached, err := demo.CachedDB(demo.BenchDossiers())
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "live.db")
	if err := copyForBench(cached, path); err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec, _ := vault.NewKey()
	hub, _ := vault.NewKey()
	if err := s.SetRecoveryRecipient(bctx, rec.Recipient().String()); err != nil {
		b.Fatal(err)
	}
	if err := s.SaveEnrollment(bctx, store.Enrollment{HubURL: "https://127.0.0.1:1", HubSignKey: make([]byte, 32),
		HubAgeRecipient: hub.Recipient().String()}); err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	for _, kind := range []string{"plain", "encrypted"} {
		b.Run(kind, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				file := filepath.Join(out, fmt.Sprintf("%s-%d", kind, i))
				var err error
				if kind == "plain" {
					err = s.PlainCopy(bctx, file)
				} else {
					err = s.Backup(bctx, file)
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if fi, err := os.Stat(file); err == nil {
					b.ReportMetric(float64(fi.Size())/1e6, "MB")
				}
				os.Remove(file)
				b.StartTimer()
			}
		})
	}
}

func copyForBench(src, dst string) error {
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
