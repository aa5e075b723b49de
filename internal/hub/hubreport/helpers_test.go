package hubreport

import (
	"context"
	"net/http/httptest"
	"testing"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
)

var ctx = context.Background()

// newTestServer serves s with the report page, as the hub's program does.
func newTestServer(t *testing.T, s *hubstore.Store) *httptest.Server {
	ts := httptest.NewServer(hubweb.NewServer(s, hubweb.Options{Name: "Gia Lai", Pages: []hubweb.ExtraPage{StaffPage()}}))
	t.Cleanup(ts.Close)
	return ts
}
