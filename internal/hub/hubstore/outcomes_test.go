package hubstore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
	"postdesk/internal/tables"
)

func TestOutcomesQueueAndPull(t *testing.T) {
	s, d, ids := hubtest.WithDossiers(t, 3)
	csv := "receipt;outcome;official_code;due_date;papers;reason\n" +
		ids[0] + ";accepted;000.00.20.H21-260302-0001;15/03/2026;;\n" +
		ids[1] + ";supplement;;;Bản sao sổ hộ khẩu; \n" +
		ids[2] + ";rejected;;;;Không đủ điều kiện\n" +
		ids[0] + ";result_ready;;;;\n"
	// The same file with a quoted cell containing ';' in papers.
	csv = strings.Replace(csv, "Bản sao sổ hộ khẩu;", "\"Bản sao sổ hộ khẩu; Giấy khai sinh\";", 1)
	res, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "ketqua.csv")
	if err != nil {
		t.Fatal(i18n.Message(err))
	}
	if res.Queued != 4 || res.AlreadyQueued != 0 {
		t.Fatalf("%+v", res)
	}
	// Importing the same file again queues nothing.
	res, err = s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "ketqua.csv")
	if err != nil {
		t.Fatal(i18n.Message(err))
	}
	if res.Queued != 0 || res.AlreadyQueued != 4 {
		t.Fatalf("re-import: %+v", res)
	}
	ups, err := s.Pull(ctx, d.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []syncproto.Update
	for _, u := range ups.Items {
		if u.Kind == syncproto.UpdateOutcome {
			outcomes = append(outcomes, u)
		}
	}
	if len(outcomes) != 4 || outcomes[0].Event != domain.KindAccept || outcomes[3].Event != domain.KindResultReady {
		t.Fatalf("outcomes pulled: %+v", outcomes)
	}
	var acc domain.AcceptPayload
	if err := json.Unmarshal(outcomes[0].Payload, &acc); err != nil {
		t.Fatal(err)
	}
	if acc.OfficialCode != "000.00.20.H21-260302-0001" || domain.FormatDate(acc.DueDate) != "15/03/2026" {
		t.Fatalf("accept payload: %+v", acc)
	}
	var sup domain.SupplementPayload
	json.Unmarshal(outcomes[1].Payload, &sup)
	if len(sup.Papers) != 2 || sup.Papers[1] != "Giấy khai sinh" {
		t.Fatalf("supplement payload: %+v", sup)
	}
	if ups.More || ups.Next != outcomes[3].ID {
		t.Fatalf("cursor: next %d more %v", ups.Next, ups.More)
	}
	// Paging: one at a time.
	page, err := s.Pull(ctx, d.ID, 0, 1)
	if err != nil || len(page.Items) != 1 || !page.More || page.Next != page.Items[0].ID {
		t.Fatalf("page: %+v %v", page, err)
	}
	// Nothing after the cursor.
	rest, err := s.Pull(ctx, d.ID, ups.Next, 0)
	if err != nil || len(rest.Items) != 0 || rest.Next != ups.Next {
		t.Fatalf("after the end: %+v %v", rest, err)
	}
}

func TestOutcomesBadRowsAllOrNothing(t *testing.T) {
	s, _, ids := hubtest.WithDossiers(t, 2)
	csv := "receipt,outcome,official_code,due_date,reason\n" +
		ids[0] + ",accepted,000.00.20.H21-260302-0001,15/03/2026,\n" + // line 2: good
		ids[1] + ",accepted,not-a-code,31/02/2026,\n" + // line 3: two bad cells
		"600900A-260302-0099,accepted,000.00.20.H21-260302-0002,15/03/2026,\n" + // line 4: unknown dossier
		ids[1] + ",rejected,,,\n" + // line 5: no reason
		",result_ready,,,\n" + // line 6: no dossier
		ids[1] + ",approved,,,\n" + // line 7: unknown outcome
		ids[1] + ",result_only,,,\n" // line 8: result-only without its fields
	_, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "bad.csv")
	var errs domain.Errors
	if err == nil || !asErrors(err, &errs) {
		t.Fatalf("want row errors, got %v", err)
	}
	want := []string{"line 3: official_code", "line 3: due_date", "line 4: receipt", "line 5: reason", "line 6: receipt",
		"line 7: outcome", "line 8: post_point", "line 8: applicant_name", "line 8: address"}
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Field] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no error for %s; got %v", w, fieldsOf(errs))
		}
	}
	for f := range got {
		if strings.HasPrefix(f, "line 2") {
			t.Errorf("the good line 2 was reported: %s", f)
		}
	}
	// Vietnamese messages name the line.
	vi, _ := i18n.New("vi")
	if msg := vi.Message(err); !strings.Contains(msg, "Dòng 4") || !strings.Contains(msg, "chưa được đồng bộ") {
		t.Errorf("Vietnamese message: %s", msg)
	}
	// All or nothing: the good row was not queued either.
	if n := hubtest.CountRows(t, s, "updates WHERE kind = 'outcome'"); n != 0 {
		t.Fatalf("%d outcome updates queued despite errors", n)
	}
}

