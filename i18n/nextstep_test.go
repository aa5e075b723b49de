package i18n

import (
	"errors"
	"strings"
	"testing"

	"postdesk/internal/domain"
)

// TestEveryRefusalNamesTheNextStep goes over the whole lifecycle: every
// move refused because of the dossier's state, in every state and for
// every service option, in both languages. Where the usual road leads on
// to the move, the message names the move that must happen first and the
// key that opens it (F11 › …, F4 › …); where it cannot (a closed dossier,
// a step already past), it names the state, and a closed dossier says so.
func TestEveryRefusalNamesTheNextStep(t *testing.T) {
	options := []domain.ServiceOption{domain.OptionSend, domain.OptionSendAndReturn, domain.OptionReturnOnly}
	named := 0
	for _, lang := range []string{"vi", "en"} {
		c, err := New(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range options {
			for _, st := range domain.States {
				for _, k := range domain.Moves() {
					if domain.Creates(k) {
						continue
					}
					_, err := domain.Next("600900A-261203-0001", st, opt, k)
					var me *domain.MoveError
					if err == nil || !errors.As(err, &me) || me.Reason != "" {
						continue // allowed, or refused for the service option (its own message)
					}
					msg := c.Message(err)
					first, road := domain.FirstStep(st, opt, k)
					switch {
					case road:
						named++
						for _, want := range []string{c.T("roundtrip.move." + string(first)), c.T("move.where." + string(first)), c.T("state." + string(st))} {
							if !strings.Contains(msg, want) {
								t.Errorf("%s %s, %s from %s: %q does not say %q", lang, opt, k, st, msg, want)
							}
						}
						if !strings.Contains(c.T("move.where."+string(first)), "F") {
							t.Errorf("%s: the place of %s names no key: %q", lang, first, c.T("move.where."+string(first)))
						}
						// The first step is itself possible now.
						if _, err := domain.Next("", st, opt, first); err != nil {
							t.Errorf("%s from %s: the first step %s is refused too: %v", k, st, first, err)
						}
					case domain.Closed(st):
						if msg != c.Tf("err.move.closed", map[string]string{"Dossier": "600900A-261203-0001",
							"State": c.T("state." + string(st)), "Move": c.T("roundtrip.move." + string(k))}) {
							t.Errorf("%s %s from closed %s: %q", lang, k, st, msg)
						}
					default:
						if !strings.Contains(msg, c.T("state."+string(st))) {
							t.Errorf("%s %s from %s: %q does not name the state", lang, k, st, msg)
						}
					}
				}
			}
		}
	}
	if named < 50 {
		t.Errorf("only %d refusals name a next step: the road search finds too little", named)
	}
	// The example: a result not yet back from the agency.
	_, err := domain.Next("X", domain.StateResultReady, domain.OptionSendAndReturn, domain.KindDeliver)
	c, _ := New("vi")
	if got := c.Message(err); !strings.Contains(got, "nhận kết quả về bưu cục") || !strings.Contains(got, "F11 › Nhận kết quả") {
		t.Errorf("deliver before the result is back: %q", got)
	}
}
