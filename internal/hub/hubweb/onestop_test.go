package hubweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

func TestFeedAPI(t *testing.T) {
	s, states := hubtest.OneStop(t)
	tok, err := s.IssueAPIToken(ctx, "one-stop")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(s, Options{}))
	defer srv.Close()
	get := func(query, token string) (int, hubstore.FeedPage) {
		req, _ := http.NewRequest("GET", srv.URL+PathOneStopDossiers+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p hubstore.FeedPage
		json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	if code, _ := get("", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := get("", "pdk_wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
	for _, q := range []string{"?limit=1001", "?limit=0", "?after=-1", "?after=x"} {
		if code, _ := get(q, tok); code != http.StatusBadRequest {
			t.Fatalf("%s: %d", q, code)
		}
	}
	var events int
	hubtest.DB(t, s).QueryRow("SELECT count(*) FROM hub_events WHERE dossier <> ''").Scan(&events)
	var cursor int64
	var items []hubstore.FeedItem
	for i := 0; i < 100; i++ {
		code, p := get(fmt.Sprintf("?after=%d&limit=3", cursor), tok)
		if code != 200 {
			t.Fatalf("page: %d", code)
		}
		items = append(items, p.Items...)
		cursor = p.Next
		if !p.More {
			break
		}
	}
	if len(items) != events {
		t.Fatalf("%d changes, %d events", len(items), events)
	}
	final := map[string]hubstore.FeedItem{}
	for _, it := range items {
		final[it.SoBienNhan] = it
	}
	for id, st := range states {
		it := final[id]
		if it.TrangThaiHoSo == nil || *it.TrangThaiHoSo != int(domain.PortalStatusOf(st).Status) || it.TrangThai != string(st) {
			t.Errorf("%s: last change %+v, want state %s", id, it, st)
		}
	}
	if code, p := get(fmt.Sprintf("?after=%d", cursor), tok); code != 200 || len(p.Items) != 0 || p.Next != cursor || p.More {
		t.Fatalf("after the end: %d %+v", code, p)
	}
}

// TestOutcomesAPIPortalFields: POST /v1/outcomes takes JSON with the
// portal's keys and a number for the status; again it changes nothing; an
// unknown key is refused with the item's number.
func TestOutcomesAPIPortalFields(t *testing.T) {
	s, _, ids := hubtest.WithDossiers(t, 1)
	if _, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, "SoBienNhan,TrangThaiHoSo,MaHoSo,NgayHenTra\n"+ids[0]+",4,000.00.20.H21-260302-0001,20260316000000\n"), "motcua.csv"); err != nil {
		t.Fatal(err)
	}
	// The API, JSON with the portal's keys and a number for the status.
	tok, _ := s.IssueAPIToken(ctx, "one-stop")
	srv := httptest.NewServer(NewServer(s, Options{}))
	defer srv.Close()
	post := func(body string) (int, OutcomesAnswer) {
		req, _ := http.NewRequest("POST", srv.URL+PathOutcomes, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a OutcomesAnswer
		json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a
	}
	code, a := post(`{"outcomes":[{"SoBienNhan":"` + ids[0] + `","TrangThaiHoSo":9}]}`)
	if code != 200 || a.Queued != 1 {
		t.Fatalf("API: %d %+v", code, a)
	}
	code, a = post(`{"outcomes":[{"SoBienNhan":"` + ids[0] + `","TrangThaiHoSo":9}]}`)
	if code != 200 || a.Queued != 0 || a.Unchanged != 1 {
		t.Fatalf("API again: %d %+v", code, a)
	}
	code, a = post(`{"outcomes":[{"SoBienNhan":"` + ids[0] + `","TrangThaiHoSo":9,"Bogus":1}]}`)
	if code != 400 || len(a.Errors) != 1 || a.Errors[0].Field != "line 1: Bogus" {
		t.Fatalf("unknown key: %d %+v", code, a)
	}
}
