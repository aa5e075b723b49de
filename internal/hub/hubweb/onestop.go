package hubweb

import (
	"net/http"
	"strconv"
	"strings"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/report"
	"postdesk/internal/syncproto"
)

// PathOneStopDossiers is the feed of dossier changes the province's
// one-stop system polls: GET /v1/onestop/dossiers?after=CURSOR&limit=N
// with "Authorization: Bearer TOKEN" (an API token, as for outcomes).
const PathOneStopDossiers = "/v1/onestop/dossiers"

func (srv *Server) oneStopDossiers(w http.ResponseWriter, r *http.Request) {
	if _, ok := srv.apiClient(w, r); !ok {
		return
	}
	q := r.URL.Query()
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeRefusal(w, hubstore.Refuse(syncproto.CodeBadRequest, "after must be a cursor (0 or the next of the last page), not %q", v))
			return
		}
		after = n
	}
	limit := hubstore.MaxFeedPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > hubstore.MaxFeedPage {
			writeRefusal(w, hubstore.Refuse(syncproto.CodeBadRequest, "limit must be from 1 to %d, not %q", hubstore.MaxFeedPage, v))
			return
		}
		limit = n
	}
	page, err := srv.store.Feed(r.Context(), after, limit)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// PathOneStopTotals is where the one-stop system posts its all-channel
// totals per MaTTHC, agency and month (internal/report/TOTALS.md), with
// an API token: JSON in its own fields (report.ParseTotalsJSON), or a
// totals file as text/csv or an .xlsx workbook. All rows or none; posting
// the same totals again leaves the same figures.
const PathOneStopTotals = "/v1/onestop/totals"

// TotalsAnswer is the answer of POST /v1/onestop/totals.
type TotalsAnswer struct {
	Rows     int           `json:"rows"`
	From     string        `json:"from,omitempty"` // the period, mm/yyyy
	To       string        `json:"to,omitempty"`
	Agencies []string      `json:"agencies,omitempty"` // whose months of the period the rows replace
	ImportID int64         `json:"import_id,omitempty"`
	Code     string        `json:"code,omitempty"` // "invalid_rows" when refused
	Message  string        `json:"message,omitempty"`
	Errors   []OutcomeFail `json:"errors,omitempty"`
}

func (srv *Server) oneStopTotals(w http.ResponseWriter, r *http.Request) {
	name, ok := srv.apiClient(w, r)
	if !ok {
		return
	}
	body, ok := srv.readBody(w, r, report.MaxTotalsFile)
	if !ok {
		return
	}
	source := "api:" + name
	var f *report.TotalsFile
	var err error
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		f, err = report.ParseTotalsJSON(body, source)
	case strings.HasPrefix(ct, "text/csv"):
		f, err = report.ParseTotalsCSV(body, source)
	case strings.HasPrefix(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
		f, err = report.ParseTotalsXLSX(body, source)
	default:
		writeRefusal(w, hubstore.Refuse(syncproto.CodeBadRequest, "send application/json, text/csv or an .xlsx workbook"))
		return
	}
	var id int64
	if err == nil {
		id, err = srv.store.ImportReportTotals(r.Context(), source, f)
	}
	if err != nil {
		fails, ok := rowFails(err)
		if !ok {
			writeRefusal(w, err)
			return
		}
		writeJSON(w, http.StatusBadRequest, TotalsAnswer{Code: "invalid_rows",
			Message: "nothing was stored: fix these rows and send the whole set again", Errors: fails})
		return
	}
	writeJSON(w, http.StatusOK, TotalsAnswer{Rows: len(f.Rows), From: f.From.Label(), To: f.To.Label(), Agencies: f.Agencies(), ImportID: id})
}
