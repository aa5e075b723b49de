package desk

import (
	"errors"
	"path/filepath"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestProofKeyFollowsStaffAdmin: a supervisor signed in (the proof key open)
// who adds a member or resets a PIN gives that member a copy under the new
// PIN, so the member alone opens the key in a new process; the old PIN opens
// nothing. ReadProof wants a signed-in role and a proof of that dossier.
func TestProofKeyFollowsStaffAdmin(t *testing.T) {
	d := demoDesk(t)
	if _, err := d.Store.SignIn(ctx, supervisor.Username, DemoPIN); err != nil {
		t.Fatal(err)
	}
	if !d.Store.ProofsOpen() {
		t.Fatal("the supervisor's sign-in did not open the proof key")
	}
	newcomer := domain.Staff{Username: "gdv9", FullName: "Nguyễn Văn Chín", Role: domain.RoleClerk, Active: true}
	if err := d.AddStaff(ctx, supervisor, newcomer, "8642"); err != nil {
		t.Fatal(err)
	}
	if err := d.ResetStaffSecret(ctx, supervisor, clerk.Username, "5791"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(d.Store.ProofsDir()), "desk.db")
	opens := func(user, pin string) bool {
		t.Helper()
		s, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Now = d.Store.Now
		if _, err := s.SignIn(ctx, user, pin); err != nil {
			return false
		}
		return s.ProofsOpen()
	}
	if !opens("gdv9", "8642") || !opens(clerk.Username, "5791") {
		t.Fatal("a member given a PIN by the supervisor cannot open the proof key alone")
	}
	if opens(clerk.Username, DemoPIN) {
		t.Fatal("the old PIN still opens the proof key")
	}

	dos, err := d.Intake(ctx, clerk, slip(sendProcedure(t, d)), FromTariff)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ReadProof(ctx, Actor{}, dos.ID, "proofs/x.png.age")
	wantForbidden(t, "nobody ReadProof", err)
	_, err = d.ReadProof(ctx, clerk, dos.ID, "proofs/x.png.age")
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Key != "err.proof.not_of_dossier" {
		t.Fatalf("a path the dossier's delivery did not record: %v", err)
	}
}
