package register

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

var ctx = context.Background()

const agency = "000.00.20.H21"

// day is the register's day: Wednesday 25/11/2026 in Vietnam.
var day = time.Date(2026, 11, 25, 0, 0, 0, 0, domain.Zone)

// clock is a settable clock for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

func newStore(t testing.TB) (*store.Store, *clock) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "postdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: day.Add(8 * time.Hour)}
	s.Now = c.now
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	for _, st := range []domain.Staff{
		{Username: "gdv1", FullName: "Nguyễn Thị Lan", Role: domain.RoleClerk},
		{Username: "buuta1", FullName: "Ksor Y Phôn", Role: domain.RolePostalWorker},
	} {
		if err := s.AddStaff(ctx, "", st, "x"); err != nil {
			t.Fatal(err)
		}
	}
	return s, c
}

func dossier(i int, fee domain.Money, pay domain.Payment) domain.Dossier {
	return domain.Dossier{
		Option: domain.OptionSendAndReturn, ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh", AgencyCode: agency,
		Applicant: domain.Person{FullName: "Siu Thị Hằng " + strconv.Itoa(i), IDNumber: fmt.Sprintf("0641900%05d", i),
			IDType: domain.IDCCCD, Phone: "0905123456", Commune: "Ia O", Address: "Làng Bi Giông"},
		Place: domain.PlaceCounter, Postage: 15000, Fee: fee, FeePayment: pay, FeePaid: pay == domain.PayNow && fee > 0,
		ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Bi Giông",
		Documents: []domain.DocumentItem{{Name: "Tờ khai", Required: true, Received: true, Count: 1}},
	}
}

