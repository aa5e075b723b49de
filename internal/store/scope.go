package store

import (
	"context"
	"encoding/json"
	"fmt"

	"postdesk/internal/domain"
)

// The post point's report scope as the hub last sent it (a report_scope
// update): kept in meta with the id of the update that brought it, so an
// older scope applied late never replaces a newer.

const (
	metaReportScope   = "report_scope"
	metaReportScopeID = "report_scope_update"
)

// ReportScope is what the post point's report counts, as the hub's report
// does (domain.ReportScope); nil when the hub has sent none.
func (s *Store) ReportScope(ctx context.Context) (*domain.ReportScope, error) {
	raw, err := s.Meta(ctx, metaReportScope, "")
	if err != nil || raw == "" {
		return nil, err
	}
	var sc domain.ReportScope
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return nil, fmt.Errorf("stored report scope unreadable: %w", err)
	}
	return &sc, nil
}

// ApplyReportScope stores the hub's scope and marks the update applied, in
// one transaction; a scope older than the one kept changes nothing.
func (s *Store) ApplyReportScope(ctx context.Context, u HubUpdate, sc domain.ReportScope) error {
	if err := sc.Check(); err != nil {
		return err
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	return s.applyMetaUpdate(ctx, u, metaReportScope, metaReportScopeID, string(raw))
}
