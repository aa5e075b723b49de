// Package demo fills a database with realistic synthetic dossiers: Kinh,
// Jrai and Bahnar names, Gia Lai and Bình Định citizen IDs, valid phones,
// procedures from the catalog, and dossiers in every lifecycle state over
// the last twelve months. The same seed on the same day gives the same data.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Options tune a seed run.
type Options struct {
	Dossiers int
	Seed     uint64
	// Now is the end of the twelve months; zero means the store's clock.
	Now time.Time
	// Showcase adds, after the Dossiers random ones, dossiers that stand in
	// every state on the day (see showcaseStates), so each screen has
	// something to show; the app's demo post point and `demo seed` use it.
	Showcase bool
}

// Staff are the demo accounts a seeded post point has.
var Staff = []domain.Staff{
	{Username: "gdv1", FullName: "Nguyễn Thị Lan", Role: domain.RoleClerk, Active: true},
	{Username: "gdv2", FullName: "Rơ Châm H'Yen", Role: domain.RoleClerk, Active: true},
	{Username: "buuta1", FullName: "Ksor Y Phôn", Role: domain.RolePostalWorker, Active: true},
	{Username: "truong", FullName: "Trần Văn Hải", Role: domain.RoleSupervisor, Active: true},
}

var (
	kinhSurnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh"}
	kinhMiddleM  = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Công", "Thanh"}
	kinhMiddleF  = []string{"Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim"}
	kinhGivenM   = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Nam", "Phúc", "Quang", "Sơn", "Tuấn", "Việt", "Đức"}
	kinhGivenF   = []string{"Hằng", "Hương", "Lan", "Mai", "Thảo", "Trang", "Yến", "Linh", "Nhung", "Oanh", "Phượng", "Thủy", "Ánh", "Diệp"}
	// Jrai names: clan name, then Y (men) or H' (women) and the given name.
	jraiClans  = []string{"Rơ Mah", "Ksor", "Siu", "Rơ Lan", "Kpă", "Nay", "Rah Lan", "Puih", "Rơ Châm", "Kpuih"}
	jraiGivenM = []string{"Y Bhin", "Y Sang", "Y Blim", "Y Thoan", "Y Phôn", "Y Hiêng", "Y Đoan"}
	jraiGivenF = []string{"H'Bích", "H'Luyên", "H'Yen", "H'Nhi", "H'Mai", "H'Lâm", "H'Xiu"}
	// Bahnar names as registered in Gia Lai, often with Đinh or Đinh Văn/Thị.
	bahnarM  = []string{"Đinh Hmưch", "Đinh Văn Blưh", "A Thuân", "Đinh Ylu", "Đinh Kruih"}
	bahnarF  = []string{"Đinh Thị Blơm", "Yă Hiar", "Đinh Thị H'Lênh", "Yă Ngơn", "Đinh Thị Phiam"}
	villages = []string{"Làng Mrông Yố", "Làng Dơ Nâu", "Thôn Ia Bă", "Làng Krông", "Thôn 1", "Thôn 2", "Làng Bông Phun", "Tổ dân phố 3", "Làng Ia Tâng"}
	mobile   = []string{"032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "088", "091", "094", "081", "082", "083", "084", "085", "070", "076", "077", "078", "079", "089", "090", "093", "056", "058"}
)

type gen struct {
	rnd   *rand.Rand
	procs []domain.Procedure
	now   time.Time
	comm  []string
}

func (g *gen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

func (g *gen) person() domain.Person {
	female := g.rnd.IntN(2) == 0
	var name string
	switch n := g.rnd.IntN(100); {
	case n < 60:
		if female {
			name = g.pick(kinhSurnames) + " " + g.pick(kinhMiddleF) + " " + g.pick(kinhGivenF)
		} else {
			name = g.pick(kinhSurnames) + " " + g.pick(kinhMiddleM) + " " + g.pick(kinhGivenM)
		}
	case n < 88:
		if female {
			name = g.pick(jraiClans) + " " + g.pick(jraiGivenF)
		} else {
			name = g.pick(jraiClans) + " " + g.pick(jraiGivenM)
		}
	default:
		if female {
			name = g.pick(bahnarF)
		} else {
			name = g.pick(bahnarM)
		}
	}
	year := 1950 + g.rnd.IntN(56)
	province := "064"
	if g.rnd.IntN(5) == 0 {
		province = "052"
	}
	century := 0 // 1900s
	if year >= 2000 {
		century = 2
	}
	if female {
		century++
	}
	id := fmt.Sprintf("%s%d%02d%06d", province, century, year%100, g.rnd.IntN(1000000))
	phone := g.pick(mobile) + fmt.Sprintf("%07d", g.rnd.IntN(10000000))
	commune := ""
	if len(g.comm) > 0 {
		commune = g.pick(g.comm)
	}
	return domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: phone,
		Commune: commune, Address: g.pick(villages)}
}

// step is one planned event of a dossier, to be recorded at its time.
type step struct {
	at      time.Time
	dossier int // index into plans
	kind    domain.Kind
	payload any
	staff   string
}

type plan struct {
	d   domain.Dossier
	cur *domain.Dossier
}

// workHours moves t forward to a working moment (7:30–16:30, Monday to
// Saturday), never backward, so a dossier's steps stay in order.
func workHours(r *rand.Rand, t time.Time) time.Time {
	t = t.In(domain.Zone)
	for {
		y, m, d := t.Date()
		open := time.Date(y, m, d, 7, 30, 0, 0, domain.Zone)
		if t.Weekday() == time.Sunday || !t.Before(open.Add(9*time.Hour)) {
			t = open.AddDate(0, 0, 1)
			continue
		}
		if t.Before(open) {
			t = open.Add(time.Duration(r.IntN(3600)) * time.Second)
		}
		return t
	}
}

// forced replaces a plan's random turns (see showcase).
type forced struct {
	start      time.Time // the intake's time
	option     domain.ServiceOption
	cancel     bool
	supplement bool
	reject     bool
	failures   int
}

// plan makes dossier i's steps; f, when set, takes the random turns.
func (g *gen) plan(i int, p *plan, f *forced) []step {
	var at time.Time
	if f == nil {
		at = g.now.AddDate(0, 0, -365).Add(time.Duration(g.rnd.Int64N(int64(363 * 24 * time.Hour))))
	} else {
		at = f.start
	}
	at = workHours(g.rnd, at)
	proc := g.procs[g.rnd.IntN(len(g.procs))]
	clerk := Staff[g.rnd.IntN(2)].Username
	worker := Staff[2].Username
	opt := domain.OptionSendAndReturn
	switch n := g.rnd.IntN(100); {
	case f != nil:
		opt = f.option
	case n < 25:
		opt = domain.OptionSend
	case n < 40:
		opt = domain.OptionReturnOnly
	}
	// turn is a random turn of the road taken one time in n, or the forced one.
	turn := func(n int, forcedTurn func(*forced) bool) bool {
		if f != nil {
			return forcedTurn(f)
		}
		return g.rnd.IntN(n) == 0
	}
	person := g.person()
	d := domain.Dossier{
		Option: opt, ProcedureCode: proc.Code, ProcedureName: proc.Name, AgencyCode: proc.AgencyCode,
		Applicant: person, Place: domain.PlaceCounter, Postage: 15000, FeePayment: domain.PayNow,
		ReturnMethod: domain.ReturnByPost, ReturnAddress: person.Address + ", " + person.Commune,
		ReceivedAt: at,
	}
	if proc.FeeKnown {
		d.Fee = proc.Fee
		d.FeePaid = true
	}
	if g.rnd.IntN(5) == 0 {
		d.Place = domain.PlaceHome
		clerk = worker
	}
	if opt == domain.OptionSend {
		d.ReturnMethod, d.ReturnAddress = domain.ReturnAtCounter, ""
	}
	for _, doc := range proc.Documents {
		d.Documents = append(d.Documents, domain.DocumentItem{Name: doc.Name, Required: doc.Required,
			Received: true, Original: doc.Original, Count: 1})
	}
	days := proc.ProcessingDays
	if days == 0 {
		days = 5
	}
	expected := at.AddDate(0, 0, days+4)
	d.ExpectedDate = &expected
	p.d = d

	var steps []step
	add := func(after time.Duration, kind domain.Kind, payload any, who string) {
		at = workHours(g.rnd, at.Add(after))
		steps = append(steps, step{at: at, dossier: i, kind: kind, payload: payload, staff: who})
	}
	day := 24 * time.Hour
	steps = append(steps, step{at: at, dossier: i, kind: domain.KindIntake, staff: clerk})
	if opt != domain.OptionReturnOnly {
		if turn(50, func(f *forced) bool { return f.cancel }) {
			add(2*time.Hour, domain.KindCancel, domain.ReasonPayload{Reason: "Công dân xin rút hồ sơ"}, clerk)
			return steps
		}
		add(day, domain.KindHandover, domain.HandoverPayload{HandoverID: fmt.Sprintf("BG-%06d", i), Officer: "Lê Thị Thu"}, worker)
		if turn(20, func(f *forced) bool { return f.supplement }) {
			add(2*day, domain.KindRequestSupplement, domain.SupplementPayload{Papers: []string{"Bản sao giấy tờ chứng minh nơi cư trú"}}, clerk)
			add(3*day, domain.KindSupplementTaken, domain.SupplementTakenPayload{}, clerk)
			add(day, domain.KindHandover, domain.HandoverPayload{HandoverID: fmt.Sprintf("BG-%06d-2", i), Officer: "Lê Thị Thu"}, worker)
		}
		if turn(30, func(f *forced) bool { return f.reject }) {
			add(2*day, domain.KindReject, domain.ReasonPayload{Reason: "Không đủ điều kiện theo quy định"}, clerk)
		} else {
			due := at.AddDate(0, 0, days+2)
			y, m, dd := due.In(domain.Zone).Date()
			code := domain.OfficialCode{Agency: proc.AgencyCode, Date: at.In(domain.Zone), Seq: 1 + g.rnd.IntN(9999)}
			add(day, domain.KindAccept, domain.AcceptPayload{OfficialCode: code.String(),
				DueDate: time.Date(y, m, dd, 0, 0, 0, 0, domain.Zone)}, clerk)
			add(time.Duration(days)*day, domain.KindResultReady, nil, clerk)
		}
		if opt == domain.OptionSend {
			return steps
		}
	}
	add(day, domain.KindResultHandover, domain.ResultHandoverPayload{HandoverID: fmt.Sprintf("BN-%06d", i)}, worker)
	add(2*time.Hour, domain.KindOutForDelivery, nil, worker)
	attempts := 0
	for turn(8, func(f *forced) bool { return attempts < f.failures }) && attempts < 3 {
		attempts++
		add(3*time.Hour, domain.KindDeliveryFailed, domain.ReasonPayload{Reason: g.pick([]string{"not_home", "wrong_address", "moved"})}, worker)
		if attempts == 3 {
			add(day, domain.KindReturnToAgency, domain.ReasonPayload{Reason: "too_many_attempts"}, worker)
			return steps
		}
		add(day, domain.KindOutForDelivery, nil, worker)
	}
	add(2*time.Hour, domain.KindDeliver, domain.DeliverPayload{RecipientName: person.FullName, RecipientID: person.IDNumber,
		FeeCollected: 0}, worker)
	return steps
}

// Seed adds opt.Dossiers dossiers to s. The post point must be set up and
// the catalog loaded. Events are recorded in time order, all in one
// transaction (store.BulkLoad): a cut leaves the database as it was.
func Seed(ctx context.Context, s *store.Store, opt Options) (int, error) {
	procs, err := s.Procedures(ctx)
	if err != nil {
		return 0, err
	}
	var usable []domain.Procedure
	for _, p := range procs {
		if p.BCCIIntake && p.AgencyCode != "" {
			usable = append(usable, p)
		}
	}
	if len(usable) == 0 {
		return 0, fmt.Errorf("demo seed: the catalog has no procedure open for BCCI intake: import a catalog first")
	}
	now := opt.Now
	if now.IsZero() {
		now = s.Now()
	}
	y, m, d := now.In(domain.Zone).Date()
	g := &gen{rnd: rand.New(rand.NewPCG(opt.Seed, 0x9057de5c)), procs: usable,
		now: time.Date(y, m, d, 0, 0, 0, 0, domain.Zone), comm: communes}
	plans := make([]plan, opt.Dossiers)
	var steps []step
	for i := range plans {
		steps = append(steps, g.plan(i, &plans[i], nil)...)
	}
	if opt.Showcase {
		more, moreSteps := g.showcase(opt.Seed, len(plans))
		plans = append(plans, more...)
		steps = append(steps, moreSteps...)
	}
	// Only the past happens: a dossier stops in the state its last past step left it in.
	sort.SliceStable(steps, func(a, b int) bool { return steps[a].at.Before(steps[b].at) })
	err = s.BulkLoad(ctx, func(b *store.Bulk) error {
		for _, st := range steps {
			if !st.at.Before(now) {
				continue
			}
			p := &plans[st.dossier]
			var next *domain.Dossier
			var err error
			if st.kind == domain.KindIntake {
				next, err = b.Intake(st.staff, p.d)
			} else {
				e := &domain.Event{Kind: st.kind, Dossier: p.cur.ID, Staff: st.staff, At: st.at}
				if st.payload != nil {
					if e.Payload, err = marshal(st.payload); err != nil {
						return err
					}
				}
				next, err = b.Append(e, p.cur)
			}
			if err != nil {
				return fmt.Errorf("demo seed: dossier %d, %s: %w", st.dossier, st.kind, err)
			}
			p.cur = next
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(plans), nil
}

func marshal(v any) (json.RawMessage, error) { return json.Marshal(v) }

// communes of the demo post point's area (Gia Lai).
var communes = []string{"Ia Grai", "Ia Hrung", "Ia Sao", "Ia Dêr", "Ia Krái", "Ia Khai"}
