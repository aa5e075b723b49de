package hubweb

import (
	"errors"
	"net/http"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

// proofs takes one part of a device's delivery proof, still encrypted
// (docs/sync-protocol.md §12), and answers a signed proof_ack.
func (srv *Server) proofs(w http.ResponseWriter, r *http.Request) {
	p, err := syncproto.ParseProofPart(r.URL.Query())
	if err != nil {
		writeRefusal(w, err)
		return
	}
	device := syncproto.RequestDevice(r)
	if device == "" || p.Device != device {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnauthorized, "the request must be signed by the device it names"))
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
	body, ok := srv.readBody(w, r, syncproto.ProofPartSize)
	if !ok {
		return
	}
	if err := syncproto.VerifyRequest(r, body, dev.PublicKey, srv.store.Now(), syncproto.DefaultSkew); err != nil {
		srv.store.NoteRefusal(r.Context(), device, err)
		writeRefusal(w, err)
		return
	}
	received, complete, err := srv.store.PutProofPart(r.Context(), p, body)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	signed, err := syncproto.SignProofAck(srv.store.SigningKey(), syncproto.ProofAck{Device: device, Name: p.Name,
		SHA256: p.SHA256, Received: received, Complete: complete, HubTime: srv.store.Now()})
	if err != nil {
		writeRefusal(w, err)
		return
	}
	w.Header().Set("Content-Type", syncproto.ContentTypeJSON)
	w.Write(signed.Marshal())
}
