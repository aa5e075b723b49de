package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
)

func addStaff(t *testing.T, s *Store, actor, username string, role domain.Role, pin string) {
	t.Helper()
	hash, err := auth.Hash(pin)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaff(context.Background(), actor, domain.Staff{Username: username, FullName: "Rơ Mah H'Bích", Role: role}, hash); err != nil {
		t.Fatal(err)
	}
}

func fieldKey(err error) string {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return fe.Key
	}
	var es domain.Errors
	if errors.As(err, &es) && len(es) > 0 {
		return es[0].Key
	}
	return ""
}

func countKind(t *testing.T, s *Store, kind domain.Kind) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM events WHERE kind = ?", string(kind)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignInLocksAfterFiveWrongPINs(t *testing.T) {
	s := newTestStore(t)
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	addStaff(t, s, "", "gdv1", domain.RoleClerk, "1234")

	st, err := s.SignIn(ctx, "gdv1", "1234")
	if err != nil || st.Username != "gdv1" || st.Role != domain.RoleClerk {
		t.Fatalf("SignIn = %+v, %v", st, err)
	}
	if countKind(t, s, domain.KindStaffSignedIn) != 1 {
		t.Error("no staff.signed_in event")
	}
	for i := 1; i < domain.MaxSignInTries; i++ {
		_, err := s.SignIn(ctx, "gdv1", "0000")
		if fieldKey(err) != "err.signin.wrong_left" {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	// A right PIN in between resets the count.
	if _, err := s.SignIn(ctx, "gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= domain.MaxSignInTries; i++ {
		_, err = s.SignIn(ctx, "gdv1", "0000")
	}
	if fieldKey(err) != "err.signin.locked" {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	var fe *domain.FieldError
	errors.As(err, &fe)
	if fe.Args["Until"] != "09:05" { // 02:05 UTC is 09:05 in Vietnam
		t.Errorf("locked until %q", fe.Args["Until"])
	}
	if countKind(t, s, domain.KindStaffLocked) != 1 {
		t.Error("no staff.locked event")
	}
	if _, err := s.SignIn(ctx, "gdv1", "1234"); fieldKey(err) != "err.signin.locked" {
		t.Fatalf("right PIN while locked: %v", err)
	}
	now = now.Add(domain.SignInLockout)
	if _, err := s.SignIn(ctx, "gdv1", "1234"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	rec, _ := s.StaffMember(ctx, "gdv1")
	if rec.FailedTries != 0 || !rec.LockedUntil.IsZero() {
		t.Errorf("after sign-in: tries %d, locked until %v", rec.FailedTries, rec.LockedUntil)
	}
	if rep, err := s.Check(ctx); err != nil || rep.Events == 0 {
		t.Errorf("Check after sign-in events: %+v, %v", rep, err)
	}
}

func TestSignInRefusals(t *testing.T) {
	s := newTestStore(t)
	addStaff(t, s, "", "truong", domain.RoleSupervisor, "123456")
	addStaff(t, s, "truong", "gdv1", domain.RoleClerk, "1234")
	for _, tc := range []struct{ user, pin, key string }{
		{"", "", "err.required"},
		{"nobody", "1234", "err.signin.wrong"},
		{"gdv1", "", "err.required"},
	} {
		if _, err := s.SignIn(ctx, tc.user, tc.pin); fieldKey(err) != tc.key {
			t.Errorf("SignIn(%q, %q) = %v, want %s", tc.user, tc.pin, err, tc.key)
		}
	}
	if err := s.SetStaffActive(ctx, "truong", "gdv1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "gdv1", "1234"); fieldKey(err) != "err.signin.inactive" {
		t.Errorf("inactive: %v", err)
	}
	if err := s.SetStaffActive(ctx, "truong", "gdv1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, " gdv1 ", "1234"); err != nil {
		t.Errorf("reactivated (username with spaces): %v", err)
	}
}

func TestStaffAdmin(t *testing.T) {
	s := newTestStore(t)
	addStaff(t, s, "", "truong", domain.RoleSupervisor, "123456")
	addStaff(t, s, "truong", "gdv1", domain.RoleClerk, "1234")
	before := countKind(t, s, domain.KindStaffChanged)

	// The last active supervisor keeps their rights.
	if err := s.SetStaffActive(ctx, "gdv1", "truong", false); fieldKey(err) != "err.staff.last_supervisor" {
		t.Errorf("deactivate last supervisor: %v", err)
	}
	if err := s.SetStaffRole(ctx, "truong", "truong", domain.RoleClerk); fieldKey(err) != "err.staff.last_supervisor" {
		t.Errorf("demote last supervisor: %v", err)
	}
	if err := s.SetStaffActive(ctx, "truong", "truong", false); fieldKey(err) != "err.staff.self" {
		t.Errorf("deactivate self: %v", err)
	}
	if err := s.SetStaffRole(ctx, "truong", "gdv1", domain.RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStaffRole(ctx, "gdv1", "truong", domain.RolePostalWorker); err != nil {
		t.Errorf("demote with another supervisor: %v", err)
	}
	if err := s.SetStaffRole(ctx, "gdv1", "truong", "boss"); fieldKey(err) != "err.staff.role" {
		t.Errorf("unknown role: %v", err)
	}
	if err := s.SetStaffActive(ctx, "gdv1", "ghost", false); fieldKey(err) != "err.staff.unknown" {
		t.Errorf("unknown staff: %v", err)
	}

	// A reset PIN works at once and lifts a lock.
	for i := 0; i < domain.MaxSignInTries; i++ {
		s.SignIn(ctx, "truong", "0000")
	}
	hash, _ := auth.Hash("4321")
	if err := s.ResetStaffSecret(ctx, "gdv1", "truong", hash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "truong", "4321"); err != nil {
		t.Errorf("sign-in with the reset PIN: %v", err)
	}
	if _, err := s.SignIn(ctx, "truong", "123456"); fieldKey(err) == "" {
		t.Error("the old PIN still works")
	}
	if got := countKind(t, s, domain.KindStaffChanged) - before; got != 3 {
		t.Errorf("%d staff.changed events, want 3 (role, role, PIN)", got)
	}
	var payload string
	s.db.QueryRow("SELECT payload FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1", string(domain.KindStaffChanged)).Scan(&payload)
	// The argon2id hash travels to the post point's other devices
	// (docs/sync-protocol.md §11.5); the PIN itself never enters the log.
	if !strings.Contains(payload, `"secret_hash":"$argon2id$`) || strings.Contains(payload, "4321") {
		t.Errorf("PIN reset event payload %q", payload)
	}
}

func TestValidSecret(t *testing.T) {
	for secret, key := range map[string]string{"": "err.required", "123": "err.secret.short", " 1234": "err.secret.spaces", "1234": "", "mật khẩu": ""} {
		err := domain.ValidSecret(secret)
		if fieldKey(err) != key {
			t.Errorf("ValidSecret(%q) = %v, want %q", secret, err, key)
		}
	}
}
