package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// cardTitles lists the titles of the cards under o.
func cardTitles(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if c, ok := obj.(*widget.Card); ok {
			out = append(out, c.Title)
		}
	}
	return out
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestTodoScreen(t *testing.T) {
	u, clock := newTestUI(t, "truong")
	// One of each: a failed delivery, a supplement request, an accepted
	// dossier that will be overdue, open feedback.
	failed := rtAtPost(t, u, "Rơ Mah H'Bích", "064301000045")
	if _, _, err := u.Store.FailDelivery(u.Ctx, "buuta1", failed.ID, domain.FailedPayload{Reason: domain.FailNotHome}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Store.RecordFeedback(u.Ctx, "gdv1", "", domain.FeedbackPayload{Topic: domain.FeedbackSuggestion, Text: "Thêm ghế chờ"}); err != nil {
		t.Fatal(err)
	}
	late := rtIntake(t, u, "Ksor Y Bhin", "064090001234")
	h, _ := u.Store.CreateHandover(u.Ctx, "buuta1", domain.HandoverOut, late.AgencyCode, []string{late.ID})
	if _, err := u.Store.ConfirmHandover(u.Ctx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	code := domain.OfficialCode{Agency: late.AgencyCode, Date: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Seq: 77}.String()
	if _, err := u.Store.Accept(u.Ctx, "gdv1", late.ID, domain.AcceptPayload{OfficialCode: code, DueDate: clock.Now().AddDate(0, 0, 3)}); err != nil {
		t.Fatal(err)
	}
	rtIntake(t, u, "Nguyễn Thị Hằng", "064190000123") // waits for a handover

	u.Show("home")
	td := todoOf(u)
	titles := cardTitles(u.Win.Canvas().Content())
	prefix := func(key string) string { return strings.SplitN(i18n.T(key), "(", 2)[0] }
	for _, key := range []string{"todo.handover.title", "todo.retry.title", "todo.feedback.title"} {
		if !hasPrefix(titles, prefix(key)) {
			t.Errorf("home lacks %q; cards %v", key, titles)
		}
	}
	if hasPrefix(titles, prefix("todo.overdue.title")) {
		t.Error("nothing is overdue today")
	}
	checkTexts(t, u, "home")

	// A week later the accepted dossier is past its date.
	clock.Add(7 * 24 * time.Hour)
	td.reload()
	if td.todo.Counts["overdue"] < 1 {
		t.Fatalf("overdue %v", td.todo.Counts)
	}
	found := false
	for _, d := range td.todo.Overdue {
		found = found || d.ID == late.ID
	}
	if !found {
		t.Fatal("the late dossier is not listed")
	}
	// Each line is one click from the screen that does it.
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("todo.handover.go")))
	if u.Current() != "handover" || handoverOf(u).out.current() == "" {
		t.Fatalf("hand over went to %q, agency %q", u.Current(), handoverOf(u).out.current())
	}
	u.Show("home")
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("todo.overdue.go")))
	if u.Current() != "handover" || handoverOf(u).agc.d == nil {
		t.Fatal("the overdue line did not open the outcome entry")
	}
	u.Show("home")
	listed := map[string]bool{}
	for _, d := range append(td.todo.Waiting, td.todo.Retry...) {
		listed[d.ID] = true
	}
	if !listed[failed.ID] {
		t.Fatal("the failed delivery is not listed to retry")
	}
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("todo.deliver")))
	if u.Current() != "delivery" || deliveryOf(u).give.d == nil || !listed[deliveryOf(u).give.d.ID] {
		t.Fatal("the deliver line did not open its result")
	}

	// The register, as PDF and as Excel, into the documents folder.
	u.Show("home")
	td.date.SetText(domain.FormatDate(testNow))
	for _, key := range []string{"todo.register_pdf", "todo.register_xlsx"} {
		test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T(key)))
		if td.msg.Importance != widget.SuccessImportance {
			t.Fatalf("%s: %q", key, td.msg.Text)
		}
	}
	for _, ext := range []string{".pdf", ".xlsx"} {
		if _, err := os.Stat(filepath.Join(documentsDir(u), "so-theo-doi-2026-03-10"+ext)); err != nil {
			t.Error(err)
		}
	}
	td.date.SetText("31/02/2026")
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("todo.register_pdf")))
	if td.msg.Importance != widget.DangerImportance {
		t.Fatal("a bad date was accepted")
	}
}

func TestFeedbackRecordedAndClosed(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	d := rtIntake(t, u, "Siu Thị Hằng", "064190000555")
	u.Show("feedback")
	f := feedbackOf(u)
	before := totalEvents(t, u)
	f.save() // nothing written
	if f.msg.Importance != widget.DangerImportance || totalEvents(t, u) != before {
		t.Fatalf("empty feedback: %q", f.msg.Text)
	}
	f.topic.SetSelectedIndex(0)
	test.Type(f.dossier, d.ID)
	test.Type(f.text, "Chờ kết quả quá lâu")
	test.Type(f.name, "Siu Thị Hằng")
	test.Type(f.phone, "0905 123 456")
	f.place.SetSelected(i18n.T("feedback.place.home"))
	f.save()
	if totalEvents(t, u) != before+1 || f.text.Text != "" {
		t.Fatalf("save: %q", f.msg.Text)
	}
	open, _ := u.Store.Feedbacks(u.Ctx, true)
	if len(open) != 1 || open[0].Dossier != d.ID || open[0].Place != domain.PlaceHome || open[0].ContactPhone != "0905123456" {
		t.Fatalf("stored %+v", open)
	}
	checkTexts(t, u, "feedback")
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("feedback.close")))
	c := f.closeForm
	if c == nil {
		t.Fatal("no answer form")
	}
	c.save()
	if c.errs.Text == "" {
		t.Fatal("an empty answer was accepted")
	}
	test.Type(c.action, "Đã gọi điện giải thích, cơ quan hẹn trả trong tuần")
	c.save()
	if open, _ := u.Store.Feedbacks(u.Ctx, true); len(open) != 0 {
		t.Fatal("the feedback is still open")
	}
	tl, _ := u.Store.DossierEvents(u.Ctx, d.ID)
	if tl[len(tl)-1].Kind != domain.KindFeedbackClose {
		t.Fatal("the answer is not in the dossier's timeline")
	}
}

func TestClerkRecordsFeedbackButSeesNoList(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.Show("feedback")
	f := feedbackOf(u)
	test.Type(f.text, "Nhân viên hướng dẫn tận tình")
	f.topic.SetSelectedIndex(2)
	f.save()
	if f.msg.Importance != widget.SuccessImportance {
		t.Fatal(f.msg.Text)
	}
	for _, obj := range test.LaidOutObjects(u.Win.Canvas().Content()) {
		if b := asButton(obj); b != nil && b.Text == i18n.T("feedback.close") {
			t.Fatal("a clerk sees the supervisor's list")
		}
	}
}
