package app

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// tab moves the focus to the next field, as the Tab key does.
func tab(u *UI) { u.Win.Canvas().FocusNext() }

// focused returns the focused widget.
func focused(u *UI) fyne.Focusable { return u.Win.Canvas().Focused() }

// openIntake signs in and shows the intake screen with the cursor in its first field.
func openIntake(t *testing.T, user string) (*UI, *intakeForm, *fixedClock) {
	t.Helper()
	u, clock := newTestUI(t, user)
	u.Show("intake")
	f := intakeFormOf(u)
	if f == nil {
		t.Fatal("the intake screen was not built")
	}
	if focused(u) != fyne.Focusable(f.option) {
		t.Fatalf("the cursor is not in the first field of the slip but in %T", focused(u))
	}
	return u, f, clock
}

// fillBirthRegistration types a birth registration (1.001193) as a clerk
// would: Tab from field to field following the slip, Space on the papers.
// The cursor ends in the count of the second paper.
func fillBirthRegistration(t *testing.T, u *UI, f *intakeForm, name, id string) {
	t.Helper()
	tab(u) // service: keep "send and return"
	if focused(u) != fyne.Focusable(f.picker.entry) {
		t.Fatalf("Tab from the service leads to %T, not the procedure", focused(u))
	}
	typeKeys(t, u, "1.001193")
	press(t, u, fyne.KeyReturn) // choose the first match
	if p := f.picker.Procedure(); p == nil || p.Code != "1.001193" {
		t.Fatalf("procedure not chosen: %v", p)
	}
	steps := []struct {
		want fyne.Focusable
		keys string
	}{
		{f.name, name},
		{f.idType, ""}, // CCCD by default
		{f.idNumber, id},
		{f.phone, "0905 123 456"},
		{f.commune, ""}, // the post point's commune by default
		{f.address, "Làng Mrông Yố"},
		{f.repCheck, ""},
		{f.docs[0].received, " "},
		{f.docs[0].original, ""},
		{f.docs[0].count, ""},
		{f.docs[1].received, " "},
		{f.docs[1].original, ""},
		{f.docs[1].count, ""},
	}
	for i, s := range steps {
		tab(u)
		if focused(u) != s.want {
			t.Fatalf("step %d: Tab leads to %T, not %T", i, focused(u), s.want)
		}
		if s.keys != "" {
			typeKeys(t, u, s.keys)
		}
	}
}

func TestIntakeByKeyboardSavesDossierEventAndReceipt(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	before := eventKinds(t, u.Store)
	fillBirthRegistration(t, u, f, "Rơ Mah H'Bích", "064 301 000 045")
	press(t, u, fyne.KeyReturn) // Enter saves

	if f.lastID == "" {
		t.Fatalf("not saved; errors: %v", visibleErrors(f))
	}
	d, err := u.Store.Dossier(u.Ctx, f.lastID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.ID, "600900A-260310-") {
		t.Errorf("receipt number %s is not this device's of today", d.ID)
	}
	if d.State != domain.StateReceived || d.Option != domain.OptionSendAndReturn || d.ProcedureCode != "1.001193" ||
		d.AgencyCode != "000.01.50.H21" || d.ReceivedBy != "gdv1" {
		t.Errorf("dossier %+v", d)
	}
	if d.Applicant.FullName != "Rơ Mah H'Bích" || d.Applicant.IDNumber != "064301000045" || d.Applicant.Phone != "0905123456" ||
		d.Applicant.Commune != "xã Ia O" || d.Applicant.Address != "Làng Mrông Yố" {
		t.Errorf("applicant %+v", d.Applicant)
	}
	if len(d.Documents) != 2 || !d.Documents[0].Received || !d.Documents[1].Received || d.Documents[0].Count != 1 {
		t.Errorf("papers %+v", d.Documents)
	}
	if d.ReturnMethod != domain.ReturnByPost || d.ReturnAddress != "Làng Mrông Yố, xã Ia O" || d.Postage != 30000 {
		t.Errorf("return %s %q, postage %d", d.ReturnMethod, d.ReturnAddress, d.Postage)
	}
	if !d.ReceivedAt.Equal(testNow) {
		t.Errorf("received at %v, want %v", d.ReceivedAt, testNow)
	}
	evs, err := u.Store.DossierEvents(u.Ctx, d.ID)
	if err != nil || len(evs) != 2 || evs[0].Kind != domain.KindIntake || evs[0].Staff != "gdv1" ||
		evs[1].Kind != domain.KindReceiptPrint {
		t.Fatalf("events %+v, %v", evs, err)
	}
	after := eventKinds(t, u.Store)
	if after[string(domain.KindIntake)] != before[string(domain.KindIntake)]+1 {
		t.Errorf("intake events %d → %d", before[string(domain.KindIntake)], after[string(domain.KindIntake)])
	}

	// The receipt was written, names the applicant exactly, and was opened.
	if f.lastPDF == "" {
		t.Fatal("no receipt written")
	}
	if text := pdfText(t, f.lastPDF); !strings.Contains(text, "Rơ Mah H'Bích") || !strings.Contains(text, d.ID) {
		t.Errorf("receipt text lacks the name or number:\n%s", text)
	}

	// The slip is empty again, the cursor in its first field, the draft gone.
	if f.name.Text != "" || f.picker.Procedure() != nil || f.idNumber.Text != "" {
		t.Error("the form was not cleared")
	}
	if focused(u) != fyne.Focusable(f.option) {
		t.Errorf("after saving the cursor is in %T", focused(u))
	}
	f.saver.Flush()
	if _, err := u.Store.Draft(u.Ctx, "gdv1", intakeDraftKey); err != store.ErrNotFound {
		t.Errorf("draft left after saving: %v", err)
	}
}

