package hubweb

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// proxied is a browser whose requests come through a reverse proxy that
// names the client in X-Forwarded-For.
type proxied struct {
	*hubtest.Browser
	xff string
}

type xffTransport struct{ xff string }

func (x xffTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", x.xff)
	return http.DefaultTransport.RoundTrip(r)
}

func newProxied(t *testing.T, base, xff string) *proxied {
	jar, _ := cookiejar.New(nil)
	return &proxied{Browser: &hubtest.Browser{T: t, Base: base, C: &http.Client{Jar: jar, Transport: xffTransport{xff}}}, xff: xff}
}

func trustLoopback(t *testing.T) []netip.Prefix {
	p, err := ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signInMessage is the error shown on the sign-in page, or "" on success.
func signInMessage(t *testing.T, b *hubtest.Browser, user, pass string) (int, string) {
	code, body := b.Login(user, pass)
	i := strings.Index(body, `class="error"`)
	if i < 0 {
		return code, ""
	}
	msg := body[i:]
	msg = msg[strings.Index(msg, ">")+1:]
	return code, msg[:strings.Index(msg, "<")]
}

// Behind a reverse proxy every request comes from the proxy's address:
// throttling by that address locked every user out. With the proxy
// trusted, each client (X-Forwarded-For) is throttled on its own.
func TestSignInThrottlePerClientBehindProxy(t *testing.T) {
	s := hubtest.Open(t)
	ts := httptest.NewServer(NewServer(s, Options{TrustedProxies: trustLoopback(t)}))
	t.Cleanup(ts.Close)
	if err := s.AddUser(ctx, "tinh", "mat-khau-dai"); err != nil {
		t.Fatal(err)
	}
	attacker := newProxied(t, ts.URL, "203.0.113.5")
	throttled := false
	for i := 0; i < clientFailures+2; i++ {
		// many names, so the per-account limit is not what stops it
		_, msg := signInMessage(t, attacker.Browser, fmt.Sprintf("ten%02d", i), "sai-mat-khau")
		if strings.Contains(msg, "quá nhiều") {
			throttled = true
			if i < clientFailures {
				t.Fatalf("throttled after %d failures, the limit is %d", i, clientFailures)
			}
		}
	}
	if !throttled {
		t.Fatalf("a client that failed %d times was never throttled", clientFailures+2)
	}
	clerk := newProxied(t, ts.URL, "198.51.100.7")
	if code, msg := signInMessage(t, clerk.Browser, "tinh", "mat-khau-dai"); msg != "" || code != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d %q, want signed in", code, msg)
	}
	// X-Forwarded-For from an untrusted peer is not believed: rotating it
	// does not escape the throttle.
	s2 := hubtest.Open(t)
	ts2 := httptest.NewServer(NewServer(s2, Options{}))
	t.Cleanup(ts2.Close)
	for i := 0; i < clientFailures; i++ {
		signInMessage(t, newProxied(t, ts2.URL, fmt.Sprintf("192.0.2.%d", i+1)).Browser, fmt.Sprintf("ten%02d", i), "x")
	}
	if _, msg := signInMessage(t, newProxied(t, ts2.URL, "192.0.2.200").Browser, "ai-do", "x"); !strings.Contains(msg, "quá nhiều") {
		t.Fatalf("a forged X-Forwarded-For escaped the throttle: %q", msg)
	}
}

// The per-account limit answers the same for a name that exists and one
// that does not, so the answer tells no names apart.
func TestSignInThrottleSameAnswerForUnknownUser(t *testing.T) {
	s := hubtest.Open(t)
	ts := newTestServer(t, s)
	if err := s.AddUser(ctx, "tinh", "mat-khau-dai"); err != nil {
		t.Fatal(err)
	}
	answers := map[string][]string{}
	for _, user := range []string{"tinh", "khong-co-ai"} {
		b := hubtest.NewBrowser(t, ts.URL)
		for i := 0; i < accountFailures+2; i++ {
			code, msg := signInMessage(t, b, user, "sai-mat-khau")
			answers[user] = append(answers[user], fmt.Sprintf("%d %s", code, msg))
		}
	}
	known, unknown := answers["tinh"], answers["khong-co-ai"]
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("try %d: known user gets %q, unknown user %q", i+1, known[i], unknown[i])
		}
	}
	if last := known[len(known)-1]; !strings.Contains(last, "quá nhiều") {
		t.Errorf("after %d failures the answer is %q, want the throttle", accountFailures+2, last)
	}
}

