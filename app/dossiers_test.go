package app

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

// The loaders' UI work waits in a queue until a test settles it (see deskDo).
var deskQueue struct {
	sync.Mutex
	fns []func()
}

func init() {
	deskDo = func(f func()) {
		deskQueue.Lock()
		deskQueue.fns = append(deskQueue.fns, f)
		deskQueue.Unlock()
	}
}

// settle lets the screen's background loads finish and applies them, as
// the Fyne thread would, until nothing more is pending.
func settle(ds *dossiersScreen) {
	for range 20 {
		ds.wait()
		if drainDesk() == 0 {
			return
		}
	}
}

// drainDesk runs the queued UI work on the test's goroutine, as the Fyne
// thread would, and says how much there was.
func drainDesk() int {
	deskQueue.Lock()
	fns := deskQueue.fns
	deskQueue.fns = nil
	deskQueue.Unlock()
	for _, f := range fns {
		f()
	}
	return len(fns)
}

// openDossiers shows the dossiers screen and waits for its first count.
func openDossiers(t *testing.T, u *UI) *dossiersScreen {
	t.Helper()
	u.Show("dossiers")
	ds := dossiersOf(u)
	if ds == nil {
		t.Fatal("the dossiers screen was not built")
	}
	settle(ds)
	return ds
}

// readAll reads every row through the table's lazy paging, as scrolling would.
func readAll(t *testing.T, ds *dossiersScreen) []store.DossierRow {
	t.Helper()
	n := ds.rowCount()
	out := make([]store.DossierRow, n)
	for i := 0; i < n; i++ {
		r, ok := ds.row(i)
		if !ok {
			settle(ds)
			if r, ok = ds.row(i); !ok {
				t.Fatalf("row %d not loaded after its page was read", i)
			}
		}
		out[i] = r
	}
	return out
}

func TestDossierTablePagesFromSQLite(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	if ds.rowCount() != testDossiers {
		t.Fatalf("table has %d rows, want %d", ds.rowCount(), testDossiers)
	}
	// A row of an unread page is a placeholder until its page arrives.
	if _, ok := ds.row(110); ok {
		t.Fatal("row 110 was there before its page was read")
	}
	settle(ds)
	ds.mu.Lock()
	_, page1 := ds.pages[1]
	_, page2 := ds.pages[2]
	ds.mu.Unlock()
	if !page2 || page1 {
		t.Fatalf("asking for row 110 read page 2: %v; page 1 (neither shown nor asked): %v", page2, page1)
	}
	rows := readAll(t, ds)
	want, err := u.Store.ListDossiers(u.Ctx, store.Filter{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if rows[i].ID != want[i].ID {
			t.Fatalf("row %d is %s, want %s", i, rows[i].ID, want[i].ID)
		}
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].ReceivedAt.After(rows[i-1].ReceivedAt) {
			t.Fatalf("rows not newest first at %d", i)
		}
	}
	// The table widget shows them: header and the first row's cells.
	ds.table.Refresh()
	if c := ds.cellText(rows[0], 0); c != rows[0].ID {
		t.Errorf("first cell %q", c)
	}
}

