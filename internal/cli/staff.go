package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Staff accounts from the command line: the PIN or password is read from
// standard input (one line), never from the arguments, which other users of
// the PC can see.

func readSecret() (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runStaffAdd(env *Env, args []string) error {
	fs, db := dbFlags("staff add")
	user := fs.String("username", "", "the account's username")
	name := fs.String("name", "", "the staff member's full name")
	role := fs.String("role", "clerk", "clerk | postal_worker | supervisor")
	by := fs.String("by", "cli", "the supervisor who adds it (recorded in the event)")
	return onDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
		secret, err := readSecret()
		if err != nil {
			return err
		}
		st := domain.Staff{Username: *user, FullName: *name, Role: domain.Role(*role), Active: true}
		if err := desk.New(s).AddStaff(env.Ctx, cliActor(*by), st, secret); err != nil {
			return withContext("account not added", err)
		}
		fmt.Fprintf(env.Stdout, "account %s added (%s); it reaches the post point's other devices at their next sync\n", domain.Clean(*user), *role)
		return nil
	})
}

func runStaffList(env *Env, args []string) error {
	fs, db := dbFlags("staff list")
	return onDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
		list, err := s.StaffList(env.Ctx)
		if err != nil {
			return err
		}
		for _, st := range list {
			state := "active"
			if !st.Active {
				state = "inactive"
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", st.Username, st.Role, state, st.FullName)
		}
		return nil
	})
}

func runSignIn(env *Env, args []string) error {
	fs, db := dbFlags("signin")
	user := fs.String("username", "", "the account's username")
	return onDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
		secret, err := readSecret()
		if err != nil {
			return err
		}
		st, err := s.SignIn(env.Ctx, *user, secret)
		if err != nil {
			return withContext("not signed in", err)
		}
		fmt.Fprintf(env.Stdout, "signed in: %s (%s)\n", st.Username, st.Role)
		return nil
	})
}