// Under TLS every answer carries HSTS; over plain HTTP it would mean nothing.
func TestHSTSUnderTLS(t *testing.T) {
	s := hubtest.Open(t)
	ts := httptest.NewTLSServer(NewServer(s, Options{}))
	t.Cleanup(ts.Close)
	resp, err := ts.Client().Get(ts.URL + syncproto.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("Strict-Transport-Security = %q under TLS", got)
	}
	plain := newTestServer(t, s)
	resp, err = http.Get(plain.URL + syncproto.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Fatalf("Strict-Transport-Security = %q over plain HTTP", got)
	}
}

// A flood of junk batches from one client must not push another client's
// real refusal off the web page or out of the log.
func TestRefusalLogKeepsOtherClientsUnderFlood(t *testing.T) {
	s := hubtest.Open(t)
	ts := httptest.NewServer(NewServer(s, Options{TrustedProxies: trustLoopback(t)}))
	t.Cleanup(ts.Close)
	post := func(xff string, body []byte) {
		req, _ := http.NewRequest("POST", ts.URL+syncproto.PathBatches, bytes.NewReader(body))
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("a junk batch was accepted: %d", resp.StatusCode)
		}
	}
	dev := hubtest.NewDevice(t, "600900", "A")
	dev.Intake() // never enrolled: unknown_device, a real refusal
	post("198.51.100.7", dev.Batch(t, 1, 1))
	start := time.Now()
	for i := 0; i < 300; i++ {
		post("203.0.113.5", []byte("junk junk junk"))
	}
	flood := time.Since(start)
	shown, err := s.Refusals(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range shown {
		if r.Code == syncproto.CodeUnknown && r.Client == "198.51.100.7" {
			found = true
		}
	}
	if !found {
		t.Fatalf("after a flood of 300 junk requests the page's refusals lost the real one: %+v", shown)
	}
	var kept int
	if err := hubtest.DB(t, s).QueryRow("SELECT count(*) FROM refusals WHERE client = '203.0.113.5'").Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept > hubstore.RefusalsPerClient {
		t.Fatalf("%d refusals kept for the flooding client, the bound is %d", kept, hubstore.RefusalsPerClient)
	}
	var last string
	if err := hubtest.DB(t, s).QueryRow("SELECT message FROM refusals WHERE client = '203.0.113.5' ORDER BY id DESC LIMIT 1").Scan(&last); err != nil {
		t.Fatal(err)
	}
	t.Logf("300 junk requests in %v; %d rows kept for the flooding client", flood.Round(time.Millisecond), kept)
}

// A client may have only PerClientBodies bodies being read at once; the
// next one waits (without its body being read) and then gets 503 busy.
func TestBodiesPerClientBounded(t *testing.T) {
	s := hubtest.Open(t)
	ts := httptest.NewServer(NewServer(s, Options{PerClientBodies: 1, BodyWait: 300 * time.Millisecond}))
	t.Cleanup(ts.Close)
	// one slow body: the headers and half of it, then nothing
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", syncproto.PathBatches,
		syncproto.ContentTypeBatch, 1<<20)
	c.Write(make([]byte, 512<<10))
	time.Sleep(100 * time.Millisecond) // the hub admitted it and is reading
	start := time.Now()
	resp, err := http.Post(ts.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader([]byte("PDSB")))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"busy"`) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second body of the same client: %d %s", resp.StatusCode, body)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Fatalf("refused after %v, without waiting for a slot", waited)
	}
	// A declared length over the endpoint's limit is refused before reading.
	req, _ := http.NewRequest("POST", ts.URL+syncproto.PathEnroll, strings.NewReader("{}"))
	req.ContentLength = 65<<10 + 1
	req.Body = io.NopCloser(io.MultiReader(strings.NewReader("{}"), bytes.NewReader(make([]byte, 65<<10))))
	resp, err = http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("an enrollment of 65 KiB: %d, want 413", resp.StatusCode)
		}
	}
}
