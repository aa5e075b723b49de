package hubstore_test

import (
	"strings"
	"testing"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

// FuzzReceiveBatch: whatever bytes arrive as a batch, the hub never
// panics, and a refusal stores nothing.
func FuzzReceiveBatch(f *testing.F) {
	s := hubtest.Open(f)
	d := hubtest.NewDevice(f, "600900", "A")
	d.Enroll(f, s)
	for i := 0; i < 6; i++ {
		d.Handover(d.Intake())
	}
	f.Add(d.Batch(f, 1, 4))
	f.Add(d.Batch(f, 5, 12))
	f.Add([]byte("PDSB\x01\x00\x00\x00\x02{}"))
	f.Fuzz(func(t *testing.T, env []byte) {
		before := hubtest.Snapshot(t, s)
		res, err := s.ReceiveBatch(ctx, env, "http")
		if err != nil {
			if after := hubtest.Snapshot(t, s); after != before {
				t.Fatalf("a refused batch changed the store: %v", err)
			}
			return
		}
		if res.Through < 1 {
			t.Fatalf("accepted with through %d", res.Through)
		}
	})
}

// FuzzOutcomesCSV: any file gives rows or line-numbered errors, never a panic.
func FuzzOutcomesCSV(f *testing.F) {
	f.Add("receipt,outcome,official_code,due_date\n600900A-260302-0001,accepted,000.00.20.H21-260302-0001,15/03/2026\n")
	f.Add("\uFEFFSố biên nhận;Kết quả\n600900A-260302-0001;tu choi\n")
	f.Add("outcome,\"papers\n")
	f.Fuzz(func(t *testing.T, text string) {
		rows, err := hubstore.ParseOutcomesCSV(strings.NewReader(text))
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row with line %d", r.Line)
			}
		}
	})
}
