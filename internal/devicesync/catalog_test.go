package devicesync

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/calendar"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// deskDossier is an intake as the counter's form sends it.
func deskDossier(name, id string) domain.Dossier {
	d := dossier(name, id)
	d.ReturnAddress = "Làng Dơ Nâu, Ia O"
	return d
}

// provinceCatalog is the hub's catalog change of a version: one agency, one
// procedure open (or closed) for BCCI intake, and the calendar files given.
func provinceCatalog(version int, open bool, cals ...syncproto.CalendarFile) syncproto.Update {
	b, _ := json.Marshal(syncproto.CatalogChange{FileName: "catalog-tinh.xlsx", SHA256: strings.Repeat(string(rune('a'+version)), 64),
		Version:    version,
		Agencies:   []domain.Agency{{Code: "000.00.20.H21", Name: "UBND xã Ia Grai", Level: "cấp xã"}},
		Procedures: []domain.Procedure{{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.00.20.H21", BCCIIntake: open, BCCIReturn: open}},
		Calendars:  cals})
	return syncproto.Update{Kind: syncproto.UpdateCatalog, Payload: b}
}

// TestProvinceCatalogComesDown: the province catalog and the calendar files
// arrive with a sync, the version is recorded, a procedure closed at the hub
// is refused at the next intake, a change with a bad year file is refused
// whole, and an older version arriving late changes nothing.
func TestProvinceCatalogComesDown(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	d := desk.New(s)
	clerk := desk.Actor{Username: "gdv1", Role: domain.RoleClerk}
	y2027 := calendar.Format(&calendar.YearFile{Year: 2027, Source: "Quyết định của tỉnh (thử)", Tet: calendar.UsualTet(2027),
		NationalDay: calendar.UsualNationalDayNeighbour(2027)})

	h.addUpdate("", provinceCatalog(1, true, syncproto.CalendarFile{Year: 2027, Text: string(y2027)}))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round 1: %+v %v", r, err)
	}
	info, err := s.Catalog(ctx)
	if err != nil || info.HubVersion != 1 || info.Version != 1 || info.HubAt.IsZero() {
		t.Fatalf("catalog after v1: %+v %v", info, err)
	}
	if got, err := os.ReadFile(filepath.Join(s.CalendarDir(), "2027.txt")); err != nil || string(got) != string(y2027) {
		t.Fatalf("calendar 2027 not installed: %v", err)
	}
	if _, err := d.Intake(ctx, clerk, deskDossier("Ksor Y Bhin", "064090001234"), desk.AsTyped); err != nil {
		t.Fatalf("intake of an open procedure: %v", err)
	}

	// v2 closes the procedure for BCCI: refused at the counter from this sync on.
	h.addUpdate("", provinceCatalog(2, false))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round 2: %+v %v", r, err)
	}
	_, err = d.Intake(ctx, clerk, deskDossier("Siu Thị Hằng", "064190000999"), desk.AsTyped)
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) == 0 || errs[0].Key != "err.intake.procedure_closed" {
		t.Fatalf("intake of a closed procedure: %v", err)
	}

	// v3 carries a broken year file: refused whole, nothing of it applied.
	h.addUpdate("", provinceCatalog(3, true, syncproto.CalendarFile{Year: 2028, Text: "year 2028\ntet 99/99/2028\n"}))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesSkipped != 1 {
		t.Fatalf("round 3: %+v %v", r, err)
	}
	if info, _ := s.Catalog(ctx); info.HubVersion != 2 {
		t.Fatalf("a refused change moved the version: %+v", info)
	}
	if p, _ := s.Procedure(ctx, "1.001193"); p.BCCIIntake {
		t.Fatal("a refused change reopened the procedure")
	}
	if _, err := os.Stat(filepath.Join(s.CalendarDir(), "2028.txt")); !os.IsNotExist(err) {
		t.Fatalf("refused calendar written: %v", err)
	}

	// v1 again, late (a newer id): older than what runs, so nothing changes.
	h.addUpdate("", provinceCatalog(1, true))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round 4: %+v %v", r, err)
	}
	if p, _ := s.Procedure(ctx, "1.001193"); p.BCCIIntake {
		t.Fatal("an older catalog reopened the procedure")
	}
	if info, _ := s.Catalog(ctx); info.HubVersion != 2 || info.Version != 2 {
		t.Fatalf("after the late v1: %+v", info)
	}
}

// withCommunes is provinceCatalog's change carrying a commune list.
func withCommunes(u syncproto.Update, communes ...domain.Commune) syncproto.Update {
	var cc syncproto.CatalogChange
	json.Unmarshal(u.Payload, &cc)
	cc.Communes = communes
	u.Payload, _ = json.Marshal(cc)
	return u
}

// TestProvinceCommunesComeDown: the province's commune list comes with its
// catalog and replaces the device's; a change with one bad commune is
// refused whole (neither its catalog nor its list applied); a change with
// no list leaves the list as it is.
func TestProvinceCommunesComeDown(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	labels := func() string {
		t.Helper()
		list, err := s.Communes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, cm := range list {
			out = append(out, cm.Label()+" ("+cm.Province+")")
		}
		return strings.Join(out, ", ")
	}
	if got := labels(); got != "" {
		t.Fatalf("a new device holds communes: %s", got)
	}
	h.addUpdate("", withCommunes(provinceCatalog(1, true), domain.Commune{Name: "Ia Hrú", Type: "xã", Province: "Gia Lai"},
		domain.Commune{Name: "Thống Nhất", Type: "phường", Province: "Gia Lai", Note: "sáp nhập 2025"}))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round 1: %+v %v", r, err)
	}
	const want = "xã Ia Hrú (Gia Lai), phường Thống Nhất (Gia Lai)"
	if got := labels(); got != want {
		t.Fatalf("after v1: %s", got)
	}
	if info, _ := s.Catalog(ctx); info.HubVersion != 1 || info.Communes != 2 {
		t.Fatalf("catalog after v1: %+v", info)
	}

	// v2 closes the procedure and has a commune of no known type: refused whole.
	h.addUpdate("", withCommunes(provinceCatalog(2, false), domain.Commune{Name: "Ia Băng", Type: "xã", Province: "Gia Lai"},
		domain.Commune{Name: "Plei Ơi", Type: "thôn", Province: "Gia Lai"}))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesSkipped != 1 {
		t.Fatalf("round 2: %+v %v", r, err)
	}
	if got := labels(); got != want {
		t.Fatalf("a refused change replaced the communes: %s", got)
	}
	if info, _ := s.Catalog(ctx); info.HubVersion != 1 {
		t.Fatalf("a refused change moved the version: %+v", info)
	}
	if p, _ := s.Procedure(ctx, "1.001193"); !p.BCCIIntake {
		t.Fatal("a refused change closed the procedure")
	}

	// v3 has no list (a hub that keeps none): the catalog applies, the list stays.
	h.addUpdate("", provinceCatalog(3, false))
	if r, err := c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round 3: %+v %v", r, err)
	}
	if info, _ := s.Catalog(ctx); info.HubVersion != 3 || labels() != want {
		t.Fatalf("after v3: %+v, %s", info, labels())
	}
}
