package domain

import "testing"

func TestReportScope(t *testing.T) {
	own := ReportScope{Commune: "Ia O", Agencies: []string{"000.00.20.H21", "000.00.21.H21"}}
	none := ReportScope{Commune: "Ia Chia"}
	commune, district := Procedure{AgencyCode: "000.00.21.H21"}, Procedure{AgencyCode: "000.00.10.H21"}
	if !own.Deployed(commune) || own.Deployed(district) {
		t.Error("with agencies on record only their procedures count")
	}
	if !none.Deployed(commune) || !none.Deployed(district) {
		t.Error("with no agencies on record every procedure counts")
	}
	if !own.CountsAgency("000.00.20.H21") || own.CountsAgency("000.00.10.H21") || none.CountsAgency("000.00.20.H21") {
		t.Error("only the commune's agencies' totals divide")
	}
	for _, bad := range []ReportScope{{}, {Commune: "x", Agencies: []string{"b", "a"}}, {Commune: "x", Agencies: []string{"a", "a"}}, {Commune: "x", Agencies: []string{""}}} {
		if bad.Check() == nil {
			t.Errorf("%+v passed the check", bad)
		}
	}
	if own.Check() != nil || none.Check() != nil {
		t.Error("good scopes refused")
	}
}
