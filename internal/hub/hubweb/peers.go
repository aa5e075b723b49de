package hubweb

import (
	"net/http"

	"postdesk/internal/syncproto"
)

// peers answers GET /v1/peers (hubstore.Store.PeerEnvelopes).
func (srv *Server) peers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dev, ok := srv.signedDevice(w, r)
	if !ok {
		return
	}
	device := dev.ID
	have, err := syncproto.ParseHave(q.Get("have"))
	if err != nil {
		writeRefusal(w, err)
		return
	}
	envs, more, err := srv.store.PeerEnvelopes(r.Context(), device, have)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	w.Header().Set("Content-Type", syncproto.ContentTypePeers)
	w.Write(syncproto.EncodePeerStream(envs, more))
}
