// Package hubweb is the province hub's HTTP side: the device API (/v1/…:
// enrollment, batches, updates), the outcome API of the province's one-stop
// system, and the staff web page (sign-in, devices, tokens, conflicts,
// batch files; other pages, such as the report, come in Options.Pages),
// with the bounds on what clients can make the hub hold (limits.go) and
// sign-in throttling (throttle.go). It runs no SQL: it calls the store
// (internal/hub/hubstore).
package hubweb

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

// Options configure the hub's HTTP server.
type Options struct {
	Name string      // shown to devices at enrollment and on the web page, e.g. "Gia Lai"
	Log  *log.Logger // nil: no request log
	// MaxUpload is the largest batch file the web page accepts (default 256 MiB).
	MaxUpload int64
	// SecureCookies marks the session cookie Secure (set when serving TLS,
	// or behind a TLS reverse proxy).
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (sign-in throttling, body limits and the refusal log count
	// per client). Empty: the connection's peer is the client.
	TrustedProxies []netip.Prefix
	// MaxConns, BodyBudget, PerClientBodies and BodyWait bound what the
	// clients can make the hub hold (see limits.go); zero: the defaults.
	MaxConns        int
	BodyBudget      int64
	PerClientBodies int
	BodyWait        time.Duration
	// HSTS sends Strict-Transport-Security (set when serving TLS, or behind
	// a TLS reverse proxy).
	HSTS bool
	// Pages are staff pages served beside the hub's own, e.g. the province
	// report (hubreport.Page); a taken or bad path panics in NewServer.
	Pages []ExtraPage
}

// Server is the hub's HTTP handler: the device API (/v1/…), the outcome
// API for the province's one-stop system, and the staff web page.
type Server struct {
	store *hubstore.Store
	opt   Options
	mux   *http.ServeMux
	web   *web
	gate  *bodyGate
	// logins throttles sign-in attempts per account and per client.
	logins *loginThrottle
}

// NewServer builds the handler.
func NewServer(s *hubstore.Store, opt Options) *Server {
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = 256 << 20
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = DefaultMaxConns
	}
	if opt.BodyBudget <= 0 {
		opt.BodyBudget = DefaultBodyBudget
	}
	if opt.PerClientBodies <= 0 {
		opt.PerClientBodies = DefaultPerClientBodies
	}
	if opt.BodyWait <= 0 {
		opt.BodyWait = DefaultBodyWait
	}
	opt.Pages = checkPages(opt.Pages)
	srv := &Server{store: s, opt: opt, mux: http.NewServeMux(), logins: newLoginThrottle(),
		gate: newBodyGate(opt.BodyBudget, opt.PerClientBodies, opt.BodyWait)}
	srv.mux.HandleFunc("GET "+syncproto.PathHealth, srv.health)
	srv.mux.HandleFunc("POST "+syncproto.PathEnroll, srv.enroll)
	srv.mux.HandleFunc("POST "+syncproto.PathBatches, srv.batches)
	srv.mux.HandleFunc("GET "+syncproto.PathUpdates, srv.updates)
	srv.mux.HandleFunc("GET "+syncproto.PathPeers, srv.peers)
	srv.mux.HandleFunc("PUT "+syncproto.PathProofs, srv.proofs)
	srv.mux.HandleFunc("POST "+PathOutcomes, srv.outcomes)
	srv.mux.HandleFunc("GET "+PathOneStopDossiers, srv.oneStopDossiers)
	srv.mux.HandleFunc("POST "+PathOneStopTotals, srv.oneStopTotals)
	srv.web = newWeb(srv)
	return srv
}

// PathOutcomes is where the province's one-stop system posts agency outcomes.
const PathOutcomes = "/v1/outcomes"

