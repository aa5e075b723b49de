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
	"postdesk/internal/store"
)

func runRegister(env *Env, args []string) error {
	fs, db := dbFlags("register")
	date := fs.String("date", "", "the day, dd/mm/yyyy (default: today)")
	out := fs.String("out", "", "file to write: .pdf or .xlsx")
	var ext string
	var day time.Time
	check := func([]string) error {
		ext = strings.ToLower(filepath.Ext(*out))
		if *out == "" || (ext != ".pdf" && ext != ".xlsx") {
			return usagef("--out FILE ending in .pdf or .xlsx is required")
		}
		if *date != "" {
			var err error
			if day, err = domain.ParseDate(*date, domain.Zone); err != nil {
				return usagef("--date: %s", i18n.Message(err))
			}
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
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
	})
}
