package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
)

var ctx = context.Background()

// newTestStore opens a fresh database with a post point, device A and a clock
// that moves one second per call, starting 25/11/2026 09:00 in Vietnam.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "postdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	if err := s.Setup(ctx, domain.PostPoint{Code: "553140", Name: "Bưu điện Văn hóa xã Ia Grai", Commune: "Ia Grai", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleDossier(name, id, phone string) domain.Dossier {
	return domain.Dossier{
		Option:        domain.OptionSendAndReturn,
		ProcedureCode: "1.001193", ProcedureName: "Thủ tục đăng ký khai sinh", AgencyCode: "000.00.20.H21",
		Applicant:    domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: phone, Commune: "Ia Grai"},
		Place:        domain.PlaceCounter,
		Postage:      15000,
		ReturnMethod: domain.ReturnByPost,
		Documents:    []domain.DocumentItem{{Name: "Tờ khai đăng ký khai sinh", Required: true, Received: true, Original: true, Count: 1}},
	}
}

func TestIntakeNumbersReceiptsAndChainsEvents(t *testing.T) {
	s := newTestStore(t)
	d1, err := s.Intake(ctx, "clerk1", sampleDossier("Nguyễn Thị Hằng", "064190000123", "0905123456"))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.Intake(ctx, "clerk1", sampleDossier("Rơ Mah H'Bích", "064301000045", "0356789012"))
	if err != nil {
		t.Fatal(err)
	}
	if d1.ID != "553140A-261125-0001" || d2.ID != "553140A-261125-0002" {
		t.Fatalf("receipt numbers %s, %s", d1.ID, d2.ID)
	}
	if d1.State != domain.StateReceived || d1.ReceivedBy != "clerk1" || d1.Version != 1 {
		t.Fatalf("dossier after intake: %+v", d1)
	}
	ev, err := s.EventsAfter(ctx, "553140-A", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 2 || ev[0].Seq != 1 || ev[1].Seq != 2 || ev[1].PrevHash != ev[0].Hash {
		t.Fatalf("events not chained: %+v", ev)
	}
	if err := domain.VerifyChain("", ev); err != nil {
		t.Fatal(err)
	}
	got, err := s.Dossier(ctx, d2.ID)
	if err != nil || got.Applicant.FullName != "Rơ Mah H'Bích" {
		t.Fatalf("dossier read back: %+v %v", got, err)
	}
}

func TestRoundTripAndCheck(t *testing.T) {
	s := newTestStore(t)
	d, err := s.Intake(ctx, "clerk1", sampleDossier("Siu Thị Hằng", "064190000123", "0905123456"))
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 5, 0, 0, 0, 0, domain.Zone)
	steps := []struct {
		kind    domain.Kind
		payload any
		want    domain.State
	}{
		{domain.KindHandover, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Văn Tám"}, domain.StateAtAgency},
		{domain.KindAccept, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0975", DueDate: due}, domain.StateAccepted},
		{domain.KindResultReady, nil, domain.StateResultReady},
		{domain.KindResultHandover, domain.ResultHandoverPayload{HandoverID: "BN-1"}, domain.StateResultAtPost},
		{domain.KindOutForDelivery, nil, domain.StateOutForDelivery},
		{domain.KindDeliveryFailed, domain.ReasonPayload{Reason: "not_home"}, domain.StateDeliveryFailed},
		{domain.KindDeliver, domain.DeliverPayload{RecipientName: "Siu Thị Hằng", RecipientID: "064190000123"}, domain.StateDelivered},
	}
	for _, st := range steps {
		_, got, err := s.Record(ctx, "worker1", st.kind, d.ID, st.payload)
		if err != nil {
			t.Fatalf("%s: %v", st.kind, err)
		}
		if got.State != st.want {
			t.Fatalf("%s: state %s, want %s", st.kind, got.State, st.want)
		}
	}
	// An illegal move stores nothing and names the state and the move.
	before, _ := s.LastSeq(ctx, "553140-A")
	_, _, err = s.Record(ctx, "worker1", domain.KindDeliver, d.ID, domain.DeliverPayload{RecipientID: "064190000123"})
	var me *domain.MoveError
	if !errors.As(err, &me) || me.State != domain.StateDelivered || me.Move != domain.KindDeliver {
		t.Fatalf("delivering twice: %v", err)
	}
	if after, _ := s.LastSeq(ctx, "553140-A"); after != before {
		t.Fatalf("a refused move wrote an event: seq %d → %d", before, after)
	}
	final, _ := s.Dossier(ctx, d.ID)
	if final.FailedAttempts != 1 || final.Delivery == nil || final.OfficialCode == "" || !final.DueDate.Equal(due) {
		t.Fatalf("final dossier: %+v", final)
	}
	timeline, _ := s.DossierEvents(ctx, d.ID)
	if len(timeline) != 8 {
		t.Fatalf("timeline has %d events, want 8", len(timeline))
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dossiers != 1 || rep.Events != 8 || rep.Devices != 1 {
		t.Fatalf("check report %+v", rep)
	}
}

func TestCheckFindsTamperedProjectionAndEvent(t *testing.T) {
	s := newTestStore(t)
	d, _ := s.Intake(ctx, "clerk1", sampleDossier("Ksor Y Bhin", "064090000123", "0905123456"))
	if _, err := s.db.Exec("UPDATE dossiers SET state = 'delivered' WHERE id = ?", d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("check missed a tampered state: %v", err)
	}
	s.db.Exec("UPDATE dossiers SET state = 'received' WHERE id = ?", d.ID)
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("restored row: %v", err)
	}
	// The log refuses edits; tamper below the trigger to prove check notices.
	if _, err := s.db.Exec("UPDATE events SET staff = 'mallory'"); err == nil {
		t.Fatal("events are not append-only")
	}
	if _, err := s.db.Exec("DROP TRIGGER events_append_only_update"); err != nil {
		t.Fatal(err)
	}
	s.db.Exec("UPDATE events SET staff = 'mallory'")
	if _, err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Fatalf("check missed a forged event: %v", err)
	}
}

func TestSearch(t *testing.T) {
	s := newTestStore(t)
	a, _ := s.Intake(ctx, "c", sampleDossier("Nguyễn Thị Hằng", "064190000123", "0905123456"))
	b, _ := s.Intake(ctx, "c", sampleDossier("Đinh Văn Đức", "052080001234", "0356789012"))
	s.Record(ctx, "c", domain.KindSetItemCode, b.ID, domain.ItemCodePayload{ItemCode: "RR473124829VN"})
	cases := map[string]string{
		"nguyen thi hang":     a.ID,
		"NGUYỄN THỊ":          a.ID,
		"dinh van duc":        b.ID,
		"đinh":                b.ID,
		"064190000123":        a.ID,
		"0641900":             a.ID,
		"0905 123 456":        a.ID,
		"+84356789012":        b.ID,
		a.ID:                  a.ID,
		strings.ToLower(b.ID): b.ID,
		"553140A-261125-0002": b.ID,
		"rr473124829vn":       b.ID,
	}
	for q, want := range cases {
		rows, err := s.Search(ctx, q, 10)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(rows) != 1 || rows[0].ID != want {
			t.Errorf("search %q: got %v, want %s", q, rows, want)
		}
	}
	if rows, _ := s.Search(ctx, "tran", 10); len(rows) != 0 {
		t.Errorf("search tran found %v", rows)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec("PRAGMA user_version = 999")
	s.Close()
	_, err = Open(path)
	var newer *ErrNewerSchema
	if !errors.As(err, &newer) || newer.File != 999 {
		t.Fatalf("opening a newer schema: %v", err)
	}
}

// TestMigrationsFromEveryVersion builds a database at each earlier schema
// version, then opens it with this build and checks it reaches the newest.
func TestMigrationsFromEveryVersion(t *testing.T) {
	for v := 0; v <= SchemaVersion(); v++ {
		path := filepath.Join(t.TempDir(), "m.db")
		db, err := sql.Open("sqlite", dsn(path))
		if err != nil {
			t.Fatal(err)
		}
		old := &Store{db: db, Now: time.Now}
		if err := old.migrate(ctx, v); err != nil {
			t.Fatalf("to version %d: %v", v, err)
		}
		db.Close()
		s, err := Open(path)
		if err != nil {
			t.Fatalf("from version %d: %v", v, err)
		}
		var got int
		s.db.QueryRow("PRAGMA user_version").Scan(&got)
		if got != SchemaVersion() {
			t.Fatalf("from version %d reached %d", v, got)
		}
		if err := s.Setup(ctx, domain.PostPoint{Code: "553140", Name: "X"}, "B"); err != nil {
			t.Fatalf("from version %d: setup: %v", v, err)
		}
		if _, err := s.Intake(ctx, "c", sampleDossier("Trần Văn An", "064090000123", "0905123456")); err != nil {
			t.Fatalf("from version %d: intake: %v", v, err)
		}
		s.Close()
	}
}

func TestAutoBackupKeepsLastN(t *testing.T) {
	s := newTestStore(t)
	giveRecoveryKey(t, s)
	dir := t.TempDir()
	// A plain backup of an older PostDesk ages out with the encrypted ones.
	writeFile(t, filepath.Join(dir, "postdesk-20261031-120000.db"), "old plain backup")
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	for i := 0; i < 5; i++ {
		d := day.AddDate(0, 0, i)
		s.Now = func() time.Time { return d }
		if _, err := s.AutoBackup(ctx, dir, 3); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "postdesk-*"))
	if len(files) != 3 || !strings.Contains(files[0], "20261103") || !strings.HasSuffix(files[0], BackupExt) {
		t.Fatalf("kept %v", files)
	}
}
