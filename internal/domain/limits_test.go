package domain

import (
	"strings"
	"testing"
)

// What a clerk types into the intake form is bounded so that a dossier's
// event always fits a sync batch line: a paper's name, the number of
// papers, the commune (names, addresses and notes were already bounded).
func TestIntakeFormBounded(t *testing.T) {
	for name, c := range map[string]struct {
		edit  func(d *Dossier)
		field string
	}{
		"paper name": {func(d *Dossier) { d.Documents[0].Name = strings.Repeat("Giấy ", MaxDocumentName) }, "documents.0.name"},
		"papers": {func(d *Dossier) {
			for len(d.Documents) <= MaxDocumentsListed {
				d.Documents = append(d.Documents, DocumentItem{Name: "Bản sao", Received: true, Count: 1})
			}
		}, "documents"},
		"commune": {func(d *Dossier) { d.Applicant.Commune = strings.Repeat("Ia O ", MaxShortText) }, "applicant.commune"},
	} {
		d := goodIntake()
		c.edit(&d)
		_, errs := PrepareIntake(d, birthProcedure())
		found := false
		for _, e := range errs {
			if e.Field == c.field {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no error on %s: %v", name, c.field, errs)
		}
	}
	if fe := EventTooLarge(KindNote, MaxEventPayload+1); fe == nil || fe.Field != "payload" {
		t.Errorf("EventTooLarge: %v", fe)
	}
	if fe := EventTooLarge(KindNote, MaxEventPayload); fe != nil {
		t.Errorf("EventTooLarge at the bound: %v", fe)
	}
}
