package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	dailyreg "postdesk/internal/register"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

func pdfToText(t *testing.T, path string) string {
	t.Helper()
	testtool.Need(t, "pdftotext")
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}

// TestRoundTripOnDemoData is the "done when": on demo seed data one
// new dossier goes intake → handover → accepted → result ready → inbound
// handover → delivered; every step is in its timeline and its handover
// PDFs; the day's register counts it; and `postdesk check` still passes.
func TestRoundTripOnDemoData(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if code, out, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "300", "--seed", "4"); code != 0 {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	procs, err := s.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var proc domain.Procedure
	for _, p := range procs {
		if p.BCCIIntake && p.AgencyCode != "" {
			proc = p
			break
		}
	}
	d := domain.Dossier{
		Option: domain.OptionSendAndReturn, Place: domain.PlaceCounter, Postage: 15000, FeePayment: domain.PayNow,
		Applicant: domain.Person{FullName: "Rơ Mah H'Bích", IDNumber: "064301000045", IDType: domain.IDCCCD,
			Phone: "0356789012", Commune: "Ia O", Address: "Làng Mrông Yố"},
		ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Mrông Yố, xã Ia O",
		Documents: domain.IntakeDocuments(proc), MissingNotified: true,
	}
	for i := range d.Documents {
		d.Documents[i].Received = true
	}
	d, errs := domain.PrepareIntake(d, proc)
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Intake(ctx, "gdv1", d)
	if err != nil {
		t.Fatal(err)
	}
	id := got.ID

	out, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, proc.AgencyCode, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", out.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	now := s.Now()
	code := domain.OfficialCode{Agency: proc.AgencyCode, Date: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), Seq: 9001}.String()
	if _, err := s.Accept(ctx, "gdv1", id, domain.AcceptPayload{OfficialCode: code, DueDate: now.AddDate(0, 0, 5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, "gdv1", id); err != nil {
		t.Fatal(err)
	}
	// The result envelope is scanned by its official code.
	found, err := s.FindByCode(ctx, code)
	if err != nil || found.ID != id {
		t.Fatalf("scan %s: %v %v", code, found, err)
	}
	in, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", in.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(ctx, "buuta1", id, domain.DeliverPayload{RecipientID: "064301000045"}); err != nil {
		t.Fatal(err)
	}

	timeline, err := s.DossierEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range timeline {
		kinds = append(kinds, string(e.Kind))
	}
	want := "dossier.intake dossier.handover dossier.accept dossier.result_ready dossier.result_handover dossier.deliver"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("timeline %v, want %s", kinds, want)
	}

	// Both handover records print the dossier; the register counts the day.
	for _, h := range []*domain.Handover{out, in} {
		hin, err := receipt.HandoverFor(ctx, s, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		hin.Lang, _ = i18n.New("vi")
		path := filepath.Join(dir, h.ID+".pdf")
		if err := receipt.RenderHandoverFile(path, hin); err != nil {
			t.Fatal(err)
		}
		text := pdfToText(t, path)
		for _, part := range []string{h.ID, id, "Rơ Mah H'Bích", "Lê Thị Thu"} {
			if !strings.Contains(text, part) {
				t.Errorf("%s lacks %q:\n%s", h.ID, part, text)
			}
		}
	}
	s.Close()

	day := domain.FormatDate(now)
	pdf, xlsx := filepath.Join(dir, "so.pdf"), filepath.Join(dir, "so.xlsx")
	for _, f := range []string{pdf, xlsx} {
		if code, stdout, errs := run(t, "register", "--db", db, "--date", day, "--out", f); code != 0 || !strings.Contains(stdout, "register of "+day) {
			t.Fatalf("register %s: %d %q %q", f, code, stdout, errs)
		}
	}
	if text := pdfToText(t, pdf); !strings.Contains(text, id) || !strings.Contains(text, "Ngày "+day) {
		t.Errorf("the register lacks the dossier:\n%s", text)
	}
	wb, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := f.GetRows(dailyreg.SheetLines)
	seen := 0
	for _, l := range lines {
		if len(l) > 3 && l[3] == id {
			seen++
		}
	}
	if seen != 6 {
		t.Errorf("the register's lines name the dossier %d times, want 6", seen)
	}

	if code, stdout, errs := run(t, "check", "--db", db); code != 0 || !strings.HasPrefix(stdout, "ok:") {
		t.Fatalf("check after the round trip: %d %q %q", code, stdout, errs)
	}
}

func TestRegisterCommandBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if code, _, errs := run(t, "register", "--db", db, "--out", "x.txt"); code != 2 || !strings.Contains(errs, ".pdf or .xlsx") {
		t.Fatalf("bad extension: %d %q", code, errs)
	}
	if code, _, errs := run(t, "register", "--db", db, "--date", "31/02/2026", "--out", "x.pdf"); code != 2 || !strings.Contains(errs, "--date") {
		t.Fatalf("bad date: %d %q", code, errs)
	}
}
