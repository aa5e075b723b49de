// Package desk is what the post point's staff do, one function per
// operation, each with its actor: intake, cancel, receipt print and reprint,
// handovers with the agency, the agency's outcomes, delivery, feedback, the
// catalog, settings, staff and the demo post point. Roles are checked here,
// so a clerk is refused a supervisor's operation whichever screen or command
// asks. The desktop app (app/) and the command line (internal/cli) call it;
// it calls the rules (internal/domain) and the database (internal/store).
//
// Where intake is validated, dated, priced and written: intake.go.
package desk

import (
	"context"
	"slices"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Desk is the post point's operations over one database.
type Desk struct {
	Store *store.Store
	// Now is the clock intake is dated by; nil means the store's.
	Now func() time.Time
}

// New returns the operations over s.
func New(s *store.Store) *Desk { return &Desk{Store: s} }

// Actor is who does an operation: the signed-in staff member, or a
// command-line or system actor ("cli", "demo") with the role it acts in.
type Actor struct {
	Username string
	Role     domain.Role
}

// StaffActor is a signed-in staff member acting.
func StaffActor(st domain.Staff) Actor { return Actor{Username: st.Username, Role: st.Role} }

// Anyone is every role: clerks, postal workers and supervisors.
var anyone = []domain.Role{domain.RoleClerk, domain.RolePostalWorker, domain.RoleSupervisor}

// supervisors may change settings, the catalog and staff, and close feedback.
var supervisors = []domain.Role{domain.RoleSupervisor}

// allow refuses an actor whose role is not among roles.
func allow(a Actor, op string, roles []domain.Role) error {
	if a.Username != "" && slices.Contains(roles, a.Role) {
		return nil
	}
	return domain.Errf("role", "err.desk.forbidden", "%s (%s) may not %s", a.Username, a.Role, op).
		WithArgs("User", a.Username, "Op", op)
}

// now is the desk's clock, else the store's.
func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	if d.Store.Now != nil {
		return d.Store.Now()
	}
	return time.Now()
}

// Settings are the post point's settings.
func (d *Desk) Settings(ctx context.Context) (domain.Settings, error) { return d.Store.Settings(ctx) }

// SaveSettings stores the settings (supervisors only).
func (d *Desk) SaveSettings(ctx context.Context, a Actor, st domain.Settings) error {
	if err := allow(a, "change the settings", supervisors); err != nil {
		return err
	}
	return d.Store.SaveSettings(ctx, a.Username, st)
}