func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if r.TLS != nil || srv.opt.HSTS {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	r = r.WithContext(hubstore.WithClient(r.Context(), srv.clientAddr(r)))
	if srv.opt.Log != nil {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		srv.mux.ServeHTTP(rec, r)
		srv.opt.Log.Printf("%s %s %d %s %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Millisecond), srv.clientAddr(r))
		return
	}
	srv.mux.ServeHTTP(w, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", syncproto.ContentTypeJSON)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeRefusal(w http.ResponseWriter, err error) {
	syncproto.WriteError(w, hubstore.AsRefusal(err))
}

// readBody reads a request body of at most limit bytes, once admitted
// (see admitBody); ok false means the answer was already written.
func (srv *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) (data []byte, ok bool) {
	release := srv.admitBody(w, r, limit, 0)
	if release == nil {
		return nil, false
	}
	defer release()
	data, err := readAll(r.Body, r.ContentLength)
	if err != nil {
		writeRefusal(w, err)
		return nil, false
	}
	return data, true
}

// readAll reads an admitted body; a declared length sizes the buffer once.
func readAll(body io.Reader, declared int64) ([]byte, error) {
	var buf bytes.Buffer
	if declared > 0 {
		buf.Grow(int(declared) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(body)
	data := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, hubstore.Refuse(syncproto.CodeTooLarge, "the request is larger than %d bytes", mbe.Limit)
		}
		return nil, hubstore.Refuse(syncproto.CodeBadRequest, "the request body could not be read whole: %v", err)
	}
	return data, nil
}

func (srv *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, syncproto.Health{OK: true, Format: syncproto.Format, HubTime: srv.store.Now().UTC()})
}

func (srv *Server) enroll(w http.ResponseWriter, r *http.Request) {
	body, ok := srv.readBody(w, r, 64<<10)
	if !ok {
		return
	}
	req, err := syncproto.ParseEnrollRequest(body)
	if err != nil {
		srv.store.NoteRefusal(r.Context(), hubstore.Truncate(req.Device, 20), err)
		writeRefusal(w, err)
		return
	}
	dev, err := srv.store.Enroll(r.Context(), hubstore.Enrollment{Token: req.Token, DeviceID: req.Device, PublicKey: req.PublicKey,
		AgeRecipient: req.AgeRecipient})
	if err != nil {
		srv.store.NoteRefusal(r.Context(), req.Device, err)
		writeRefusal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, syncproto.EnrollResponse{Device: dev.ID, PostPoint: dev.PostPointCode,
		HubSignKey: []byte(srv.store.PublicKey()), HubAgeRecipient: srv.store.AgeRecipient().String(),
		EnrolledAt: dev.EnrolledAt, HubName: srv.opt.Name})
}

func (srv *Server) batches(w http.ResponseWriter, r *http.Request) {
	body, ok := srv.readBody(w, r, syncproto.MaxEnvelopeBytes)
	if !ok {
		return
	}
	res, err := srv.store.ReceiveBatch(r.Context(), body, "http")
	if err != nil {
		if srv.opt.Log != nil && !hubstore.IsRefusal(err) {
			srv.opt.Log.Printf("batch: %v", err)
		}
		writeRefusal(w, err)
		return
	}
	w.Header().Set("Content-Type", syncproto.ContentTypeJSON)
	w.Write(res.Ack)
}

func (srv *Server) updates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dev, ok := srv.signedDevice(w, r)
	if !ok {
		return
	}
	device := dev.ID
	after, err1 := strconv.ParseInt(q.Get("after"), 10, 64)
	limit := 0
	var err2 error
	if l := q.Get("limit"); l != "" {
		limit, err2 = strconv.Atoi(l)
	}
	if err1 != nil || err2 != nil || after < 0 || limit < 0 {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeBadRequest, "after and limit must be whole numbers ≥ 0"))
		return
	}
	ups, err := srv.store.Pull(r.Context(), device, after, limit)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	signed, err := syncproto.SignUpdates(srv.store.SigningKey(), ups)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	w.Header().Set("Content-Type", syncproto.ContentTypeJSON)
	w.Write(signed.Marshal())
}

// OutcomesAnswer is the answer of POST /v1/outcomes.
type OutcomesAnswer struct {
	Rows          int           `json:"rows"`
	Queued        int           `json:"queued"`
	AlreadyQueued int           `json:"already_queued"`
	Unchanged     int           `json:"unchanged"`      // portal rows whose status the dossier already has
	Code          string        `json:"code,omitempty"` // "invalid_rows" when refused
	Message       string        `json:"message,omitempty"`
	Errors        []OutcomeFail `json:"errors,omitempty"`
}

// OutcomeFail is one bad cell of a refused outcome upload.
type OutcomeFail struct {
	Field     string `json:"field"` // "line 3: due_date"
	Message   string `json:"message"`
	MessageVI string `json:"message_vi"`
}

