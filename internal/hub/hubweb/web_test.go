package hubweb

import (
	"bytes"
	"crypto/ed25519"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

func TestWebSignInRequired(t *testing.T) {
	s := hubtest.Open(t)
	ts := newTestServer(t, s)
	if err := s.AddUser(ctx, "tinh", "mat-khau-dai"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "x", "short"); err == nil {
		t.Fatal("a short password was accepted")
	}
	b := hubtest.NewBrowser(t, ts.URL)
	// Every staff page sends a stranger to the sign-in page; POSTs are refused.
	for _, p := range []string{"/", "/conflicts"} {
		code, body := b.Get(p)
		if code != 200 || !strings.Contains(body, `id="login"`) {
			t.Fatalf("GET %s without a session: %d", p, code)
		}
	}
	for _, p := range []string{"/tokens", "/devices/revoke", "/upload", "/logout"} {
		if code, _, _ := b.Post(p, url.Values{"post_point": {"600900"}}); code != http.StatusForbidden {
			t.Fatalf("POST %s without a session: %d", p, code)
		}
	}
	// Sign-in without the form's token is refused (login CSRF).
	if code, _, _ := b.Post("/login", url.Values{"username": {"tinh"}, "password": {"mat-khau-dai"}}); code != http.StatusForbidden {
		t.Fatalf("login without CSRF: %d", code)
	}
	code, body := b.Login("tinh", "sai-mat-khau")
	if code != http.StatusUnauthorized || !strings.Contains(body, "Sai tên đăng nhập hoặc mật khẩu") {
		t.Fatalf("wrong password: %d", code)
	}
	code, body = b.Login("tinh", "mat-khau-dai")
	if code != 200 || !strings.Contains(body, "Điểm bưu điện và đồng bộ") {
		t.Fatalf("sign-in: %d\n%s", code, body)
	}
	// The session cookie is HttpOnly and SameSite.
	resp, _ := b.C.Get(ts.URL + "/login")
	resp.Body.Close()
	u, _ := url.Parse(ts.URL)
	var found bool
	for _, c := range b.C.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			found = true
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
	// Check the raw Set-Cookie of a fresh sign-in.
	b2 := hubtest.NewBrowser(t, ts.URL)
	_, page := b2.Get("/login")
	b2.C.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	_, _, r := b2.Post("/login", url.Values{"csrf": {hubtest.CSRFOf(t, page)}, "username": {"tinh"}, "password": {"mat-khau-dai"}})
	sc := strings.Join(r.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(sc, sessionCookie+"=") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
		t.Fatalf("session cookie attributes: %s", sc)
	}
	// Sign out ends the session.
	_, home := b.Get("/")
	b.Post("/logout", url.Values{"csrf": {hubtest.CSRFOf(t, home)}})
	if _, body := b.Get("/"); !strings.Contains(body, `id="login"`) {
		t.Fatal("still signed in after sign-out")
	}
}

func TestWebCSRFAndActions(t *testing.T) {
	s := hubtest.Open(t)
	ts := newTestServer(t, s)
	s.AddUser(ctx, "tinh", "mat-khau-dai")
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	b := hubtest.NewBrowser(t, ts.URL)
	if code, _ := b.Login("tinh", "mat-khau-dai"); code != 200 {
		t.Fatal("sign-in failed")
	}
	_, home := b.Get("/")
	csrf := hubtest.CSRFOf(t, home)
	if !strings.Contains(home, `id="dev-600900-A"`) || !strings.Contains(home, `id="pp-600900"`) {
		t.Fatal("the post point and its device are not on the page")
	}
	// A POST without or with a wrong token does nothing.
	for _, tok := range []string{"", "00" + csrf[2:]} {
		code, _, _ := b.Post("/devices/revoke", url.Values{"csrf": {tok}, "device": {d.ID}, "confirm": {"yes"}})
		if code != http.StatusForbidden {
			t.Fatalf("revoke with CSRF %q: %d", tok, code)
		}
	}
	if dev, _ := s.Device(ctx, d.ID); dev.Revoked() {
		t.Fatal("revoked without a valid CSRF token")
	}
	// Issue a token.
	code, body, _ := b.Post("/tokens", url.Values{"csrf": {csrf}, "post_point": {"600901"}, "name": {"máy quầy"}})
	tokRE := regexp.MustCompile(`id="token">([A-Z2-7-]+)<`)
	m := tokRE.FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("token page: %d\n%s", code, body)
	}
	other := hubtest.NewDevice(t, "600901", "A")
	if _, err := s.Enroll(ctx, hubstore.Enrollment{Token: m[1], DeviceID: other.ID, PublicKey: other.Key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatalf("the token from the web page does not enroll: %v", err)
	}
	// A bad post point code is shown, not stored.
	code, body, _ = b.Post("/tokens", url.Values{"csrf": {csrf}, "post_point": {"12"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="error"`) {
		t.Fatalf("bad post point: %d", code)
	}
	// Revoke needs the confirmation box.
	code, _, _ = b.Post("/devices/revoke", url.Values{"csrf": {csrf}, "device": {d.ID}})
	if code != http.StatusBadRequest {
		t.Fatalf("unconfirmed revoke: %d", code)
	}
	code, body, _ = b.Post("/devices/revoke", url.Values{"csrf": {csrf}, "device": {d.ID}, "confirm": {"yes"}, "reason": {"Mất máy"}})
	if code != 200 || !strings.Contains(body, "Đã thu hồi quyền đồng bộ của máy") {
		t.Fatalf("revoke: %d", code)
	}
	if dev, _ := s.Device(ctx, d.ID); !dev.Revoked() {
		t.Fatal("not revoked")
	}
	// English on request, Vietnamese by default.
	if _, body := b.Get("/?lang=en"); !strings.Contains(body, "Post points and sync") {
		t.Fatal("no English page")
	}
	if _, body := b.Get("/conflicts?lang=vi"); !strings.Contains(body, "Không có xung đột nào") ||
		!strings.Contains(body, "Không có hồ sơ nào đang xung đột") {
		t.Fatal("conflicts page")
	}
}

func TestWebUploadBatchFile(t *testing.T) {
	s := hubtest.Open(t)
	ts := newTestServer(t, s)
	s.AddUser(ctx, "tinh", "mat-khau-dai")
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 5; i++ {
		d.Intake()
	}
	b1, _ := syncproto.ParseBatch(d.Batch(t, 1, 3))
	b2, _ := syncproto.ParseBatch(d.Batch(t, 4, 5))
	var file bytes.Buffer
	if err := syncproto.WriteBatchFile(&file, s.AgeRecipient().String(), []*syncproto.Batch{b1, b2}); err != nil {
		t.Fatal(err)
	}
	br := hubtest.NewBrowser(t, ts.URL)
	br.Login("tinh", "mat-khau-dai")
	_, home := br.Get("/")
	upload := func(data []byte) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", hubtest.CSRFOf(t, home))
		fw, _ := mw.CreateFormFile("batch", "600900-A.pdsync")
		fw.Write(data)
		mw.Close()
		resp, err := br.C.Post(ts.URL+"/upload", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := upload(file.Bytes())
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "600900-A-5.pdreply") {
		t.Fatalf("upload: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), reply)
	}
	rc, err := syncproto.ReadReplyFile(bytes.NewReader(reply), d.Age, s.PublicKey(), d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Ack.ThroughSeq != 5 || rc.Ack.LastHash != d.Events[4].Hash {
		t.Fatalf("reply ack: %+v", rc.Ack)
	}
	if n := hubtest.CountRows(t, s, "hub_events"); n != 5 {
		t.Fatalf("%d events", n)
	}
	// A tampered file is refused whole, with a message on the page.
	bad := append([]byte(nil), file.Bytes()...)
	bad[len(bad)-20] ^= 1
	resp = upload(bad)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "Tệp bị hỏng hoặc không đầy đủ") {
		t.Fatalf("tampered upload: %d\n%s", resp.StatusCode, page)
	}
}

func TestExtraPage(t *testing.T) {
	page := ExtraPage{Path: "/test-report", TitleKey: "hub.web.nav.home", Handler: func(w http.ResponseWriter, r *http.Request, p *Page) {
		p.Render(w, "hub.web.nav.home", template.HTML(`<p id="report">`+template.HTMLEscapeString(p.User)+` `+r.Method+`</p>`))
	}}
	s := hubtest.Open(t)
	ts := httptest.NewServer(NewServer(s, Options{Name: "Gia Lai", Pages: []ExtraPage{page}}))
	t.Cleanup(ts.Close)
	s.AddUser(ctx, "tinh", "mat-khau-dai")
	b := hubtest.NewBrowser(t, ts.URL)
	if _, body := b.Get("/test-report"); !strings.Contains(body, `id="login"`) {
		t.Fatal("a registered page is open without sign-in")
	}
	b.Login("tinh", "mat-khau-dai")
	_, body := b.Get("/test-report")
	if !strings.Contains(body, `<p id="report">tinh GET</p>`) || !strings.Contains(body, `href="/test-report"`) {
		t.Fatalf("registered page:\n%s", body)
	}
	if code, _, _ := b.Post("/test-report", url.Values{}); code != http.StatusForbidden {
		t.Fatal("a POST to a registered page without CSRF went through")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a page at a taken path did not panic")
		}
	}()
	NewServer(s, Options{Pages: []ExtraPage{{Path: "/upload", TitleKey: "x"}}})
}
