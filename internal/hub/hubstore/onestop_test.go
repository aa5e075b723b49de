package hubstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
)

type seen struct {
	dossier string
	version int
}

func TestFeedUnderConcurrentIngest(t *testing.T) {
	s := hubtest.Open(t)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	s.StartProjector(pctx, t.Logf)
	const devices, batches, perBatch = 4, 25, 3
	devs := make([]*hubtest.Device, devices)
	for i := range devs {
		devs[i] = hubtest.NewDevice(t, fmt.Sprintf("60090%d", i), "A")
		devs[i].Enroll(t, s)
		for b := 0; b < batches; b++ {
			for k := 0; k < perBatch; k++ {
				id := devs[i].Intake()
				if k != 1 {
					devs[i].Handover(id)
				}
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	for _, d := range devs {
		wg.Add(1)
		go func(d *hubtest.Device) {
			defer wg.Done()
			from := int64(1)
			for from <= int64(len(d.Events)) {
				to := min(from+int64(perBatch)+1, int64(len(d.Events)))
				if _, err := s.ReceiveBatch(ctx, d.Batch(t, from, to), "http"); err != nil {
					errs <- err
					return
				}
				from = to + 1
			}
		}(d)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var got []seen
	var cursor int64
	poll := func() (int, error) {
		page, err := s.Feed(ctx, cursor, 7)
		if err != nil {
			return 0, err
		}
		if page.After != cursor || (len(page.Items) > 0 && page.Next != page.Items[len(page.Items)-1].Seq) {
			return 0, fmt.Errorf("page after %d: %+v", cursor, page)
		}
		for _, it := range page.Items {
			if it.Seq <= cursor {
				return 0, fmt.Errorf("seq %d after cursor %d", it.Seq, cursor)
			}
			cursor = it.Seq
			got = append(got, seen{it.SoBienNhan, it.PhienBan})
		}
		return len(page.Items), nil
	}
	deadline := time.Now().Add(60 * time.Second)
	finished := false
	for !finished {
		select {
		case <-done:
			finished = true
		default:
		}
		if _, err := poll(); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("ingest did not finish in 60 s")
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Everything is pushed: drain what the projector still writes.
	if err := s.Project(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := poll()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	// Checked against the events: every dossier event exactly once, in order.
	db := hubtest.DB(t, s)
	var events int
	if err := db.QueryRow("SELECT count(*) FROM hub_events WHERE dossier <> ''").Scan(&events); err != nil {
		t.Fatal(err)
	}
	if want := devices * batches * (perBatch + perBatch - 1); events != want {
		t.Fatalf("%d dossier events at the hub, %d pushed", events, want)
	}
	if len(got) != events {
		t.Fatalf("the client saw %d changes; the hub holds %d dossier events", len(got), events)
	}
	last := map[string]int{}
	for _, g := range got {
		if g.version != last[g.dossier]+1 {
			t.Fatalf("dossier %s: version %d after %d (skipped or repeated)", g.dossier, g.version, last[g.dossier])
		}
		last[g.dossier] = g.version
	}
	rows, err := db.Query("SELECT dossier, count(*) FROM hub_events WHERE dossier <> '' GROUP BY dossier")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var c int
		rows.Scan(&id, &c)
		if last[id] != c {
			t.Errorf("dossier %s: %d events, the client saw through version %d", id, c, last[id])
		}
		n++
	}
	if n != len(last) {
		t.Fatalf("%d dossiers at the hub, %d seen", n, len(last))
	}
}

func TestOutcomesInPortalFields(t *testing.T) {
	s, d, ids := hubtest.WithDossiers(t, 4)
	csv := "SoBienNhan,MaHoSo,TrangThaiHoSo,NgayHenTra,LyDo,GiayToBoSung\n" +
		ids[0] + ",000.00.20.H21-260302-0001,4,20260316000000,,\n" +
		ids[1] + ",,5,,,\"Bản sao giấy khai sinh; Ảnh 3x4\"\n" +
		ids[2] + ",,3,,Không đủ điều kiện,\n" +
		ids[3] + ",,1,,,\n" // at the agency already: nothing to record
	res, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "motcua.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 3 || res.Unchanged != 1 {
		t.Fatalf("%+v", res)
	}
	ups, err := s.Pull(ctx, d.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Kind{domain.KindAccept, domain.KindRequestSupplement, domain.KindReject}
	var got []domain.Kind
	var first json.RawMessage
	for _, u := range ups.Items {
		if u.Kind == "outcome" {
			if first == nil {
				first = u.Payload
			}
			got = append(got, u.Event)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	var acc domain.AcceptPayload
	json.Unmarshal(first, &acc)
	if acc.OfficialCode != "000.00.20.H21-260302-0001" || !acc.DueDate.Equal(time.Date(2026, 3, 16, 0, 0, 0, 0, domain.Zone)) {
		t.Fatalf("acceptance %+v", acc)
	}
	// The same rows in the PostDesk vocabulary's dd/mm/yyyy are the same update.
	res, err = s.QueueOutcomes(ctx, hubtest.ParseCSV(t, "receipt,outcome,official_code,due_date\n"+ids[0]+",accepted,000.00.20.H21-260302-0001,16/03/2026\n"), "kq.csv")
	if err != nil || res.AlreadyQueued != 1 || res.Queued != 0 {
		t.Fatalf("same acceptance in PostDesk's words: %+v %v", res, err)
	}
}

func TestPortalBadRowsRefusedWhole(t *testing.T) {
	s, _, ids := hubtest.WithDossiers(t, 5)
	before := hubtest.CountRows(t, s, "updates")
	csv := "SoBienNhan,TrangThaiHoSo,NgayHenTra,MaHoSo,KenhThucHien\n" +
		ids[0] + ",11,,,\n" + // no such status
		ids[1] + ",7,,,\n" + // a withdrawal is the post point's
		ids[2] + ",4,16/13/2026,000.00.20.H21-260302-0001,\n" + // no such day
		ids[3] + ",10,,,\n" + // returned: the post says so, not the portal
		ids[4] + ",4,20260316000000,000.00.20.H21-260302-0002," + strings.Repeat("9", 2000) + "\n" + // a cell far too long
		"600900A-260302-0999,9,,,\n" // not at the hub
	_, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "bad.csv")
	var errs domain.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want row errors, got %v", err)
	}
	want := []string{"line 2: TrangThaiHoSo", "line 3: TrangThaiHoSo", "line 4: due_date", "line 5: TrangThaiHoSo", "line 6: KenhThucHien", "line 7: receipt"}
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Fatalf("errors %q, want %q", fields, want)
	}
	if n := hubtest.CountRows(t, s, "updates"); n != before {
		t.Fatalf("%d updates queued by a refused file", n-before)
	}
}
