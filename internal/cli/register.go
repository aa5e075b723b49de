package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	dailyreg "postdesk/internal/register"
)

func init() {
	register("register", "--db PATH --date DD/MM/YYYY --out FILE.{pdf,xlsx}",
		"write the daily register (intakes, handovers, deliveries, money per staff member) of a day", runRegister)
}

func runRegister(env *Env, args []string) error {
	fs := flags("register")
	db := fs.String("db", "", "database file")
	date := fs.String("date", "", "the day, dd/mm/yyyy (default: today)")
	out := fs.String("out", "", "file to write: .pdf or .xlsx")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if *out == "" || (ext != ".pdf" && ext != ".xlsx") {
		return usagef("--out FILE ending in .pdf or .xlsx is required")
	}
	var day time.Time
	if *date != "" {
		var err error
		if day, err = domain.ParseDate(*date, domain.Zone); err != nil {
			return usagef("--date: %s", i18n.Message(err))
		}
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	if day.IsZero() {
		day = s.Now()
	}
	start := time.Now()
	r, err := dailyreg.Compute(env.Ctx, s, day)
	if err != nil {
		return err
	}
	if ext == ".pdf" {
		err = receipt.RenderRegisterFile(*out, r, nil)
	} else {
		err = atomicfile.Write(*out, 0o644, func(w io.Writer) error { return r.WriteXLSX(w, nil) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "register of %s: %d events, %s collected (%s cash, %s transfer); written to %s (%.2fs)\n",
		domain.FormatDate(r.Date), len(r.Lines), domain.FormatMoney(r.Total.Collected()), domain.FormatMoney(r.Total.Cash),
		domain.FormatMoney(r.Total.Transfer), *out, time.Since(start).Seconds())
	return nil
}