// scenario records a day of work: intakes by two clerks (fees paid now and
// on delivery), a handover, results back, a delivery paid in cash, one by
// transfer, failed attempts; and intakes the day before and after, which
// the register must leave out.
func scenario(t testing.TB, s *store.Store, c *clock) {
	t.Helper()
	c.t = day.Add(-3 * time.Hour) // the evening before
	if _, err := s.Intake(ctx, "gdv1", dossier(900, 50000, domain.PayNow)); err != nil {
		t.Fatal(err)
	}
	c.t = day.Add(8 * time.Hour)
	var ids []string
	for i := 0; i < 6; i++ {
		staff := "gdv1"
		if i%3 == 2 {
			staff = "buuta1"
		}
		fee, pay := domain.Money(8000), domain.PayNow
		if i >= 4 {
			pay = domain.PayOnDelivery
		}
		d, err := s.Intake(ctx, staff, dossier(i, fee, pay))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, agency, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	in, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, agency, ids[3:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", in.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(ctx, "gdv1", ids[3], domain.DeliverPayload{RecipientID: fmt.Sprintf("0641900%05d", 3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(ctx, "buuta1", ids[4], domain.DeliverPayload{RecipientID: fmt.Sprintf("0641900%05d", 4),
		FeeCollected: 8000, ByTransfer: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FailDelivery(ctx, "buuta1", ids[5], domain.FailedPayload{Reason: domain.FailNotHome}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FailDelivery(ctx, "buuta1", ids[5], domain.FailedPayload{Reason: domain.FailRefused}); err != nil {
		t.Fatal(err)
	}
	c.t = day.Add(25 * time.Hour) // the next day
	if _, err := s.Intake(ctx, "gdv1", dossier(901, 70000, domain.PayNow)); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterTotals(t *testing.T) {
	s, c := newStore(t)
	scenario(t, s, c)
	r, err := Compute(ctx, s, day.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tot := r.Total
	want := Totals{Intakes: 6, HandedOver: 6, ResultsIn: 3, Outcomes: 3, Delivered: 2, Failed: 2, Returned: 1,
		Postage: 6 * 15000, Fees: 4*8000 + 8000, Cash: 6*15000 + 4*8000, Transfer: 8000}
	if tot != want {
		t.Fatalf("totals\n got %+v\nwant %+v", tot, want)
	}
	if len(r.Staff) != 2 || r.Staff[0].Username != "buuta1" || r.Staff[0].FullName != "Ksor Y Phôn" {
		t.Fatalf("staff %+v", r.Staff)
	}
	if b := r.Staff[0]; b.Intakes != 2 || b.Transfer != 8000 || b.Failed != 2 || b.Cash != 2*15000+8000 {
		t.Fatalf("buuta1 %+v", b)
	}
	if r.Date != day || r.Device != "600900-A" {
		t.Fatalf("header %v %s", r.Date, r.Device)
	}
}

// TestXLSXMatchesEvents opens the workbook with excelize and checks its
// totals row against sums written directly in SQL over the events table.
func TestXLSXMatchesEvents(t *testing.T) {
	s, c := newStore(t)
	scenario(t, s, c)
	r, err := Compute(ctx, s, day)
	if err != nil {
		t.Fatal(err)
	}
	lang, err := i18n.New("vi")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var total []string
	for _, row := range rows {
		if len(row) > 0 && row[0] == lang.T("register.total") {
			total = row
		}
	}
	if len(total) != len(SummaryColumns) {
		t.Fatalf("no totals row of %d cells in %v", len(SummaryColumns), rows)
	}
	cell := func(key string) int64 {
		for i, k := range SummaryColumns {
			if k == key {
				n, err := strconv.ParseInt(total[i], 10, 64)
				if err != nil {
					t.Fatalf("%s: %q is not a number", key, total[i])
				}
				return n
			}
		}
		t.Fatalf("no column %s", key)
		return 0
	}
	// Money cells are numbers with a đồng format, not text.
	cellName, _ := excelize.CoordinatesToCellName(10, len(rows))
	if typ, _ := f.GetCellType(SheetSummary, cellName); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Fatalf("money cell %s is text", cellName)
	}
	if styled, _ := f.GetCellValue(SheetSummary, cellName); !bytes.Contains([]byte(styled), []byte("₫")) {
		t.Fatalf("money cell %s shows %q, want đồng", cellName, styled)
	} else {
		t.Logf("money cell shows %q", styled)
	}

	from, to := DayBounds(day)
	db := testtool.DB(t, s.Path())
	sum := func(q string) int64 {
		var n int64
		if err := db.QueryRow(q, from.UTC().Format(domain.TimeLayout), to.UTC().Format(domain.TimeLayout)).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	const span = " AND at >= ?1 AND at < ?2"
	j := func(path string) string { return "json_extract(CAST(payload AS TEXT), '" + path + "')" }
	postage := sum("SELECT coalesce(sum(" + j("$.postage") + "), 0) FROM events WHERE kind = 'dossier.intake'" + span)
	feesIn := sum("SELECT coalesce(sum(" + j("$.fee") + "), 0) FROM events WHERE kind = 'dossier.intake' AND " + j("$.fee_paid") + span)
	feesOut := sum("SELECT coalesce(sum(" + j("$.fee_collected") + "), 0) FROM events WHERE kind = 'dossier.deliver'" + span)
	transfer := sum("SELECT coalesce(sum(" + j("$.fee_collected") + "), 0) FROM events WHERE kind = 'dossier.deliver' AND " + j("$.by_transfer") + span)
	count := func(kind string) int64 {
		return sum("SELECT count(*) FROM events WHERE kind = '" + kind + "'" + span)
	}
	checks := map[string]int64{
		"register.col.intakes":     count("dossier.intake"),
		"register.col.handed_over": count("dossier.handover"),
		"register.col.results_in":  count("dossier.result_handover"),
		"register.col.delivered":   count("dossier.deliver"),
		"register.col.failed":      count("dossier.delivery_failed"),
		"register.col.returned":    count("dossier.return_to_agency"),
		"register.col.postage":     postage,
		"register.col.fees":        feesIn + feesOut,
		"register.col.transfer":    transfer,
		"register.col.cash":        postage + feesIn + feesOut - transfer,
		"register.col.collected":   postage + feesIn + feesOut,
	}
	for key, want := range checks {
		if got := cell(key); got != want {
			t.Errorf("%s: workbook %d, events %d", key, got, want)
		}
	}
	if postage == 0 || feesOut == 0 || transfer == 0 {
		t.Fatal("the scenario must exercise every kind of money")
	}
	lines, err := f.GetRows(SheetLines)
	if err != nil || len(lines) != len(r.Lines)+1 {
		t.Fatalf("lines sheet has %d rows for %d lines: %v", len(lines), len(r.Lines), err)
	}
}

func TestEmptyDay(t *testing.T) {
	s, _ := newStore(t)
	r, err := Compute(ctx, s, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lines) != 0 || r.Total != (Totals{}) {
		t.Fatalf("%+v", r)
	}
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf, nil); err != nil {
		t.Fatal(err)
	}
}

// seed300 records a day with 300 register events among a year of others.
func seed300(b testing.TB, s *store.Store, c *clock) {
	b.Helper()
	// Other days' work, so the day is picked out of a bigger log.
	err := s.Bulk(ctx, func(bk *store.Bulk) error {
		for i := 0; i < 3000; i++ {
			d := dossier(i, 8000, domain.PayNow)
			d.ReceivedAt = day.AddDate(0, 0, -1-i%300).Add(9 * time.Hour)
			if _, err := bk.Intake("gdv1", d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// The day: 100 intakes, 100 handed over, 100 more events (results in, deliveries).
	c.t = day.Add(8 * time.Hour)
	var ids []string
	err = s.Bulk(ctx, func(bk *store.Bulk) error {
		for i := 0; i < 100; i++ {
			d := dossier(5000+i, 8000, domain.PayNow)
			d.ReceivedAt = c.now()
			got, err := bk.Intake("gdv1", d)
			if err != nil {
				return err
			}
			ids = append(ids, got.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, agency, ids)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		b.Fatal(err)
	}
	in, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, agency, ids[:50])
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", in.ID, "Lê Thị Thu"); err != nil { // 100 events: ready + back
		b.Fatal(err)
	}
}

func BenchmarkRegister300(b *testing.B) {
	s, c := newStore(b)
	seed300(b, s, c)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Compute(ctx, s, day)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Lines) != 300 {
			b.Fatalf("%d lines", len(r.Lines))
		}
		var buf bytes.Buffer
		if err := r.WriteXLSX(&buf, nil); err != nil {
			b.Fatal(err)
		}
	}
}