// apiClient checks the request's API token and returns the name it was
// issued to; on false the refusal is written.
func (srv *Server) apiClient(w http.ResponseWriter, r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	name, err := srv.store.APIToken(r.Context(), strings.TrimSpace(tok))
	if !ok || err != nil {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnauthorized, "a valid API token is required (Authorization: Bearer …)"))
		return "", false
	}
	return name, true
}

func (srv *Server) outcomes(w http.ResponseWriter, r *http.Request) {
	name, ok := srv.apiClient(w, r)
	if !ok {
		return
	}
	var err error
	body, ok := srv.readBody(w, r, hubstore.MaxOutcomeFile)
	if !ok {
		return
	}
	var rows []hubstore.Outcome
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		rows, err = hubstore.ParseOutcomesCSV(strings.NewReader(string(body)))
	case strings.HasPrefix(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
		rows, err = hubstore.ParseOutcomesXLSX(strings.NewReader(string(body)))
	case strings.HasPrefix(ct, "application/json"):
		rows, err = hubstore.ParseOutcomesJSON(body)
	default:
		writeRefusal(w, hubstore.Refuse(syncproto.CodeBadRequest, "send application/json, text/csv or an .xlsx workbook"))
		return
	}
	var res hubstore.ImportResult
	if err == nil {
		res, err = srv.store.QueueOutcomes(r.Context(), rows, "api:"+name)
	}
	if err != nil {
		fails, ok := rowFails(err)
		if !ok {
			writeRefusal(w, err)
			return
		}
		writeJSON(w, http.StatusBadRequest, OutcomesAnswer{Rows: len(rows), Code: "invalid_rows",
			Message: "nothing was queued: fix these rows and send the whole set again", Errors: fails})
		return
	}
	writeJSON(w, http.StatusOK, OutcomesAnswer{Rows: res.Rows, Queued: res.Queued, AlreadyQueued: res.AlreadyQueued, Unchanged: res.Unchanged})
}

// rowFails is a refused upload's problems, each in English and Vietnamese;
// ok is false when err is not about the rows (then it is a refusal).
func rowFails(err error) (fails []OutcomeFail, ok bool) {
	var fes domain.Errors
	if !errors.As(err, &fes) {
		return nil, false
	}
	vi, _ := i18n.New("vi")
	en, _ := i18n.New("en")
	for _, fe := range fes {
		fails = append(fails, OutcomeFail{Field: fe.Field, Message: en.Message(fe), MessageVI: vi.Message(fe)})
	}
	return fails, true
}

// Serve runs the hub on addr until ctx ends, then shuts down gracefully:
// requests under way (an ingest in its transaction) finish first.
// certFile and keyFile, when given, serve TLS. ready, when not nil, gets
// the address actually listened on (for ":0").
func Serve(ctx context.Context, s *hubstore.Store, addr, certFile, keyFile string, opt Options, ready func(net.Addr)) error {
	if (certFile == "") != (keyFile == "") {
		return fmt.Errorf("give both --cert and --key, or neither")
	}
	if certFile != "" {
		opt.SecureCookies, opt.HSTS = true, true
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := NewServer(s, opt)
	ln = netutil.LimitListener(ln, srv.opt.MaxConns)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          opt.Log,
	}
	if certFile != "" {
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	logf := log.Printf // projection failures are said even with no request log
	if opt.Log != nil {
		logf = opt.Log.Printf
	}
	s.StartProjector(ctx, logf)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// signedDevice answers a device's signed GET: the device named in the query
// must be the one that signed it, enrolled here, with a valid signature. On
// refusal it has written the answer and returns false.
func (srv *Server) signedDevice(w http.ResponseWriter, r *http.Request) (*hubstore.Device, bool) {
	device := syncproto.RequestDevice(r)
	if device == "" || r.URL.Query().Get("device") != device {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnauthorized, "the request must be signed by the device it asks for"))
		return nil, false
	}
	dev, err := srv.store.Device(r.Context(), device)
	if errors.Is(err, hubstore.ErrNotFound) {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", device))
		return nil, false
	} else if err != nil {
		writeRefusal(w, err)
		return nil, false
	}
	if err := syncproto.VerifyRequest(r, nil, dev.PublicKey, srv.store.Now(), syncproto.DefaultSkew); err != nil {
		srv.store.NoteRefusal(r.Context(), device, err)
		writeRefusal(w, err)
		return nil, false
	}
	return dev, true
}
