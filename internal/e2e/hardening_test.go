package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"

	"postdesk/internal/hub/hubtest"
)

// procKiB reads a field (VmRSS, VmHWM) of /proc/PID/status in KiB.
func procKiB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// floodConns, floodFor: the slow-body flood. Before the hub bounded its
// bodies, 300 almost-complete 4 MiB bodies took it past 1.2 GB.
const (
	floodConns = 300
	floodFor   = 4 * time.Second
	// floodRSSLimit is the bound asserted on the hub's peak RSS under the
	// flood: the body budget (64 MiB) twice over (the garbage collector's
	// headroom) plus the process itself (~30 MiB), with room.
	floodRSSLimit = 224 << 10 // KiB
)

// TestSlowBodyFloodKeepsHubMemoryBounded: a real `hub serve` on
// 127.0.0.1; floodConns connections from 100 client addresses each announce a 4 MiB batch, send all
// of it but the last KiB as fast as the hub takes it, then hold the
// connection. Nobody signs in or enrolls. The hub's peak RSS (VmHWM, read
// from /proc) must stay under floodRSSLimit, the hub must answer health
// checks during the flood and take a real device's sync after it.
func TestSlowBodyFloodKeepsHubMemoryBounded(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	pid := h.cmd.Process.Pid
	base, err := procKiB(pid, "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), floodFor)
	defer cancel()
	const size = syncproto.MaxEnvelopeBytes - 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, refusedEarly := int64(0), 0
	chunk := make([]byte, 64<<10)
	for i := 0; i < floodConns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// From 100 loopback addresses (Linux routes all of 127/8 to lo),
			// so the hub's budget for all clients is reached, not only the
			// per-client limit.
			d := net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+i%100))}}
			c, err := d.Dial("tcp", h.addr)
			if err != nil {
				return
			}
			defer c.Close()
			go func() { <-ctx.Done(); c.Close() }()
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
				syncproto.PathBatches, h.addr, syncproto.ContentTypeBatch, size)
			left := int64(size - 1024)
			for left > 0 && ctx.Err() == nil {
				n := min(left, int64(len(chunk)))
				w, err := c.Write(chunk[:n])
				mu.Lock()
				sent += int64(w)
				mu.Unlock()
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						refusedEarly++
						mu.Unlock()
					}
					return
				}
				left -= n
			}
			<-ctx.Done() // hold the connection with the body almost complete
		}(i)
	}
	// During the flood: health answers, and the peak RSS is sampled.
	var peak int64
	healthOK := 0
	client := &http.Client{Timeout: 2 * time.Second}
	for ctx.Err() == nil {
		if rss, err := procKiB(pid, "VmRSS"); err == nil {
			peak = max(peak, rss)
		}
		if resp, err := client.Get(h.URL + syncproto.PathHealth); err == nil {
			if resp.StatusCode == http.StatusOK {
				healthOK++
			}
			resp.Body.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	hwm, err := procKiB(pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	peak = max(peak, hwm)
	t.Logf("flood: %d connections for %v, %.0f MB sent by the clients (%d cut by the hub early); hub RSS %d MiB before, peak %d MiB; %d health answers during it",
		floodConns, floodFor, float64(sent)/1e6, refusedEarly, base>>10, peak>>10, healthOK)
	if peak > floodRSSLimit {
		t.Fatalf("the hub's peak RSS under the flood is %d MiB, the bound is %d MiB", peak>>10, floodRSSLimit>>10)
	}
	if healthOK == 0 {
		t.Fatalf("the hub answered no health check during the flood:\n%s", h.Log())
	}
	// After the flood: a real device enrolls and syncs everything.
	d := newDevice(t, dir, "600930", "A", 30, 31)
	d.enroll(h, h.URL)
	d.syncUntilQuiet()
	assertExactlyOnce(t, hubPath, d)
}

// TestHubMaxConns: with --max-conns 8, eight idle connections hold every
// slot: a ninth request waits until one is closed, then is answered.
func TestHubMaxConns(t *testing.T) {
	dir := t.TempDir()
	h := &hubProc{t: t, db: filepath.Join(dir, "HUB.db")}
	h.startArgs("127.0.0.1:0", "--max-conns", "8")
	t.Cleanup(h.kill)
	var conns []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", syncproto.PathHealth)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		resp.Body.Close() // the connection stays open (keep-alive)
	}
	client := &http.Client{Timeout: 700 * time.Millisecond}
	if resp, err := client.Get(h.URL + syncproto.PathHealth); err == nil {
		resp.Body.Close()
		t.Fatal("a ninth connection was served while eight held every slot")
	}
	conns[0].Close()
	client.Timeout = 10 * time.Second
	resp, err := client.Get(h.URL + syncproto.PathHealth)
	if err != nil {
		t.Fatalf("after a slot was freed: %v", err)
	}
	resp.Body.Close()
	for _, c := range conns[1:] {
		c.Close()
	}
}

// importEvents × 700 KiB payloads make a batch file of about 145 MB; before
// the import streamed, `hub import` held it decrypted and decoded (several
// times its size).
const (
	importEvents       = 200
	importPayloadBytes = 700 << 10
	importRSSLimit     = 120 << 10 // KiB
)

// TestHubImportStreamsBigFile: `hub import` of a batch file far larger
// than the memory it may use: the process's peak RSS (VmHWM, polled from
// /proc while it runs) stays under importRSSLimit, and every event is stored.
func TestHubImportStreamsBigFile(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	const pp, device = "600940", "600940-A"
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	devAge, _ := age.GenerateX25519Identity()
	tok := strings.TrimSpace(mustPD(t, "hub", "token", "--db", hubPath, "--post-point", pp))
	req := syncproto.NewEnrollRequest(key, tok, device, pp, devAge.Recipient().String())
	body, _ := json.Marshal(req)
	resp, err := http.Post(h.URL+syncproto.PathEnroll, syncproto.ContentTypeJSON, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var enr syncproto.EnrollResponse
	json.NewDecoder(resp.Body).Decode(&enr)
	resp.Body.Close()
	if resp.StatusCode != 200 || enr.HubAgeRecipient == "" {
		t.Fatalf("enroll: %d", resp.StatusCode)
	}
	h.kill()

	// The events: big notes, chained and signed as a device would.
	// One random payload for all (the chain still makes every event
	// unique; gzip's 32 KiB window cannot share it between events). Not
	// JSON, so it travels as payload_b64: the quickest to make.
	gen := time.Now()
	p := make([]byte, importPayloadBytes)
	mrand.NewChaCha8([32]byte{7}).Read(p)
	var events []domain.Event
	prev := ""
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for i := 1; i <= importEvents; i++ {
		e := domain.Event{DeviceID: device, Seq: int64(i), Kind: domain.KindSettingsChanged, Staff: "truong", At: at.Add(time.Duration(i) * time.Second), Payload: p}
		e.Seal(prev)
		prev = e.Hash
		events = append(events, e)
	}
	var batches []*syncproto.Batch
	for i := 0; i < len(events); i += 4 {
		batches = append(batches, fastBatch(t, key, pp, events[i:min(i+4, len(events))]))
	}
	file := filepath.Join(dir, "big.pdsync")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := syncproto.WriteBatchFile(f, enr.HubAgeRecipient, batches); err != nil {
		t.Fatal(err)
	}
	f.Close()
	batches, events = nil, nil
	st, _ := os.Stat(file)
	t.Logf("batch file made in %v", time.Since(gen).Round(time.Millisecond))

	cmd := exec.Command(bin, "hub", "import", "--db", hubPath, file, "--reply", filepath.Join(dir, "big.pdreply"))
	cmd.Env = childEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("hub import: %v\n%s", err, quietStderr(errb.String()))
			}
			break wait
		case <-tick.C:
			if v, err := procKiB(cmd.Process.Pid, "VmHWM"); err == nil {
				peak = max(peak, v)
			}
		case <-time.After(3 * time.Minute):
			cmd.Process.Kill()
			t.Fatal("hub import did not finish in 3 minutes")
		}
	}
	took := time.Since(start)
	if !strings.Contains(out.String(), fmt.Sprintf("stored through seq %d", importEvents)) {
		t.Fatalf("hub import: %s", out.String())
	}
	t.Logf("hub import of a %.0f MB file (%d events): peak RSS %d MiB, %v", float64(st.Size())/1e6, importEvents, peak>>10, took.Round(time.Millisecond))
	if peak == 0 {
		t.Fatal("the import's RSS was never read")
	}
	if peak > importRSSLimit {
		t.Fatalf("hub import of a %.0f MB file peaked at %d MiB RSS, the bound is %d MiB", float64(st.Size())/1e6, peak>>10, importRSSLimit>>10)
	}
	db := hubDB(t, hubPath)
	if n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", device); n != importEvents {
		t.Fatalf("%d events stored, want %d", n, importEvents)
	}

}

