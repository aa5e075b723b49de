package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"postdesk/internal/testtool"

	"postdesk/internal/hub/hubtest"
)

// cdp is a minimal Chrome DevTools Protocol client over one websocket.
type cdp struct {
	t       testing.TB
	ws      *websocket.Conn
	next    atomic.Int64
	mu      sync.Mutex
	waiting map[int64]chan cdpReply
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func dialCDP(t testing.TB, url string) *cdp {
	ws, err := websocket.Dial(url, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("devtools websocket: %v", err)
	}
	ws.MaxPayloadBytes = 64 << 20
	c := &cdp{t: t, ws: ws, waiting: map[int64]chan cdpReply{}}
	go c.read()
	t.Cleanup(func() { ws.Close() })
	return c
}

func (c *cdp) read() {
	for {
		var msg struct {
			ID int64 `json:"id"`
			cdpReply
		}
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			return
		}
		if msg.ID == 0 {
			continue // an event
		}
		c.mu.Lock()
		ch := c.waiting[msg.ID]
		delete(c.waiting, msg.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpReply
		}
	}
}

// call sends a command and decodes its result into out (when not nil).
func (c *cdp) call(method string, params any, out any) {
	c.t.Helper()
	id := c.next.Add(1)
	ch := make(chan cdpReply, 1)
	c.mu.Lock()
	c.waiting[id] = ch
	c.mu.Unlock()
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			c.t.Fatalf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				c.t.Fatalf("%s: %v", method, err)
			}
		}
	case <-time.After(30 * time.Second):
		c.t.Fatalf("%s: no answer from the browser", method)
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (c *cdp) eval(expr string) json.RawMessage {
	c.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		c.t.Fatalf("eval %s: %s", expr, r.ExceptionDetails.Text)
	}
	return r.Result.Value
}

// waitFor polls a JavaScript condition until it is true.
func (c *cdp) waitFor(cond string) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var r struct {
			Result struct {
				Value any `json:"value"`
			} `json:"result"`
		}
		c.call("Runtime.evaluate", map[string]any{"expression": "(function(){try{return !!(" + cond + ")}catch(e){return false}})()", "returnByValue": true}, &r)
		if r.Result.Value == true {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("the page never showed %s; it shows:\n%s", cond, c.eval("document.body ? document.body.innerText : ''"))
}

// TestHubWebChromium drives the hub's web page in headless Chromium: sign
// in, see a post point and its device, upload a USB batch file and get the
// reply file, which the device then imports.
func TestHubWebChromium(t *testing.T) {
	chrome := testtool.First(t, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	mustPD(t, "hub", "user", "add", "--db", hubPath, "--username", "tinh", "--password", "mat-khau-tinh-GL")
	d := newDevice(t, dir, "600930", "A", 40, 30)
	d.enroll(h, h.URL)
	d.work(3)
	batch := filepath.Join(dir, "600930A.pdsync")
	mustPD(t, "batch", "export", "--db", d.db, "--out", batch)

	// Start the browser with remote debugging on a free port.
	prof, downloads := filepath.Join(dir, "profile"), filepath.Join(dir, "downloads")
	os.MkdirAll(downloads, 0o700)
	cmd := exec.Command(chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0", "--remote-allow-origins=*",
		"--user-data-dir="+prof, "about:blank")
	cmd.Env = childEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var port, browserPath string
	for i := 0; i < 300 && port == ""; i++ {
		if f, err := os.Open(filepath.Join(prof, "DevToolsActivePort")); err == nil {
			sc := bufio.NewScanner(f)
			if sc.Scan() {
				port = strings.TrimSpace(sc.Text())
			}
			if sc.Scan() {
				browserPath = strings.TrimSpace(sc.Text())
			}
			f.Close()
			if browserPath == "" {
				port = ""
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if port == "" {
		t.Fatal("chromium did not open its debugging port")
	}
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	var targets []struct{ Type, WebSocketDebuggerUrl string }
	json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	var pageWS string
	for _, tg := range targets {
		if tg.Type == "page" {
			pageWS = tg.WebSocketDebuggerUrl
			break
		}
	}
	if pageWS == "" {
		t.Fatalf("no page target: %+v", targets)
	}
	browser := dialCDP(t, "ws://127.0.0.1:"+port+browserPath)
	browser.call("Browser.setDownloadBehavior", map[string]any{"behavior": "allow", "downloadPath": downloads}, nil)
	page := dialCDP(t, pageWS)
	page.call("Page.enable", map[string]any{}, nil)

	// Signed out, the hub shows its sign-in page.
	page.call("Page.navigate", map[string]any{"url": h.URL + "/"}, nil)
	page.waitFor(`location.pathname == "/login" && document.getElementById("login")`)
	// A wrong password first, then the right one.
	page.eval(`document.getElementById("username").value = "tinh"; document.getElementById("password").value = "sai"; document.getElementById("login").submit()`)
	page.waitFor(`document.getElementById("error")`)
	page.eval(`document.getElementById("username").value = "tinh"; document.getElementById("password").value = "mat-khau-tinh-GL"; document.getElementById("login").submit()`)
	page.waitFor(`location.pathname == "/" && document.getElementById("pp-600930")`)
	row := string(page.eval(`document.getElementById("dev-600930-A").innerText`))
	if !strings.Contains(row, "600930-A") || !strings.Contains(string(page.eval(`document.documentElement.lang`)), "vi") {
		t.Fatalf("device row: %s", row)
	}
	// Upload the USB file: set the file input, submit, the reply downloads.
	var obj struct {
		Result struct {
			ObjectID string `json:"objectId"`
		} `json:"result"`
	}
	page.call("Runtime.evaluate", map[string]any{"expression": `document.getElementById("batch")`}, &obj)
	page.call("DOM.setFileInputFiles", map[string]any{"files": []string{batch}, "objectId": obj.Result.ObjectID}, nil)
	page.eval(`document.getElementById("upload-form").submit()`)
	var reply string
	for i := 0; i < 300 && reply == ""; i++ {
		matches, _ := filepath.Glob(filepath.Join(downloads, "*.pdreply"))
		if len(matches) == 1 {
			reply = matches[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	want := fmt.Sprintf("600930-A-%d.pdreply", d.lastSeq())
	if filepath.Base(reply) != want {
		t.Fatalf("downloaded %q, want %s (page: %s)", reply, want, page.eval("document.body.innerText"))
	}
	mustPD(t, "batch", "import", "--db", d.db, reply)
	assertExactlyOnce(t, hubPath, d)
	// The page now shows the events received.
	page.call("Page.navigate", map[string]any{"url": h.URL + "/"}, nil)
	page.waitFor(fmt.Sprintf(`document.getElementById("dev-600930-A").innerText.includes("%d")`, d.lastSeq()))
}