// pressAnywhere sends a key to the focused widget, or to the window when
// nothing has the focus (as with a dialog open).
func pressAnywhere(u *UI, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := u.Win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := u.Win.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils).
func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

// visibleErrors lists the error texts shown on the form, by field.
func visibleErrors(f *intakeForm) map[string]string {
	out := map[string]string{}
	for field, l := range f.errs {
		if l.Visible() && l.Text != "" {
			out[field] = l.Text
		}
	}
	if f.general.Visible() && f.general.Text != "" {
		out[""] = f.general.Text
	}
	return out
}

func countEvents(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := testtool.DB(t, s.Path()).QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIntakeInvalidInputShowsErrorsAndSavesNothing(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	events := countEvents(t, u.Store)
	fillBirthRegistration(t, u, f, "Siu Thị Hằng", "000301000045") // 000: no such province
	f.docs[1].received.SetChecked(false)                           // a required paper missing, not notified
	f.itemCode.SetText("RR473124828VN")                            // wrong check digit
	press(t, u, fyne.KeyReturn)

	errs := visibleErrors(f)
	for field, want := range map[string]string{
		"applicant.id_number": "mã tỉnh",
		"missing_notified":    "thông báo",
		"item_code":           "chữ số kiểm tra",
	} {
		if !strings.Contains(errs[field], want) {
			t.Errorf("error beside %s: %q, want it to mention %q (all: %v)", field, errs[field], want, errs)
		}
	}
	if f.lastID != "" || countEvents(t, u.Store) != events {
		t.Fatalf("something was saved: %s", f.lastID)
	}
	// The cursor goes to the first wrong field of the slip.
	if focused(u) != fyne.Focusable(f.idNumber) {
		t.Errorf("cursor in %T, not in the ID number", focused(u))
	}
	// The missing paper is named; telling the applicant clears that error.
	if !strings.Contains(f.missingList.Text, "Giấy chứng sinh") || !f.missingBox.Visible() {
		t.Errorf("missing papers not listed: %q", f.missingList.Text)
	}
	f.notified.SetChecked(true)
	f.idNumber.SetText("064301000045")
	f.itemCode.SetText("RR473124829VN")
	if errs := visibleErrors(f); len(errs) != 0 {
		t.Fatalf("errors remain after fixing: %v", errs)
	}
	u.Win.Canvas().Focus(f.notes)
	press(t, u, fyne.KeyReturn)
	if f.lastID == "" || countEvents(t, u.Store) != events+2 { // intake + receipt printed
		t.Fatalf("not saved after fixing: %v", visibleErrors(f))
	}
	d, _ := u.Store.Dossier(u.Ctx, f.lastID)
	if !d.MissingNotified || d.Documents[1].Received || d.ItemCode != "RR473124829VN" {
		t.Errorf("saved %+v", d)
	}
}

func TestIntakeRefusesProcedureClosedToBCCI(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	events := countEvents(t, u.Store)
	tab(u)
	typeKeys(t, u, "1.003583") // mobile birth registration: bcci_intake 0
	if len(f.picker.matches) != 1 {
		t.Fatalf("matches %v", f.picker.matches)
	}
	press(t, u, fyne.KeyReturn)
	if f.picker.Procedure() != nil {
		t.Fatal("a procedure closed to BCCI intake was chosen")
	}
	if msg := f.errs["procedure"].Text; !f.errs["procedure"].Visible() || !strings.Contains(msg, "1.003583") || !strings.Contains(msg, "trực tiếp") {
		t.Fatalf("refusal reason %q", msg)
	}
	f.save()
	if f.lastID != "" || countEvents(t, u.Store) != events {
		t.Fatal("saved without a procedure")
	}
	// The same procedure family open for return only: 1.014061 (bcci_return 1).
	f.option.SetValue(string(domain.OptionReturnOnly))
	f.picker.entry.SetText("1.014061")
	press(t, u, fyne.KeyReturn)
	if p := f.picker.Procedure(); p == nil || p.Code != "1.014061" {
		t.Fatal("a procedure open for return by post was refused for a return-only registration")
	}
	f.option.SetValue(string(domain.OptionSend))
	if msg := f.errs["procedure"].Text; !strings.Contains(msg, "1.014061") {
		t.Errorf("switching to send keeps a closed procedure without a word: %q", msg)
	}
}

func TestIntakeDraftSurvivesReopening(t *testing.T) {
	u, f, _ := openIntake(t, "gdv2")
	tab(u)
	typeKeys(t, u, "1.001193")
	press(t, u, fyne.KeyReturn)
	tab(u)
	typeKeys(t, u, "Ksor Y Bhin")
	tab(u)
	tab(u)
	typeKeys(t, u, "0640850012") // half typed
	f.docs[0].received.SetChecked(true)
	f.itemCode.SetText("RR47312482") // scanned halfway
	f.saver.Flush()

	// A new session on the same database: the app was closed or crashed.
	u2, err := Open(test.NewTempApp(t), u.Store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u2.Close)
	u2.Now = u.Now
	if err := u2.SignInAs("gdv2", "1234"); err != nil {
		t.Fatal(err)
	}
	u2.Show("intake")
	f2 := intakeFormOf(u2)
	if f2 == f || f2 == nil {
		t.Fatal("no fresh intake screen")
	}
	if p := f2.picker.Procedure(); p == nil || p.Code != "1.001193" {
		t.Fatalf("procedure not restored: %v", p)
	}
	if f2.name.Text != "Ksor Y Bhin" || f2.idNumber.Text != "0640850012" || !f2.docs[0].received.Checked || f2.docs[1].received.Checked {
		t.Errorf("form not restored: name %q id %q docs %v/%v", f2.name.Text, f2.idNumber.Text, f2.docs[0].received.Checked, f2.docs[1].received.Checked)
	}
	if f2.itemCode.Text != "RR47312482" {
		t.Errorf("item code %q", f2.itemCode.Text)
	}
	// What was typed wrong shows at once; what is still blank does not.
	errs := visibleErrors(f2)
	if !strings.Contains(errs["applicant.id_number"], "12 chữ số") || errs["applicant.phone"] != "" {
		t.Errorf("restored errors %v", errs)
	}
	// Another clerk does not get gdv2's draft.
	u3, err := Open(test.NewTempApp(t), u.Store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u3.Close)
	if err := u3.SignInAs("gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
	u3.Show("intake")
	if f3 := intakeFormOf(u3); f3.name.Text != "" {
		t.Errorf("gdv1 sees gdv2's draft: %q", f3.name.Text)
	}
	// Clearing (Esc, then Enter to confirm) drops the draft.
	u2.Win.Canvas().Focus(f2.name)
	press(t, u2, fyne.KeyEscape)
	pressAnywhere(u2, fyne.KeyReturn) // the question's "yes"
	if f2.name.Text != "" {
		t.Fatal("Esc + Enter did not clear the slip")
	}
	f2.saver.Flush()
	if _, err := u.Store.Draft(u.Ctx, "gdv2", intakeDraftKey); err != store.ErrNotFound {
		t.Errorf("draft kept after clearing: %v", err)
	}
}

func TestDraftIsSavedAfterAPauseWithoutFlush(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	u.Win.Canvas().Focus(f.name)
	typeKeys(t, u, "Nay H'Mai")
	deadline := time.Now().Add(20 * time.Second)
	for {
		row, err := u.Store.Draft(u.Ctx, "gdv1", intakeDraftKey)
		if err == nil {
			var d intakeDraft
			if json.Unmarshal(row.Data, &d) == nil && d.Name == "Nay H'Mai" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the draft was not saved within 5 s of typing: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProcedurePickerTypeAhead(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	tab(u)
	typeKeys(t, u, "khai sinh")
	if len(f.picker.matches) < 3 {
		t.Fatalf("matches for «khai sinh»: %d", len(f.picker.matches))
	}
	first := f.procs.procs[f.picker.matches[0]]
	if first.Code != "1.001193" {
		t.Errorf("first match %s %s", first.Code, first.Name)
	}
	press(t, u, fyne.KeyDown)
	press(t, u, fyne.KeyDown)
	press(t, u, fyne.KeyUp)
	want := f.procs.procs[f.picker.matches[1]].Code
	press(t, u, fyne.KeyReturn)
	if p := f.picker.Procedure(); p == nil || p.Code != want {
		t.Fatalf("arrows then Enter chose %v, want %s", p, want)
	}
	if len(f.picker.list.Objects) != 0 || !f.picker.card.Visible() {
		t.Error("after choosing, the list should close and the card show")
	}
	// Diacritics and case do not matter; a name part finds it.
	for _, q := range []string{"ĐĂNG KÝ KẾT HÔN", "dang ky ket hon", "kết hôn", "1.000894", "0894", "1000894"} {
		idx, _ := f.procs.Match(q, 5)
		if len(idx) == 0 || f.procs.procs[idx[0]].Code != "1.000894" {
			t.Errorf("%q does not find 1.000894 first", q)
		}
	}
	if idx, total := f.procs.Match("zzzz", 5); len(idx) != 0 || total != 0 {
		t.Errorf("nonsense matched %d", total)
	}
	// Digits inside a code only from three on, and a code prefix first.
	for i, c := range f.procs.codes {
		if idx, _ := f.procs.Match("89", 0); strings.Contains(onlyDigits(c), "89") && !strings.HasPrefix(c, "89") && containsInt(idx, i) {
			t.Errorf("two digits match inside the code %s", c)
			break
		}
	}
	if idx, _ := f.procs.Match("1.00", 3); len(idx) == 0 || !strings.HasPrefix(f.procs.codes[idx[0]], "1.00") {
		t.Errorf("a code prefix is not first")
	}
}

func TestHomePickupPlannedThenTakenIn(t *testing.T) {
	u, f, clock := openIntake(t, "buuta1")
	u.Win.Canvas().Focus(f.name)
	typeKeys(t, u, "Đinh Thị Blơm")
	f.phone.SetText("0356789012")
	f.address.SetText("Làng Dơ Nâu")
	f.place.SetValue(string(domain.PlaceHome))
	if !f.homeBox.Visible() || f.appointment.Text == "" {
		t.Fatal("home pickup shows no appointment")
	}
	f.appointment.SetText("10/03/2026 15:30")
	f.planPickup()
	if f.name.Text != "" {
		t.Fatalf("planning did not clear the slip: %v", visibleErrors(f))
	}
	if len(f.pickups.shown) != 1 || f.pickups.shown[0].draft.Name != "Đinh Thị Blơm" {
		t.Fatalf("today's pickups %+v", f.pickups.shown)
	}
	rows, _ := u.Store.Drafts(u.Ctx, store.DeviceDrafts, pickupKeyPrefix)
	if len(rows) != 1 {
		t.Fatalf("%d pickup drafts", len(rows))
	}

	// At the house: open it, complete, save — offline, numbered by this device.
	clock.Add(6 * time.Hour)
	f.pickups.take(f.pickups.shown[0])
	if f.name.Text != "Đinh Thị Blơm" || f.place.Value() != string(domain.PlaceHome) || f.pickup == "" {
		t.Fatalf("pickup not loaded: %q %s %q", f.name.Text, f.place.Value(), f.pickup)
	}
	f.picker.entry.SetText("1.001193")
	u.Win.Canvas().Focus(f.picker.entry)
	press(t, u, fyne.KeyReturn)
	f.idNumber.SetText("064303000123")
	f.markAllReceived()
	f.save()
	if f.lastID == "" {
		t.Fatalf("home intake not saved: %v", visibleErrors(f))
	}
	d, _ := u.Store.Dossier(u.Ctx, f.lastID)
	if d.Place != domain.PlaceHome || d.HomeAppointment == nil || domain.FormatDateTime(*d.HomeAppointment) != "10/03/2026 15:30" ||
		d.ReceivedBy != "buuta1" || !strings.HasPrefix(d.ID, "600900A-") || d.Postage != 40000 {
		t.Errorf("home dossier %+v", d)
	}
	if rows, _ := u.Store.Drafts(u.Ctx, store.DeviceDrafts, pickupKeyPrefix); len(rows) != 0 {
		t.Errorf("the planned pickup remains after intake")
	}
	if len(f.pickups.shown) != 0 || len(f.pickups.done.Objects) != 1 {
		t.Errorf("panel: %d planned, %d done", len(f.pickups.shown), len(f.pickups.done.Objects))
	}
}

func TestPlanPickupNeedsNameAddressAndTime(t *testing.T) {
	u, f, _ := openIntake(t, "buuta1")
	f.place.SetValue(string(domain.PlaceHome))
	f.appointment.SetText("31/02/2026 10:00")
	f.planPickup()
	errs := visibleErrors(f)
	for _, field := range []string{"applicant.full_name", "applicant.phone", "applicant.address", "home_appointment"} {
		if errs[field] == "" {
			t.Errorf("no error beside %s: %v", field, errs)
		}
	}
	if rows, _ := u.Store.Drafts(u.Ctx, store.DeviceDrafts, pickupKeyPrefix); len(rows) != 0 {
		t.Error("an invalid pickup was planned")
	}
}

func TestParseAppointment(t *testing.T) {
	for in, want := range map[string]string{
		"10/03/2026 15:30": "10/03/2026 15:30", "1/3/2026 7:05": "01/03/2026 07:05", "10/03/2026 15h30": "10/03/2026 15:30",
	} {
		got, err := parseAppointment(in)
		if err != nil || domain.FormatDateTime(got) != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "10/03/2026", "10/03/2026 25:00", "10/03/2026 10:7", "x y"} {
		if _, err := parseAppointment(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// BenchmarkProcedureTypeAhead: one keystroke in the picker over a
// 2,000-procedure catalog (the sample, suffixed): matching and the list.
// Budget: 5 ms per keystroke.
func BenchmarkProcedureTypeAhead(b *testing.B) {
	f, err := catalog.Sample()
	if err != nil {
		b.Fatal(err)
	}
	var procs []domain.Procedure
	for i := 0; len(procs) < 2000; i++ {
		for _, p := range f.Procedures {
			if len(procs) == 2000 {
				break
			}
			p.Code = p.Code + "." + string(rune('a'+i%26)) + string(rune('a'+i/26))
			p.Name = p.Name + " (bản " + string(rune('A'+i%26)) + ")"
			procs = append(procs, p)
		}
	}
	x := newProcIndex(procs, f.Agencies)
	app := test.NewTempApp(b)
	u := &UI{App: app, Win: app.NewWindow("bench")}
	p := newProcPicker(u, x)
	u.Win.SetContent(p.box)
	queries := []string{"khai sinh", "1.0011", "ĐĂNG KÝ KẾT HÔN", "chung thuc ban sao"}
	keystrokes := 0
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			r := []rune(q)
			for i := 1; i <= len(r); i++ {
				p.setQuery(string(r[:i]))
				keystrokes++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(keystrokes)/1e6, "ms/keystroke")
}

func TestErrorsWaitForTheCursorToLeaveButS10IsCheckedOnTheFly(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	u.Win.Canvas().Focus(f.idNumber)
	typeKeys(t, u, "06430")
	if msg := visibleErrors(f)["applicant.id_number"]; msg != "" {
		t.Fatalf("error while still typing the ID: %q", msg)
	}
	tab(u) // leave the field
	if msg := visibleErrors(f)["applicant.id_number"]; !strings.Contains(msg, "12 chữ số") {
		t.Fatalf("no error after leaving the ID field: %q", msg)
	}
	u.Win.Canvas().Focus(f.itemCode)
	typeKeys(t, u, "RR47312482")
	if msg := visibleErrors(f)["item_code"]; msg != "" {
		t.Fatalf("error on a half-scanned S10: %q", msg)
	}
	typeKeys(t, u, "8VN") // 13 characters, wrong check digit
	if msg := visibleErrors(f)["item_code"]; !strings.Contains(msg, "phải là 9") {
		t.Fatalf("S10 check digit not verified as it is typed: %q", msg)
	}
	f.itemCode.SetText("")
	typeKeys(t, u, "RR473124829VN")
	if msg := visibleErrors(f)["item_code"]; msg != "" {
		t.Fatalf("a good S10 shows %q", msg)
	}
}

func TestReturnOnlyRegistration(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	f.option.SetValue(string(domain.OptionReturnOnly))
	if f.docsSection.Visible() || !f.officialBox.Visible() || !f.returnSection.Visible() {
		t.Fatal("return only: papers shown or official code / return hidden")
	}
	u.Win.Canvas().Focus(f.picker.entry)
	typeKeys(t, u, "1.014061") // closed to intake by post, open to return by post
	press(t, u, fyne.KeyReturn)
	f.name.SetText("Kpă H'Luyên")
	f.idNumber.SetText("064301000777")
	f.phone.SetText("0356789012")
	f.address.SetText("Thôn Ia Bă")
	f.officialCode.SetText("000.02.50.h21-260305-0042")
	f.save()
	if f.lastID == "" {
		t.Fatalf("not saved: %v", visibleErrors(f))
	}
	d, _ := u.Store.Dossier(u.Ctx, f.lastID)
	if d.State != domain.StateResultReady || d.Option != domain.OptionReturnOnly || d.OfficialCode != "000.02.50.H21-260305-0042" ||
		len(d.Documents) != 0 || d.ReturnAddress != "Thôn Ia Bă, xã Ia O" || d.Postage != 15000 {
		t.Fatalf("registration %+v", d)
	}
	evs, _ := u.Store.DossierEvents(u.Ctx, d.ID)
	if len(evs) == 0 || evs[0].Kind != domain.KindRegisterResult {
		t.Fatalf("events %+v", evs)
	}
}

// TestIntakeNameRulesOnScreen: an emoji in the name is refused beside the
// field, naming the character; a one-word name only warns, and saves.
func TestIntakeNameRulesOnScreen(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	events := countEvents(t, u.Store)
	fillBirthRegistration(t, u, f, "Siu H'Hằng 😀", "064301000045")
	press(t, u, fyne.KeyReturn)
	if e := visibleErrors(f)["applicant.full_name"]; !strings.Contains(e, "😀") || !strings.Contains(e, "U+1F600") {
		t.Errorf("emoji in the name: %q", e)
	}
	if f.lastID != "" || countEvents(t, u.Store) != events {
		t.Fatal("a name with an emoji was saved")
	}
	f.name.SetText("Đinh")
	if !f.nameWarn.Visible() || !strings.Contains(f.nameWarn.Text, "một chữ") {
		t.Errorf("one-word name warning %q (visible %v)", f.nameWarn.Text, f.nameWarn.Visible())
	}
	if e := visibleErrors(f)["applicant.full_name"]; e != "" {
		t.Errorf("a one-word name is refused: %q", e)
	}
	u.Win.Canvas().Focus(f.notes)
	press(t, u, fyne.KeyReturn)
	if f.lastID == "" {
		t.Fatalf("a one-word name was not saved: %v", visibleErrors(f))
	}
	if d, _ := u.Store.Dossier(u.Ctx, f.lastID); d.Applicant.FullName != "Đinh" {
		t.Errorf("saved name %q", d.Applicant.FullName)
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
