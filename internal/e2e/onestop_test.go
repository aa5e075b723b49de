package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"postdesk/internal/calendar"
	"postdesk/internal/catalog"
	"postdesk/internal/desk"
	"postdesk/internal/domain"

	"postdesk/internal/hub/hubtest"
)

// deviceCatalog is what `postdesk status --json` says of the catalog.
type deviceCatalog struct {
	Version    int `json:"version"`
	HubVersion int `json:"hub_version"`
	Communes   int `json:"communes"`
}

func (d *device) catalog() deviceCatalog {
	d.t.Helper()
	var st struct {
		Catalog deviceCatalog `json:"catalog"`
	}
	out := mustPD(d.t, "status", "--db", d.db, "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		d.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st.Catalog
}

// intakeOf takes a dossier of procedure code at the counter through the
// desk, as the intake screen does.
func (d *device) intakeOf(code string) error {
	d.t.Helper()
	s := d.open()
	defer s.Close()
	ctx := context.Background()
	p, err := s.Procedure(ctx, code)
	if err != nil {
		d.t.Fatal(err)
	}
	in := domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: p.Code, AgencyCode: p.AgencyCode,
		Applicant: domain.Person{FullName: "Siu Thị Hằng", IDNumber: "064190000999", IDType: domain.IDCCCD, Phone: "0912345678",
			Commune: "Ia O", Address: "Làng Dơ Nâu"},
		Place: domain.PlaceCounter, Postage: 15000, FeePayment: domain.PayNow, ReturnMethod: domain.ReturnByPost,
		ReturnAddress: "Làng Dơ Nâu, Ia O"}
	for _, doc := range domain.IntakeDocuments(p) {
		doc.Received = true
		in.Documents = append(in.Documents, doc)
	}
	_, err = desk.New(s).Intake(ctx, desk.Actor{Username: "gdv1", Role: domain.RoleClerk}, in, desk.AsTyped)
	return err
}

// tamperProxy passes requests to the hub and, while on, changes one byte
// of meaning inside every signed updates answer (keeping its signature).
type tamperProxy struct {
	on  atomic.Bool
	hit atomic.Int32
	srv *httptest.Server
}

