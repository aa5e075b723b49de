package domain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// declared lists the constants of type typ declared in this package's
// source (not its tests), so a state or kind added anywhere in the domain
// fails TestPortalMappingCoversEverything until the table maps it.
func declared(t *testing.T, typ string) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || id.Name != typ {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s constant %v is not a literal", typ, vs.Names)
					}
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s constants found", typ)
	}
	return out
}

func TestPortalMappingCoversEverything(t *testing.T) {
	states := declared(t, "State")
	if len(states) != len(States) {
		t.Errorf("%d states declared, %d in States", len(states), len(States))
	}
	for _, s := range states {
		m := PortalStatusOf(State(s))
		if m.Status == PortalNone && m.Why == "" || m.Status != PortalNone && m.Why != "" {
			t.Errorf("state %s: %+v: a code or a documented none, not both", s, m)
		}
		if m.Status != PortalNone && !m.Status.Valid() {
			t.Errorf("state %s: code %d is not a portal status", s, m.Status)
		}
		if _, ok := portalStates[State(s)]; !ok {
			t.Errorf("state %s is not in the mapping table", s)
		}
	}
	kinds := declared(t, "Kind")
	for _, k := range kinds {
		if _, ok := portalEvents[Kind(k)]; !ok {
			t.Errorf("event %s is not in the mapping table", k)
			continue
		}
		m := PortalStatusAfter(Kind(k))
		if m.Status == PortalNone && m.Why == "" || m.Status != PortalNone && m.Why != "" {
			t.Errorf("event %s: %+v: a code or a documented none, not both", k, m)
		}
		if IsDossierMove(Kind(k)) {
			if m.Status == PortalNone {
				t.Errorf("move %s maps to no status", k)
			}
			if to := lifecycle[Kind(k)].to; m != PortalStatusOf(to) {
				t.Errorf("move %s maps to %d, its state %s to %d", k, m.Status, to, PortalStatusOf(to).Status)
			}
		}
	}
	if len(portalEvents) != len(kinds) {
		t.Errorf("the table has %d events, the domain declares %d", len(portalEvents), len(kinds))
	}
	// The unknown is said so, never a code.
	if m := PortalStatusOf("nowhere"); m.Status != PortalNone || m.Why == "" {
		t.Errorf("unknown state: %+v", m)
	}
	if m := PortalStatusAfter("dossier.fly"); m.Status != PortalNone || m.Why == "" {
		t.Errorf("unknown kind: %+v", m)
	}
}

// TestPortalStatusesAsIssued pins the codes of the portal's list.
func TestPortalStatusesAsIssued(t *testing.T) {
	want := map[State]PortalStatus{
		StateReceived: 2, StateAtAgency: 1, StateAccepted: 4, StateSupplementRequested: 5, StateRejected: 3,
		StateResultReady: 9, StateResultAtPost: 9, StateOutForDelivery: 9, StateDeliveryFailed: 9,
		StateDelivered: 10, StateReturnedToAgency: 9, StateCancelled: 7,
	}
	for s, code := range want {
		if got := PortalStatusOf(s).Status; got != code {
			t.Errorf("%s: TrangThaiHoSo %d, want %d", s, got, code)
		}
	}
	for i, p := range PortalStatuses {
		if int(p) != i+1 {
			t.Errorf("status %d at position %d", p, i)
		}
	}
	if c, why := PortalChannelOf(OptionSend); c != 3 || why != "" {
		t.Errorf("send: KenhThucHien %d %q", c, why)
	}
	if c, why := PortalChannelOf(OptionReturnOnly); c != 0 || why == "" {
		t.Errorf("return-only: KenhThucHien %d %q", c, why)
	}
	if c, why := PortalReturnOf(OptionSendAndReturn); c != 1 || why != "" {
		t.Errorf("send+return: HinhThucTra %d %q", c, why)
	}
	if c, why := PortalReturnOf(OptionSend); c != 0 || why == "" {
		t.Errorf("send: HinhThucTra %d %q", c, why)
	}
}

// TestPortalInbound: every portal status either records an outcome event
// the hub may send down (one of the agency's four) or says why it records
// none; and an outcome recorded from the portal shows that status again
// when exported (so export → import is a no-op).
func TestPortalInbound(t *testing.T) {
	agency := map[Kind]bool{KindAccept: true, KindRequestSupplement: true, KindReject: true, KindResultReady: true}
	for _, p := range PortalStatuses {
		k, why := PortalOutcome(p)
		if (k == "") == (why == "") {
			t.Errorf("status %d: event %q, why %q", p, k, why)
		}
		if k != "" && !agency[k] {
			t.Errorf("status %d records %s, not an agency outcome", p, k)
		}
		if k != "" && p != PortalUnresolved && PortalStatusAfter(k).Status != p {
			t.Errorf("status %d records %s, which exports as %d", p, k, PortalStatusAfter(k).Status)
		}
	}
	if k, why := PortalOutcome(11); k != "" || why == "" {
		t.Errorf("11: %q %q", k, why)
	}
}

func TestPortalTime(t *testing.T) {
	at := time.Date(2026, 12, 10, 10, 0, 5, 0, time.UTC)
	if got := PortalTime(at); got != "20261210170005" {
		t.Errorf("PortalTime = %s", got)
	}
	back, err := ParsePortalTime("20261210170005")
	if err != nil || !back.Equal(at) {
		t.Errorf("ParsePortalTime = %v %v", back, err)
	}
	if d, err := ParsePortalTime("20261210"); err != nil || PortalTime(d) != "20261210000000" {
		t.Errorf("date only: %v %v", d, err)
	}
	for _, bad := range []string{"", "10/12/2026", "2026121017000", "20261310170000"} {
		if _, err := ParsePortalTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if PortalTime(time.Time{}) != "" || PortalTimePtr(nil) != "" {
		t.Error("absent time not empty")
	}
	for _, bad := range []string{"0", "11", "x", "", "4.5"} {
		if _, err := ParsePortalStatus(bad); err == nil {
			t.Errorf("status %q accepted", bad)
		}
	}
	if p, err := ParsePortalStatus(" 9 "); err != nil || p != PortalReadyToReturn {
		t.Errorf("status 9: %v %v", p, err)
	}
}

// PortalTime writes its digits by hand: the same text as time.Format for
// every kind of moment (day, month and year turning over at UTC+7).
func TestPortalTimeSameAsFormat(t *testing.T) {
	base := time.Date(1999, 12, 31, 16, 59, 59, 999_999_999, time.UTC)
	for i := 0; i < 20_000; i++ {
		at := base.Add(time.Duration(i) * 97 * time.Minute).Add(time.Duration(i%61) * time.Second)
		if got, want := PortalTime(at), at.In(Zone).Format(PortalTimeLayout); got != want {
			t.Fatalf("%v: %s, want %s", at, got, want)
		}
	}
	for _, at := range []time.Time{time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC), time.Date(2024, 2, 28, 17, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(5, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if got, want := PortalTime(at), at.In(Zone).Format(PortalTimeLayout); got != want {
			t.Errorf("%v: %s, want %s", at, got, want)
		}
	}
}
