package hubweb

import (
	"net/http"
	"strconv"

	"postdesk/internal/hub/hubstore"
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
