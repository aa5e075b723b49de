package hubweb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

func newTestServer(t *testing.T, s *hubstore.Store) *httptest.Server {
	ts := httptest.NewServer(NewServer(s, Options{Name: "Gia Lai"}))
	t.Cleanup(ts.Close)
	return ts
}

func postJSON(t *testing.T, url string, v any) *http.Response {
	b, _ := json.Marshal(v)
	resp, err := http.Post(url, syncproto.ContentTypeJSON, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readError(t *testing.T, resp *http.Response) *syncproto.Error {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return syncproto.ErrorFromResponse(resp.StatusCode, b)
}

func TestAPIEnrollPushPull(t *testing.T) {
	s := hubtest.Open(t)
	ts := newTestServer(t, s)
	d := hubtest.NewDevice(t, "600900", "A")
	tok, err := s.IssueToken(ctx, "600900", "", "t")
	if err != nil {
		t.Fatal(err)
	}
	// Health.
	resp, err := http.Get(ts.URL + syncproto.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	var h syncproto.Health
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if !h.OK || h.Format != syncproto.Format || time.Since(h.HubTime) > time.Minute {
		t.Fatalf("health: %+v", h)
	}
	// Enroll with a forged proof of possession: refused.
	req := syncproto.NewEnrollRequest(d.Key, tok.Token, d.ID, d.PP, d.Age.Recipient().String())
	bad := req
	bad.Device = "600900-B"
	if e := readError(t, postJSON(t, ts.URL+syncproto.PathEnroll, bad)); e.Code != syncproto.CodeBadSignature {
		t.Fatalf("forged enrollment: %v", e)
	}
	resp = postJSON(t, ts.URL+syncproto.PathEnroll, req)
	if resp.StatusCode != 200 {
		t.Fatalf("enroll: %v", readError(t, resp))
	}
	var er syncproto.EnrollResponse
	json.NewDecoder(resp.Body).Decode(&er)
	resp.Body.Close()
	if err := er.Check(req); err != nil || !bytes.Equal(er.HubSignKey, s.PublicKey()) || er.HubName != "Gia Lai" {
		t.Fatalf("enroll answer %+v: %v", er, err)
	}
	// Push.
	id := d.Intake()
	d.Handover(id)
	resp, err = http.Post(ts.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(d.Batch(t, 1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := syncproto.ReadSignedResponse(resp)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	ack, err := syncproto.OpenAck(er.HubSignKey, signed, d.ID)
	if err != nil || ack.ThroughSeq != 2 {
		t.Fatalf("ack %+v: %v", ack, err)
	}
	// A gap over HTTP: 409 with the seq expected.
	d.Intake()
	d.Intake()
	resp, _ = http.Post(ts.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(d.Batch(t, 4, 4)))
	if e := readError(t, resp); resp.StatusCode != http.StatusConflict || e.Code != syncproto.CodeGap || e.ExpectedSeq != 3 {
		t.Fatalf("gap: %d %v", resp.StatusCode, e)
	}
	// Too large: refused before reading it all.
	resp, _ = http.Post(ts.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(make([]byte, syncproto.MaxEnvelopeBytes+10)))
	if e := readError(t, resp); e.Code != syncproto.CodeTooLarge {
		t.Fatalf("too large: %v", e)
	}
	// Pull, signed by the device.
	s.QueueOutcomes(ctx, hubtest.ParseCSV(t, "receipt,outcome,reason\n"+id+",rejected,Thiếu giấy tờ\n"), "x.csv")
	pull := func(after int64, at time.Time, key any) *http.Response {
		r, _ := http.NewRequest("GET", ts.URL+syncproto.UpdatesURL(d.ID, after, 0), nil)
		syncproto.SignRequest(r, d.Key, d.ID, nil, at)
		if key != nil {
			r.Header.Set(syncproto.HeaderSignature, "AAAA")
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = pull(0, time.Now(), nil)
	signed, err = syncproto.ReadSignedResponse(resp)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	ups, err := syncproto.OpenUpdates(er.HubSignKey, signed, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, u := range ups.Items {
		kinds += u.Kind + " "
	}
	if kinds != "device_key outcome " {
		t.Fatalf("updates: %s", kinds)
	}
	// A device clock hours off: 401 clock_skew with the hub's time, then fine once corrected.
	resp = pull(0, time.Now().Add(-5*time.Hour), nil)
	if e := readError(t, resp); e.Code != syncproto.CodeClockSkew || e.HubTime == nil {
		t.Fatalf("skew: %v", e)
	}
	// A bad signature.
	resp = pull(0, time.Now(), "bad")
	if e := readError(t, resp); e.Code != syncproto.CodeUnauthorized {
		t.Fatalf("bad request signature: %v", e)
	}
	// Asking for another device's updates.
	r, _ := http.NewRequest("GET", ts.URL+syncproto.UpdatesURL("600900-B", 0, 0), nil)
	syncproto.SignRequest(r, d.Key, d.ID, nil, time.Now())
	resp, _ = http.DefaultClient.Do(r)
	if e := readError(t, resp); e.Code != syncproto.CodeUnauthorized {
		t.Fatalf("other device: %v", e)
	}
}

func TestAPIOutcomes(t *testing.T) {
	s, d, ids := hubtest.WithDossiers(t, 2)
	ts := newTestServer(t, s)
	tok, err := s.IssueAPIToken(ctx, "one-stop")
	if err != nil {
		t.Fatal(err)
	}
	send := func(ct, body, bearer string) (*http.Response, OutcomesAnswer) {
		r, _ := http.NewRequest("POST", ts.URL+PathOutcomes, strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a OutcomesAnswer
		json.NewDecoder(resp.Body).Decode(&a)
		return resp, a
	}
	if resp, _ := send("text/csv", "receipt,outcome\n"+ids[0]+",result_ready\n", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := send("text/csv", "receipt,outcome\n"+ids[0]+",result_ready\n", "pdk_wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	resp, a := send("application/json", `{"outcomes":[{"receipt":"`+ids[0]+`","outcome":"accepted","official_code":"000.00.20.H21-260302-0007","due_date":"20/03/2026"},{"receipt":"`+ids[1]+`","outcome":"rejected"}]}`, tok)
	if resp.StatusCode != http.StatusBadRequest || a.Code != "invalid_rows" || len(a.Errors) != 1 || a.Errors[0].Field != "line 2: reason" ||
		!strings.Contains(a.Errors[0].MessageVI, "lý do") {
		t.Fatalf("bad JSON row: %d %+v", resp.StatusCode, a)
	}
	resp, a = send("text/csv", "receipt,outcome,official_code,due_date\n"+ids[0]+",accepted,000.00.20.H21-260302-0007,20/03/2026\n", tok)
	if resp.StatusCode != 200 || a.Queued != 1 {
		t.Fatalf("csv: %d %+v", resp.StatusCode, a)
	}
	ups, _ := s.Pull(ctx, d.ID, 0, 0)
	if len(ups.Items) != 2 { // device key + the outcome
		t.Fatalf("updates: %+v", ups.Items)
	}
}

// TestConcurrentPushes: devices push at once while the background
// projector runs, as under `hub serve`; every batch is acked, every event
// stored once, and the projection catches up to a replay.
func TestConcurrentPushes(t *testing.T) {
	s := hubtest.Open(t)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	s.StartProjector(pctx, t.Logf)
	ts := newTestServer(t, s)
	var devs []*hubtest.Device
	for i := 0; i < 8; i++ {
		d := hubtest.NewDevice(t, fmt.Sprintf("6009%02d", i/2), string(rune('A'+i%2)))
		d.Enroll(t, s)
		for j := 0; j < 30; j++ {
			d.Handover(d.Intake())
		}
		devs = append(devs, d)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(devs))
	for _, d := range devs {
		wg.Add(1)
		go func(d *hubtest.Device) {
			defer wg.Done()
			for from := int64(1); from <= 60; from += 20 {
				env := d.Batch(t, from, from+19)
				for try := 0; try < 2; try++ { // each batch twice: the second is a duplicate
					resp, err := http.Post(ts.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(env))
					if err != nil {
						errs <- err
						return
					}
					signed, err := syncproto.ReadSignedResponse(resp)
					resp.Body.Close()
					if err != nil {
						errs <- fmt.Errorf("%s batch %d: %w", d.ID, from, err)
						return
					}
					if a, err := syncproto.OpenAck(s.PublicKey(), signed, d.ID); err != nil || a.ThroughSeq != from+19 {
						errs <- fmt.Errorf("%s: ack %+v %v", d.ID, a, err)
						return
					}
				}
			}
		}(d)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := hubtest.CountRows(t, s, "hub_events"); n != 8*60 {
		t.Fatalf("%d events stored, want %d", n, 8*60)
	}
	if err := s.Project(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dossiers != 8*30 || rep.Events != 8*60 {
		t.Fatalf("check: %+v", rep)
	}
}