func TestOutcomeStateChecked(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	id := d.Intake() // received, not handed over
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 1), "http"); err != nil {
		t.Fatal(err)
	}
	_, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, "receipt,outcome,official_code,due_date\n"+id+",accepted,000.00.20.H21-260302-0001,15/03/2026\n"), "x.csv")
	var errs domain.Errors
	if !asErrors(err, &errs) || errs[0].Key != "hub.err.outcome_state" {
		t.Fatalf("accept of a received dossier: %v", err)
	}
	// Rows in one file chain: accepted then result_ready is fine once handed over,
	// but result_ready twice is not.
	d.Handover(id)
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 2, 2), "http"); err != nil {
		t.Fatal(err)
	}
	_, err = s.QueueOutcomes(ctx, hubtest.ParseCSV(t, "receipt,outcome,official_code,due_date\n"+
		id+",accepted,000.00.20.H21-260302-0001,15/03/2026\n"+id+",result_ready,,\n"+id+",accepted,000.00.20.H21-260302-0009,16/03/2026\n"), "x.csv")
	if !asErrors(err, &errs) || len(errs) != 1 || errs[0].Field != "line 4: outcome" {
		t.Fatalf("chained rows: %v", err)
	}
}

func TestResultOnlyClaimedByOneDevice(t *testing.T) {
	s := hubtest.Open(t)
	a := hubtest.NewDevice(t, "600900", "A")
	b := hubtest.NewDevice(t, "600900", "B")
	a.Enroll(t, s)
	b.Enroll(t, s)
	csv := "outcome,post_point,official_code,applicant_name,applicant_id,applicant_phone,commune,address,procedure_code,procedure_name,agency_code,fee\n" +
		"result_only,600900,000.00.20.H21-260301-0042,Ksor Y Bhin,064090001234,0912 345 678,Ia O,Làng Dơ Nâu,1.001193,Đăng ký khai sinh,000.00.20.H21,\"15.000\"\n"
	if _, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "r.csv"); err != nil {
		t.Fatal(i18n.Message(err))
	}
	var st hubstore.Status
	st, _ = s.Status(ctx)
	if st.Pending != 1 {
		t.Fatalf("unclaimed: %d", st.Pending)
	}
	regs := func(dev string) []syncproto.Update {
		ups, err := s.Pull(ctx, dev, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []syncproto.Update
		for _, u := range ups.Items {
			if u.Kind == syncproto.UpdateRegister {
				out = append(out, u)
			}
		}
		return out
	}
	ra := regs(a.ID)
	if len(ra) != 1 {
		t.Fatalf("device A got %d registrations", len(ra))
	}
	if rb := regs(b.ID); len(rb) != 0 {
		t.Fatalf("device B got the registration too: %+v", rb)
	}
	var doss domain.Dossier
	if err := json.Unmarshal(ra[0].Payload, &doss); err != nil {
		t.Fatal(err)
	}
	if doss.Option != domain.OptionReturnOnly || doss.Applicant.Phone != "0912345678" || doss.Fee != 15000 ||
		doss.OfficialCode != "000.00.20.H21-260301-0042" || doss.ReturnAddress != "Làng Dơ Nâu, Ia O" {
		t.Fatalf("registration: %+v", doss)
	}
	// A revoked before confirming it (its cursor is still 0): the
	// registration goes back to the post point, with a new id, and B takes it.
	if err := s.Revoke(ctx, a.ID, "tester", "stolen"); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Pull(ctx, b.ID, 0, 0)
	rb := regs(b.ID)
	if len(rb) != 1 || rb[0].ID <= ra[0].ID {
		t.Fatalf("after revocation B got %+v", rb)
	}
	// B also learns of the revocation.
	var revoked bool
	for _, u := range after.Items {
		if u.Kind == syncproto.UpdateRevoke && strings.Contains(string(u.Payload), a.ID) {
			revoked = true
		}
	}
	if !revoked {
		t.Fatal("no revoke update for the other devices")
	}
	// The same registration again: nothing new; with other details: refused.
	res, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "r.csv")
	if err != nil || res.AlreadyQueued != 1 {
		t.Fatalf("same registration again: %+v %v", res, err)
	}
	other := strings.Replace(csv, "Ksor Y Bhin", "Siu Thị Hằng", 1)
	_, err = s.QueueOutcomes(ctx, hubtest.ParseCSV(t, other), "r.csv")
	var errs domain.Errors
	if !asErrors(err, &errs) || errs[0].Key != "hub.err.result_only_again" {
		t.Fatalf("other details: %v", err)
	}
}

