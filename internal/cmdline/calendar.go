package cmdline

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/pgdb"
)

// The calendar commands, the same at the post point (`postdesk calendar …`)
// and at the hub (`postdesk-hub calendar …`): the year files live in
// calendar/ beside the database either way.

// CalendarCommands are the calendar commands, their paths after prefix
// ("" at the post point, "hub " at the hub).
func CalendarCommands(prefix string) []Command {
	return []Command{
		{Path: prefix + "calendar show", Usage: "--db PATH YEAR",
			Help: "list the days off of YEAR (the law's, the year file's or the usual pattern, compensatory days) and say which year file is used", Run: calendarShow},
		{Path: prefix + "calendar install", Usage: "--db PATH FILE",
			Help: "check a year calendar file (internal/calendar/FORMAT.md) and install it beside the database, replacing that year's file", Run: calendarInstall},
		{Path: prefix + "calendar template", Usage: "YEAR",
			Help: "print a year file of YEAR following the usual pattern, for a supervisor to correct from the government's decision", Run: calendarTemplate},
	}
}

// calendarDir is the calendar/ folder beside a post point's or the hub's
// database (for a hub on PostgreSQL: pgdb.CalendarDir).
func calendarDir(db string) (string, error) {
	if db == "" {
		return "", Usagef("--db PATH is required")
	}
	if pgdb.Is(db) {
		return pgdb.CalendarDir(), nil
	}
	return filepath.Join(filepath.Dir(db), "calendar"), nil
}

// yearArg parses args with fs: one YEAR.
func yearArg(fs *flag.FlagSet, args []string) (int, error) {
	pos, err := Parse(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) != 1 {
		return 0, Usagef("one YEAR is required")
	}
	y, err := strconv.Atoi(pos[0])
	if err != nil || y < 1900 || y > 2199 {
		return 0, Usagef("%q is not a year from 1900 to 2199", pos[0])
	}
	return y, nil
}

var weekdays = []string{"CN", "T2", "T3", "T4", "T5", "T6", "T7"}

// calendarShow lists a year's days off (`calendar show --db PATH YEAR`).
func calendarShow(env *Env, args []string) error {
	fs := Flags("calendar show")
	db := fs.String("db", "", "database file (post point or hub)")
	y, err := yearArg(fs, args)
	if err != nil {
		return err
	}
	dir, err := calendarDir(*db)
	if err != nil {
		return err
	}
	c, err := calendar.Load(dir)
	if err != nil {
		return err
	}
	if f, ok := c.File(y); ok {
		fmt.Fprintf(env.Stdout, "%d: year file %s\n", y, f.Origin)
		if f.Source != "" {
			fmt.Fprintf(env.Stdout, "source: %s\n", f.Source)
		}
	} else {
		fmt.Fprintf(env.Stdout, "%d: no year file loaded — Tết and the day next to 02/09 follow the usual pattern, not a decision\n", y)
	}
	for _, h := range c.Holidays(y) {
		t := h.Day.Time()
		fmt.Fprintf(env.Stdout, "%s %s  %s\n", weekdays[t.Weekday()], domain.FormatDate(t), h.Name)
	}
	if f, ok := c.File(y); ok {
		for _, w := range f.Work {
			t := w.Day.Time()
			fmt.Fprintf(env.Stdout, "%s %s  working day: %s\n", weekdays[t.Weekday()], domain.FormatDate(t), w.Name)
		}
	}
	return nil
}

// calendarInstall installs a checked year file (`calendar install --db PATH FILE`).
func calendarInstall(env *Env, args []string) error {
	fs := Flags("calendar install")
	db := fs.String("db", "", "database file (post point or hub)")
	pos, err := Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return Usagef("one FILE is required")
	}
	dir, err := calendarDir(*db)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	f, err := calendar.Install(dir, data)
	if err != nil {
		return WithContext(pos[0], err)
	}
	tet := make([]string, len(f.Tet))
	for i, d := range f.Tet {
		tet[i] = domain.FormatDate(d.Time())
	}
	fmt.Fprintf(env.Stdout, "installed %s: Tết %s, 02/09 with %s, %d more days off, %d working weekend days\n",
		filepath.Join(dir, calendar.FileName(f.Year)), strings.Join(tet, " "), domain.FormatDate(f.NationalDay.Time()), len(f.Off), len(f.Work))
	return nil
}

// calendarTemplate prints a year file of the usual pattern (`calendar template YEAR`).
func calendarTemplate(env *Env, args []string) error {
	fs := Flags("calendar template")
	y, err := yearArg(fs, args)
	if err != nil {
		return err
	}
	f := &calendar.YearFile{Year: y, Source: "(số, ngày của quyết định / thông báo)", Tet: calendar.UsualTet(y),
		NationalDay: calendar.UsualNationalDayNeighbour(y)}
	_, err = env.Stdout.Write(calendar.Format(f))
	return err
}
