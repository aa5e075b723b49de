package domain

import (
	"fmt"
	"slices"
)

// ReportScope is what a post point's report counts, the same on its
// devices as at the hub (hub report kpi --by post-point): the hub puts the
// post point in a commune (hub report import-communes) and the commune's
// own agencies decide. With agencies on record, only their procedures
// count, and only their all-channel totals divide (figures 2 and 3); with
// none, every procedure counts and no totals divide. A device that never
// heard from the hub has no scope and counts everything it holds.
type ReportScope struct {
	Commune  string   `json:"commune"`
	Agencies []string `json:"agencies"` // sorted, each once
}

// Deployed reports whether procedure p counts for the post point (its own
// deployment, Procedure.Deployed, is checked apart).
func (s ReportScope) Deployed(p Procedure) bool {
	return len(s.Agencies) == 0 || s.CountsAgency(p.AgencyCode)
}

// CountsAgency reports whether agency a's cells count in figures 2 and 3.
func (s ReportScope) CountsAgency(a string) bool {
	_, found := slices.BinarySearch(s.Agencies, a)
	return found
}

// Check refuses a scope without a commune or with agencies unsorted,
// repeated or empty.
func (s ReportScope) Check() error {
	if s.Commune == "" {
		return fmt.Errorf("report scope: no commune")
	}
	for i, a := range s.Agencies {
		if a == "" || (i > 0 && s.Agencies[i-1] >= a) {
			return fmt.Errorf("report scope: agencies must be non-empty, sorted and each once (%q)", a)
		}
	}
	return nil
}
