package demo

import (
	"math/rand/v2"
	"time"

	"postdesk/internal/domain"
)

// A showcase dossier stands in one state on the day the demo is opened.
type showcaseDossier struct {
	stop domain.State
	f    forced
	// weeksAgo is how many whole weeks before the day its last step falls
	// (0: in the last seven days), e.g. a result ready at the agency for long.
	weeksAgo int
}

var (
	sendReturn = domain.OptionSendAndReturn
	// showcaseStates: every state of the round trip, a result ready at the
	// agency for weeks, a result-only registration waiting at the post
	// point, and a result the citizen will collect at the counter.
	showcaseStates = []showcaseDossier{
		{stop: domain.StateReceived, f: forced{option: sendReturn}},
		{stop: domain.StateReceived, f: forced{option: domain.OptionSend}},
		{stop: domain.StateCancelled, f: forced{option: sendReturn, cancel: true}},
		{stop: domain.StateAtAgency, f: forced{option: sendReturn}},
		{stop: domain.StateAccepted, f: forced{option: sendReturn}},
		{stop: domain.StateSupplementRequested, f: forced{option: sendReturn, supplement: true}},
		{stop: domain.StateRejected, f: forced{option: sendReturn, reject: true}},
		{stop: domain.StateResultReady, f: forced{option: sendReturn}},
		{stop: domain.StateResultReady, f: forced{option: sendReturn}, weeksAgo: 3},
		{stop: domain.StateResultAtPost, f: forced{option: sendReturn}},
		{stop: domain.StateResultAtPost, f: forced{option: domain.OptionReturnOnly}},
		{stop: domain.StateOutForDelivery, f: forced{option: sendReturn}},
		{stop: domain.StateDeliveryFailed, f: forced{option: sendReturn, failures: 1}},
		{stop: domain.StateDelivered, f: forced{option: sendReturn}},
		{stop: domain.StateReturnedToAgency, f: forced{option: sendReturn, failures: 3}},
	}
)

// ShowcaseSize is how many dossiers Options.Showcase adds.
func ShowcaseSize() int { return len(showcaseStates) }

// showcase plans the showcase dossiers, numbered from first. Each is
// planned twice with the same random numbers: once to learn when it
// reaches its state, then again moved by whole weeks (working hours and
// weekdays stay as they were) so that moment falls in the week before the
// day, and the steps after it are dropped.
func (g *gen) showcase(seed uint64, first int) ([]plan, []step) {
	keep := g.rnd
	defer func() { g.rnd = keep }()
	week := 7 * 24 * time.Hour
	var plans []plan
	var steps []step
	for n, sc := range showcaseStates {
		i := first + len(plans)
		f := sc.f
		f.start = g.now.Add(-10 * week).Add(8 * time.Hour)
		try := func() (plan, []step) {
			g.rnd = rand.New(rand.NewPCG(seed, 0x5c0e+uint64(n)))
			var p plan
			return p, upTo(g.plan(i, &p, &f), p.d.Option, sc.stop)
		}
		_, st := try()
		if len(st) == 0 {
			continue // the road cannot stop there (a bug in showcaseStates; the test says so)
		}
		last := st[len(st)-1].at
		target := g.now.Add(-time.Duration(sc.weeksAgo) * week)
		weeks := int(target.Sub(last) / week) // last+weeks stays before target
		f.start = f.start.Add(time.Duration(weeks) * week)
		p, st := try()
		plans = append(plans, p)
		steps = append(steps, st...)
	}
	return plans, steps
}

// upTo keeps the steps up to the first that leaves the dossier in state
// stop, or none when it never does.
func upTo(steps []step, opt domain.ServiceOption, stop domain.State) []step {
	var cur domain.State
	for i, st := range steps {
		kind := st.kind
		if kind == domain.KindIntake && opt == domain.OptionReturnOnly {
			kind = domain.KindRegisterResult
		}
		next, err := domain.Next("", cur, opt, kind)
		if err != nil {
			return nil
		}
		if cur = next; cur == stop {
			return steps[:i+1]
		}
	}
	return nil
}
