package app

// The village hint of the intake slip: as the clerk types the applicant's
// village (thôn, làng), the best match among the villages already typed at
// this post point shows under the field; Enter takes it (a second Enter
// saves the slip), typing on ignores it. The villages come from the post
// point's newest dossiers (store.KnownVillages), read when the slip is
// built and learnt as dossiers are saved.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// How many of the newest dossiers the villages are read from, and how many
// villages are kept.
const (
	villageRecent = 5000
	villageLimit  = 500
)

type villageHint struct {
	f      *intakeForm
	known  []string // most used first
	folded []string // Fold(known[i])
	label  *widget.Label
	offer  string // the village Enter would take, "" when none
}

func newVillageHint(f *intakeForm) *villageHint {
	h := &villageHint{f: f, label: widget.NewLabel("")}
	h.label.Importance = widget.LowImportance
	h.label.Wrapping = fyne.TextWrapWord
	h.label.Hide()
	return h
}

// load reads the post point's villages.
func (h *villageHint) load() {
	u := h.f.u
	vs, err := u.Store.KnownVillages(u.Ctx, villageRecent, villageLimit)
	if err != nil {
		fyne.LogError("intake villages", err)
		return
	}
	h.known, h.folded = nil, nil
	for _, v := range vs {
		h.learn(v)
	}
}

// learn adds a village (a saved dossier's) to the ones offered.
func (h *villageHint) learn(v string) {
	v = domain.Clean(v)
	if v == "" {
		return
	}
	for _, k := range h.known {
		if k == v {
			return
		}
	}
	h.known = append(h.known, v)
	h.folded = append(h.folded, domain.Fold(v))
}

// update offers the most used village one of whose words starts with what
// is typed (marks and case aside); none when the field already says it.
func (h *villageHint) update(text string) {
	typed := domain.Clean(text)
	q := domain.Fold(typed)
	h.offer = ""
	if q != "" {
		for i, f := range h.folded {
			if (strings.HasPrefix(f, q) || strings.Contains(f, " "+q)) && h.known[i] != typed {
				h.offer = h.known[i]
				break
			}
		}
	}
	if h.offer == "" {
		h.label.Hide()
		return
	}
	h.label.SetText(i18n.Tf("intake.village.offer", map[string]string{"Village": h.offer}))
	h.label.Show()
}

// take fills in the offered village (Enter); false when none is offered.
func (h *villageHint) take() bool {
	if h.offer == "" {
		return false
	}
	v := h.offer
	h.f.address.SetText(v)
	h.f.address.CursorColumn = len([]rune(v))
	h.update(v)
	return true
}
