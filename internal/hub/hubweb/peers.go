package hubweb

import (
	"errors"
	"net/http"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

// peers answers GET /v1/peers (hubstore.Store.PeerEnvelopes).
func (srv *Server) peers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	device := syncproto.RequestDevice(r)
	if device == "" || q.Get("device") != device {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnauthorized, "the request must be signed by the device it asks for"))
		return
	}
	dev, err := srv.store.Device(r.Context(), device)
	if errors.Is(err, hubstore.ErrNotFound) {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", device))
		return
	} else if err != nil {
		writeRefusal(w, err)
		return
	}
	if err := syncproto.VerifyRequest(r, nil, dev.PublicKey, srv.store.Now(), syncproto.DefaultSkew); err != nil {
		srv.store.NoteRefusal(r.Context(), device, err)
		writeRefusal(w, err)
		return
	}
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