func TestOutcomeFileFormats(t *testing.T) {
	// Vietnamese headers, BOM, semicolons; an unknown column is named.
	rows, err := hubstore.ParseOutcomesCSV(strings.NewReader("\uFEFFSố biên nhận;Kết quả;Mã hồ sơ;Ngày hẹn trả\n600900A-260302-0001;tiếp nhận;000.00.20.H21-260302-0001;15/03/2026\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Receipt != "600900A-260302-0001" || hubstore.NormalizeOutcome(rows[0].Outcome) != hubstore.OutcomeAccepted || rows[0].Line != 2 {
		t.Fatalf("%+v", rows[0])
	}
	_, err = hubstore.ParseOutcomesCSV(strings.NewReader("receipt,outcome,colour\nx,accepted,red\n"))
	var errs domain.Errors
	if !asErrors(err, &errs) || errs[0].Field != "line 1: colour" {
		t.Fatalf("unknown column: %v", err)
	}
	_, err = hubstore.ParseOutcomesCSV(strings.NewReader("receipt,outcome\n\xff\xfe,accepted\n"))
	if !asErrors(err, &errs) || errs[0].Key != "hub.err.outcome_encoding" {
		t.Fatalf("bad encoding: %v", err)
	}
	if _, err := hubstore.ParseOutcomeFile(strings.NewReader(""), "x.pdf"); err == nil {
		t.Fatal("a .pdf was read")
	}
	// XLSX with a date typed as a date (serial number).
	x := hubtest.BuildXLSX(t, [][]any{{"receipt", "outcome", "official_code", "due_date"},
		{"600900A-260302-0001", "accepted", "000.00.20.H21-260302-0001", 46096}})
	rows, err = hubstore.ParseOutcomesXLSX(strings.NewReader(string(x)))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].DueDate != "15/03/2026" || rows[0].Line != 2 {
		t.Fatalf("xlsx row: %+v", rows[0])
	}
}

func asErrors(err error, out *domain.Errors) bool {
	es, ok := err.(domain.Errors)
	if ok {
		*out = es
	}
	return ok
}

func fieldsOf(es domain.Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Field+" ("+e.Key+")")
	}
	return out
}

func TestOutcomeFileWindowsEncodings(t *testing.T) {
	text := "Số biên nhận\tKết quả\tLý do\r\n600900A-260302-0001\ttừ chối\tThiếu giấy khai sinh\r\n"
	for _, enc := range []string{tables.UTF16LE, tables.UTF16BE, tables.Windows1258} {
		data, err := tables.Encode(text, enc)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := hubstore.ParseOutcomesCSV(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if len(rows) != 1 || rows[0].Reason != "Thiếu giấy khai sinh" || hubstore.NormalizeOutcome(rows[0].Outcome) != hubstore.OutcomeRejected {
			t.Fatalf("%s: %+v", enc, rows)
		}
	}
}