func newTamperProxy(t *testing.T, hubURL string) *tamperProxy {
	u, _ := url.Parse(hubURL)
	p := &tamperProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if !p.on.Load() || resp.Request.URL.Path != "/v1/updates" || resp.StatusCode != 200 {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var sg map[string]string
		if json.Unmarshal(body, &sg) == nil && sg["data"] != "" {
			data, _ := base64.StdEncoding.DecodeString(sg["data"])
			if changed := bytes.Replace(data, []byte(`"bcci_intake":true`), []byte(`"bcci_intake":false`), 1); !bytes.Equal(changed, data) {
				sg["data"] = base64.StdEncoding.EncodeToString(changed)
				body, _ = json.Marshal(sg)
				p.hit.Add(1)
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	p.srv = httptest.NewServer(rp)
	t.Cleanup(p.srv.Close)
	return p
}

// TestProvinceCatalogFlowsDown: `hub catalog import` at the hub reaches two
// devices over the network and one by USB files, with the hub's calendar
// file; each records the province catalog version; a procedure the
// province closed for BCCI is refused at the counter from that sync on; a
// catalog update tampered with on the way is refused whole.
func TestProvinceCatalogFlowsDown(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	proxy := newTamperProxy(t, h.URL)
	a := newDevice(t, dir, "600930", "A", 20, 31)
	b := newDevice(t, dir, "600931", "A", 20, 32)
	c := newDevice(t, dir, "600932", "A", 20, 33)
	a.enroll(h, proxy.srv.URL) // A's line runs through the proxy
	b.enroll(h, h.URL)
	c.enroll(h, h.URL) // from here on C has only a USB stick
	for _, d := range []*device{a, b} {
		d.syncUntilQuiet()
	}

	// The province catalog: the shipped one with one procedure closed for BCCI intake.
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	closed := ""
	for i, p := range f.Procedures {
		if p.BCCIIntake && p.AgencyCode != "" {
			closed = p.Code
			f.Procedures[i].BCCIIntake = false
			break
		}
	}
	if err := a.intakeOf(closed); err != nil {
		t.Fatalf("before the push, %s is open: %v", closed, err)
	}
	write := func(name string, fn func(w io.Writer) error) string {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, buf.Bytes(), 0o600)
		return path
	}
	procs := write("thutuc.csv", func(w io.Writer) error { return catalog.WriteProceduresCSV(w, f.Procedures) })
	agencies := write("coquan.csv", func(w io.Writer) error { return catalog.WriteAgenciesCSV(w, f.Agencies) })
	y2027 := calendar.Format(&calendar.YearFile{Year: 2027, Source: "Quyết định của tỉnh (thử)", Tet: calendar.UsualTet(2027),
		NationalDay: calendar.UsualNationalDayNeighbour(2027)})
	os.WriteFile(filepath.Join(dir, "2027.txt"), y2027, 0o600)
	mustPD(t, "hub", "calendar", "install", "--db", hubPath, filepath.Join(dir, "2027.txt"))
	communes := filepath.Join(dir, "xa-phuong.csv")
	os.WriteFile(communes, []byte("name,type,province,note\nIa Hrú,xã,Gia Lai,\nThống Nhất,phường,Gia Lai,sáp nhập 2025\n"), 0o600)
	out := mustPD(t, "hub", "catalog", "import", "--db", hubPath, "--staff", "so-tttt", "--communes", communes, procs, agencies)
	if !strings.Contains(out, "province catalog version 1:") || !strings.Contains(out, "1 calendar files") || !strings.Contains(out, "2 communes") {
		t.Fatalf("hub catalog import: %s", out)
	}
	if out := mustPD(t, "hub", "catalog", "import", "--db", hubPath, procs, agencies); !strings.Contains(out, "nothing sent") {
		t.Fatalf("the same catalog again: %s", out)
	}

	// Two devices over the network.
	for _, d := range []*device{a, b} {
		mustPD(t, "sync", "--db", d.db)
		if cat := d.catalog(); cat.HubVersion != 1 || cat.Communes != 2 {
			t.Fatalf("%s: catalog %+v after its sync", d.id, cat)
		}
		if got, err := os.ReadFile(filepath.Join(filepath.Dir(d.db), "calendar", "2027.txt")); err != nil || !bytes.Equal(got, y2027) {
			t.Fatalf("%s: calendar 2027 not installed: %v", d.id, err)
		}
		err := d.intakeOf(closed)
		var errs domain.Errors
		if !errors.As(err, &errs) || errs[0].Key != "err.intake.procedure_closed" {
			t.Fatalf("%s: intake of the closed %s: %v", d.id, closed, err)
		}
	}
	if out := mustPD(t, "status", "--db", b.db); !strings.Contains(out, "province catalog version 1 from the hub") || !strings.Contains(out, "the province's list of 2 from the hub") {
		t.Fatalf("status: %s", out)
	}

	// One by USB.
	file := func(name string) string { return filepath.Join(dir, name) }
	mustPD(t, "batch", "export", "--db", c.db, "--out", file("c1.pdsync"))
	mustPD(t, "hub", "import", "--db", hubPath, file("c1.pdsync"), "--reply", file("c1.pdreply"))
	mustPD(t, "batch", "import", "--db", c.db, file("c1.pdreply"))
	if cat := c.catalog(); cat.HubVersion != 1 || cat.Communes != 2 {
		t.Fatalf("USB device: catalog %+v", cat)
	}
	if err := c.intakeOf(closed); err == nil {
		t.Fatalf("USB device took the closed %s", closed)
	}

	// Version 2 reopens it; on A's line someone closes it again inside the
	// signed answer: refused whole, A keeps version 1.
	for i := range f.Procedures {
		if f.Procedures[i].Code == closed {
			f.Procedures[i].BCCIIntake = true
		}
	}
	procs = write("thutuc-2.csv", func(w io.Writer) error { return catalog.WriteProceduresCSV(w, f.Procedures) })
	os.WriteFile(communes, []byte("name,type,province,note\nIa Hrú,xã,Gia Lai,\nThống Nhất,phường,Gia Lai,\nIa Băng,xã,Gia Lai,\n"), 0o600)
	mustPD(t, "hub", "catalog", "import", "--db", hubPath, "--communes", communes, procs, agencies)
	proxy.on.Store(true)
	if _, err := pd(t, "sync", "--db", a.db); err == nil {
		t.Fatal("a sync with a tampered catalog update succeeded")
	}
	if proxy.hit.Load() == 0 {
		t.Fatal("the proxy tampered with nothing")
	}
	if cat := a.catalog(); cat.HubVersion != 1 || cat.Communes != 2 {
		t.Fatalf("a tampered update changed the catalog: %+v", cat)
	}
	if err := a.intakeOf(closed); err == nil {
		t.Fatal("a tampered update reopened the procedure")
	}
	proxy.on.Store(false)
	mustPD(t, "sync", "--db", a.db)
	if cat := a.catalog(); cat.HubVersion != 2 || cat.Communes != 3 {
		t.Fatalf("after an honest sync: %+v", cat)
	}
	if err := a.intakeOf(closed); err != nil {
		t.Fatalf("version 2 reopened %s: %v", closed, err)
	}
	for _, d := range []*device{a, b} {
		d.check()
	}
}

// oneStop plays the province's one-stop system: it polls the hub's feed
// with its cursor and posts outcomes in its own codes.
type oneStop struct {
	t      *testing.T
	hubURL string
	token  string
	cursor int64
	seen   map[int64]bool
	latest map[string]map[string]any // by SoBienNhan
}

func (o *oneStop) poll() int {
	o.t.Helper()
	n := 0
	for i := 0; i < 1000; i++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/onestop/dossiers?after=%d&limit=1000", o.hubURL, o.cursor), nil)
		req.Header.Set("Authorization", "Bearer "+o.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			o.t.Fatal(err)
		}
		var page struct {
			Next  int64            `json:"next"`
			More  bool             `json:"more"`
			Items []map[string]any `json:"items"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			o.t.Fatalf("feed: %d %v", resp.StatusCode, err)
		}
		for _, it := range page.Items {
			seq := int64(it["Seq"].(float64))
			if o.seen[seq] || seq <= o.cursor {
				o.t.Fatalf("change %d seen twice", seq)
			}
			o.seen[seq] = true
			o.latest[it["SoBienNhan"].(string)] = it
			n++
		}
		o.cursor = page.Next
		if !page.More {
			return n
		}
	}
	o.t.Fatal("the feed never ended")
	return n
}

func (o *oneStop) post(items []map[string]any) {
	o.t.Helper()
	body, _ := json.Marshal(map[string]any{"outcomes": items})
	req, _ := http.NewRequest("POST", o.hubURL+"/v1/outcomes", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		o.t.Fatalf("outcomes refused: %d %s", resp.StatusCode, answer)
	}
}

func status(it map[string]any) int {
	if v, ok := it["TrangThaiHoSo"].(float64); ok {
		return int(v)
	}
	return 0
}

// TestOneStopSystemAgainstHub: a one-stop system against a real `hub
// serve` on 127.0.0.1 polls the feed, posts outcomes in its own codes
// (TrangThaiHoSo 4 with MaHoSo and NgayHenTra, 3 with LyDo, 5 with
// GiayToBoSung); the devices show them after their next sync, the feed then
// carries the new statuses, and `hub export dossiers` gives TrangThaiHoSo,
// KenhThucHien and HinhThucTra for every dossier.
func TestOneStopSystemAgainstHub(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	devs := []*device{newDevice(t, dir, "600940", "A", 40, 41), newDevice(t, dir, "600941", "A", 40, 42)}
	for _, d := range devs {
		d.enroll(h, h.URL)
		d.work(5) // handed over to the agency today
		d.syncUntilQuiet()
	}
	db := hubDB(t, hubPath)
	waitProjected(t, db)
	tok := strings.TrimSpace(mustPD(t, "hub", "api-token", "--db", hubPath, "--name", "motcua"))
	os1 := &oneStop{t: t, hubURL: h.URL, token: tok, seen: map[int64]bool{}, latest: map[string]map[string]any{}}
	os1.poll()
	total := queryInt(t, db, "SELECT count(*) FROM hub_dossiers")
	if int64(len(os1.latest)) != total {
		t.Fatalf("the feed named %d dossiers, the hub holds %d", len(os1.latest), total)
	}
	// The agency's answers for dossiers it holds (status 1), in its codes.
	type want struct {
		dev   *device
		state domain.State
	}
	wants := map[string]want{}
	var items []map[string]any
	due := time.Now().In(domain.Zone).AddDate(0, 0, 20)
	n := 0
	for _, it := range os1.latest {
		if status(it) != 1 {
			continue
		}
		id := it["SoBienNhan"].(string)
		var dev *device
		for _, d := range devs {
			if strings.HasPrefix(id, d.pp) {
				dev = d
			}
		}
		switch n % 3 {
		case 0:
			items = append(items, map[string]any{"SoBienNhan": id, "TrangThaiHoSo": 4,
				"MaHoSo": fmt.Sprintf("%s-%s-%04d", it["MaCoQuan"], due.Format("060102"), 900+n), "NgayHenTra": domain.PortalTime(due)})
			wants[id] = want{dev, domain.StateAccepted}
		case 1:
			items = append(items, map[string]any{"SoBienNhan": id, "TrangThaiHoSo": 3, "LyDo": "Hồ sơ không đủ điều kiện"})
			wants[id] = want{dev, domain.StateRejected}
		case 2:
			items = append(items, map[string]any{"SoBienNhan": id, "TrangThaiHoSo": "5", "GiayToBoSung": "Bản sao giấy khai sinh"})
			wants[id] = want{dev, domain.StateSupplementRequested}
		}
		n++
		if n == 9 {
			break
		}
	}
	if n < 3 {
		t.Fatalf("only %d dossiers at an agency in the seed", n)
	}
	os1.post(items)
	os1.post(items) // the same answers again: nothing more
	for _, d := range devs {
		mustPD(t, "sync", "--db", d.db)
	}
	for id, w := range wants {
		if got := w.dev.dossier(id); got.State != w.state {
			t.Errorf("%s on %s: %s, want %s", id, w.dev.id, got.State, w.state)
		}
	}
	// The devices' events come back up; the feed carries them once each.
	for _, d := range devs {
		d.syncUntilQuiet()
	}
	waitProjected(t, db)
	if got := os1.poll(); got != len(wants) {
		t.Errorf("the feed carried %d new changes, %d outcomes were recorded", got, len(wants))
	}
	for id, w := range wants {
		if s := status(os1.latest[id]); s != int(domain.PortalStatusOf(w.state).Status) {
			t.Errorf("%s: TrangThaiHoSo %d in the feed, want %d", id, s, domain.PortalStatusOf(w.state).Status)
		}
	}
	if n := os1.poll(); n != 0 {
		t.Errorf("%d changes after the end", n)
	}

	// The export: every dossier with its three codes.
	out := filepath.Join(dir, "hoso.csv")
	mustPD(t, "hub", "export", "dossiers", "--db", hubPath, "--from", "01/01/2020", "--to", "31/12/2030", "--format", "csv", "--out", out)
	data, _ := os.ReadFile(out)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if int64(len(rows)-1) != total {
		t.Fatalf("export: %d rows, %d dossiers", len(rows)-1, total)
	}
	options := map[string]domain.ServiceOption{}
	r, _ := db.Query("SELECT id, option FROM hub_dossiers")
	for r.Next() {
		var id, opt string
		r.Scan(&id, &opt)
		options[id] = domain.ServiceOption(opt)
	}
	r.Close()
	for _, row := range rows[1:] {
		id, opt := row[col["SoBienNhan"]], options[row[col["SoBienNhan"]]]
		if s, err := strconv.Atoi(row[col["TrangThaiHoSo"]]); err != nil || !domain.PortalStatus(s).Valid() {
			t.Errorf("%s: TrangThaiHoSo %q", id, row[col["TrangThaiHoSo"]])
		}
		ch, ret := row[col["KenhThucHien"]], row[col["HinhThucTra"]]
		if opt.Sends() != (ch == "3") || !opt.Sends() && ch != "" {
			t.Errorf("%s (%s): KenhThucHien %q", id, opt, ch)
		}
		if opt.Returns() != (ret == "1") || !opt.Returns() && ret != "" {
			t.Errorf("%s (%s): HinhThucTra %q", id, opt, ret)
		}
	}
}