// fastBatch builds a signed envelope like syncproto.EncodeBatch, but with
// Huffman-only gzip: the test's random payloads would spend most of the
// test in level-5 match searching. The hub reads any gzip.
func fastBatch(t *testing.T, key ed25519.PrivateKey, pp string, events []domain.Event) *syncproto.Batch {
	t.Helper()
	var body bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&body, gzip.HuffmanOnly)
	enc := json.NewEncoder(zw)
	for _, e := range events {
		if err := enc.Encode(syncproto.WireEvent{Seq: e.Seq, Kind: string(e.Kind), Staff: e.Staff,
			At: e.At.UTC().Format(domain.TimeLayout), PayloadB64: base64.StdEncoding.EncodeToString(e.Payload), Hash: e.Hash}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	first, last := events[0], events[len(events)-1]
	sum := sha256.Sum256(body.Bytes())
	h := syncproto.Header{Format: syncproto.Format, BatchID: syncproto.BatchID(first.DeviceID, first.Seq, last.Seq, first.PrevHash, last.Hash),
		Device: first.DeviceID, PostPoint: pp, FirstSeq: first.Seq, LastSeq: last.Seq, Count: len(events), PrevHash: first.PrevHash,
		LastHash: last.Hash, CreatedAt: last.At, BodySHA256: hex.EncodeToString(sum[:])}
	hb, _ := json.Marshal(h)
	env := append([]byte("PDSB\x01"), binary.BigEndian.AppendUint32(nil, uint32(len(hb)))...)
	env = append(env, hb...)
	env = binary.BigEndian.AppendUint32(env, uint32(body.Len()))
	env = append(env, body.Bytes()...)
	env = append(env, ed25519.Sign(key, env)...)
	b, err := syncproto.ParseBatch(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
