package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
)

func staffIndex(s *staffScreen, username string) int {
	for i, st := range s.staff {
		if st.Username == username {
			return i
		}
	}
	return -1
}

func TestStaffScreen(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	u.Show("staff")
	s := u.session.staff
	if s == nil || len(s.staff) != 4 {
		t.Fatalf("staff screen lists %v", s)
	}

	// Add by keyboard: Enter moves through the fields and saves from the last.
	u.Win.Canvas().Focus(s.addUser)
	typeKeys(t, u, "gdv3")
	press(t, u, fyne.KeyReturn)
	typeKeys(t, u, "Siu Thị Hằng")
	press(t, u, fyne.KeyReturn)
	typeKeys(t, u, "12")
	press(t, u, fyne.KeyReturn)
	typeKeys(t, u, "12")
	press(t, u, fyne.KeyReturn)
	if l := s.addErrs["staff.secret"]; !l.Visible() || l.Text != i18n.Tf("err.secret.short", map[string]string{"N": "4"}) {
		t.Fatalf("short PIN: %q", l.Text)
	}
	s.addPIN.SetText("2468")
	s.addPIN2.SetText("2469")
	s.add()
	if l := s.addErrs["staff.secret2"]; !l.Visible() {
		t.Fatal("different PINs accepted")
	}
	s.addPIN2.SetText("2468")
	s.add()
	i := staffIndex(s, "gdv3")
	if i < 0 || s.staff[i].FullName != "Siu Thị Hằng" || s.staff[i].Role != domain.RoleClerk {
		t.Fatalf("gdv3 not added: %+v", s.staff)
	}
	if _, err := u.Store.SignIn(u.Ctx, "gdv3", "2468"); err != nil {
		t.Fatalf("new account cannot sign in: %v", err)
	}
	// A taken username is named next to the field.
	s.addUser.SetText("gdv1")
	s.addName.SetText("X")
	s.addPIN.SetText("1111")
	s.addPIN2.SetText("1111")
	s.add()
	if l := s.addErrs["staff.username"]; !l.Visible() || !strings.Contains(l.Text, "gdv1") {
		t.Errorf("taken username: %q", l.Text)
	}

	// Deactivate (confirmed with Enter), then the account cannot sign in.
	s.list.Select(staffIndex(s, "gdv2"))
	s.toggleActive()
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if st := s.staff[staffIndex(s, "gdv2")]; st.Active {
		t.Fatal("gdv2 still active")
	}
	if _, err := u.Store.SignIn(u.Ctx, "gdv2", "1234"); err == nil {
		t.Fatal("deactivated account signed in")
	}

	// Reset a PIN.
	s.list.Select(staffIndex(s, "gdv1"))
	s.newPIN.SetText("9876")
	s.newPIN2.SetText("9876")
	s.resetPIN()
	if _, err := u.Store.SignIn(u.Ctx, "gdv1", "9876"); err != nil {
		t.Fatalf("reset PIN does not work: %v", err)
	}

	// The supervisor cannot lock themselves out.
	s.list.Select(staffIndex(s, "truong"))
	s.role.SetSelectedIndex(indexOfRole(domain.RoleClerk))
	s.changeRole()
	if l := s.detailErrs["staff.role"]; !l.Visible() || !strings.Contains(l.Text, "truong") {
		t.Errorf("last supervisor demoted: %q", l.Text)
	}
	var actor string
	testtool.DB(t, u.Store.Path()).QueryRow("SELECT staff FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1", string(domain.KindStaffChanged)).Scan(&actor)
	if actor != "truong" {
		t.Errorf("staff.changed recorded by %q", actor)
	}
}