func TestDossierFilters(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	count := func(f store.Filter) int {
		f.Now = u.Now()
		n, err := u.Store.CountDossiers(u.Ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ds.state.SetValue(string(domain.StateDelivered))
	settle(ds)
	if got, want := ds.rowCount(), count(store.Filter{States: []domain.State{domain.StateDelivered}}); got != want || want == 0 {
		t.Fatalf("delivered: %d rows, want %d", got, want)
	}
	for _, r := range readAll(t, ds) {
		if r.State != domain.StateDelivered {
			t.Fatalf("row %s is %s", r.ID, r.State)
		}
	}
	ds.from.SetText("01/01/2026")
	ds.to.SetText("31/01/2026")
	u.Win.Canvas().Focus(ds.to)
	press(t, u, fyne.KeyReturn) // Enter applies
	settle(ds)
	for _, r := range readAll(t, ds) {
		if d := domain.FormatDate(r.ReceivedAt); !strings.HasSuffix(d, "/01/2026") || r.State != domain.StateDelivered {
			t.Fatalf("row %s received %s in state %s", r.ID, d, r.State)
		}
	}
	ds.to.SetText("31/02/2026")
	ds.apply()
	if !ds.filterErr.Visible() || !strings.Contains(ds.filterErr.Text, i18n.T("dossiers.filter.to")) {
		t.Fatalf("bad date not reported: %q", ds.filterErr.Text)
	}
	ds.resetFilters()
	settle(ds)
	if ds.rowCount() != testDossiers || ds.filterErr.Visible() {
		t.Fatalf("after reset: %d rows", ds.rowCount())
	}
	ds.overdue.SetChecked(true)
	settle(ds)
	if got, want := ds.rowCount(), count(store.Filter{Overdue: true}); got != want {
		t.Fatalf("overdue: %d rows, want %d", got, want)
	}
	ds.overdue.SetChecked(false)
	ds.procedure.SetText("1.001193")
	ds.apply()
	settle(ds)
	if got, want := ds.rowCount(), count(store.Filter{ProcedureCode: "1.001193"}); got != want {
		t.Fatalf("procedure: %d rows, want %d", got, want)
	}
}

func TestDossierDetailTimelineReprintAndCancel(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	fillBirthRegistration(t, u, f, "Puih H'Lâm", "064305001234")
	press(t, u, fyne.KeyReturn)
	id := f.lastID
	if id == "" {
		t.Fatalf("not saved: %v", visibleErrors(f))
	}
	u.OpenDossier(id)
	ds := dossiersOf(u)
	if ds == nil || ds.detail == nil || ds.detail.d.ID != id || !ds.detail.visible() {
		t.Fatal("the detail did not open")
	}
	texts := visibleTexts(ds.detail.object())
	for _, want := range []string{id, "Puih H'Lâm", i18n.T("state.received"), i18n.T("event.dossier.intake"),
		i18n.T("event.dossier.receipt_printed"), "Nguyễn Thị Lan", "600900-A", "10/03/2026 09:00"} {
		if !texts[want] {
			t.Errorf("the detail does not show %q", want)
		}
	}

	// Reprint: a new PDF and a second "printed" event.
	ds.detail.reprint()
	if ds.lastPDF == "" || !strings.Contains(pdfText(t, ds.lastPDF), "Puih H'Lâm") {
		t.Fatal("no reprint")
	}
	evs, _ := u.Store.DossierEvents(u.Ctx, id)
	if len(evs) != 3 || evs[2].Kind != domain.KindReceiptPrint || !strings.Contains(string(evs[2].Payload), `"reprint":true`) {
		t.Fatalf("events after reprint: %+v", evs)
	}

	// Cancel needs a reason; then the dossier is cancelled.
	ds.detail.askCancel()
	pressAnywhere(u, fyne.KeyReturn) // empty reason: refused
	if d, _ := u.Store.Dossier(u.Ctx, id); d.State != domain.StateReceived {
		t.Fatal("cancelled without a reason")
	}
	typeKeys(t, u, "Công dân xin rút hồ sơ")
	press(t, u, fyne.KeyReturn)
	d, _ := u.Store.Dossier(u.Ctx, id)
	if d.State != domain.StateCancelled || d.CancelReason != "Công dân xin rút hồ sơ" {
		t.Fatalf("after cancel: %s %q", d.State, d.CancelReason)
	}

	// A cancelled dossier cannot be cancelled again: the button is off and
	// the reason names the state.
	det := ds.detail
	if det.d.State != domain.StateCancelled || !det.cancelBtn.Disabled() {
		t.Fatal("cancel still offered on a cancelled dossier")
	}
	if !strings.Contains(det.cancelWhy, i18n.T("state.cancelled")) {
		t.Errorf("reason %q does not name the state", det.cancelWhy)
	}
	_, _, err := u.Store.Record(u.Ctx, "gdv1", domain.KindCancel, id, domain.ReasonPayload{Reason: "again"})
	var me *domain.MoveError
	if !errors.As(err, &me) || me.State != domain.StateCancelled {
		t.Fatalf("second cancel: %v", err)
	}
	if msg := moveMessage(err); !strings.Contains(msg, i18n.T("state.cancelled")) || !strings.Contains(msg, id) {
		t.Errorf("message %q", msg)
	}
}

func TestScanBox(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	fillBirthRegistration(t, u, f, "Ksor Y Bhin", "064085001234")
	f.itemCode.SetText("RR473124829VN")
	press(t, u, fyne.KeyReturn)
	id := f.lastID
	if id == "" {
		t.Fatalf("not saved: %v", visibleErrors(f))
	}
	scan := func(text string) {
		t.Helper()
		press(t, u, fyne.KeyF2)
		if focused(u) != fyne.Focusable(u.ScanBox()) {
			t.Fatal("F2 does not put the cursor in the scan box")
		}
		u.ScanBox().SetText(text)
		press(t, u, fyne.KeyReturn)
	}
	detailOf := func() *dossierDetail {
		ds := dossiersOf(u)
		if ds == nil || ds.detail == nil || !ds.detail.visible() || u.Current() != "dossiers" {
			return nil
		}
		return ds.detail
	}
	u.Show("intake")
	u.Win.Canvas().Focus(f.name)

	scan(strings.ToLower(id))
	if det := detailOf(); det == nil || det.d.ID != id || det.warn != "" {
		t.Fatalf("receipt number does not open %s", id)
	}
	u.Show("intake")
	scan("RR 473124829 VN")
	if det := detailOf(); det == nil || det.d.ID != id {
		t.Fatal("S10 code does not open the dossier")
	}

	// The receipt's own QR opens it unflagged; a tampered one opens it in red.
	in, err := receipt.ForDossier(u.Ctx, u.Store, id, "")
	if err != nil {
		t.Fatal(err)
	}
	scan(in.QR)
	if det := detailOf(); det == nil || det.d.ID != id || det.warn != "" {
		t.Fatalf("genuine QR: %+v", det)
	}
	other, err := u.Store.ListDossiers(u.Ctx, store.Filter{}, 1, 1)
	if err != nil || len(other) != 1 {
		t.Fatal(err)
	}
	scan(strings.Replace(in.QR, id, other[0].ID, 1))
	det := detailOf()
	if det == nil || det.d.ID != other[0].ID || !strings.Contains(det.warn, "Chữ ký QR không hợp lệ — có thể là biên nhận giả") {
		t.Fatalf("tampered QR: %+v", det)
	}
	if !visibleTexts(det.object())[det.warn] {
		t.Error("the warning is not shown")
	}

	// Garbage is not a PostDesk receipt.
	scan("https://example.com/?q=1")
	if msg := u.session.scanMessage; msg != "Không phải biên nhận PostDesk." {
		t.Fatalf("garbage: %q", msg)
	}
	pressAnywhere(u, fyne.KeyEscape)

	// A name lists the dossiers found.
	scan("ksor y")
	ds := dossiersOf(u)
	if !ds.results || ds.rowCount() == 0 || !ds.banner.Visible() {
		t.Fatalf("name search: results %v, %d rows", ds.results, ds.rowCount())
	}
	for i := 0; i < ds.rowCount(); i++ {
		r, _ := ds.row(i)
		if !strings.HasPrefix(domain.Fold(r.ApplicantName), "ksor y") {
			t.Errorf("result %s %q", r.ID, r.ApplicantName)
		}
	}
	ds.clearResults()
	settle(ds)
	if ds.results || ds.rowCount() != testDossiers+1 {
		t.Errorf("back to the list: %d rows", ds.rowCount())
	}
}
