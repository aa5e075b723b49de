package register

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// Sheet names of the workbook (stable, so a province's macros can find them).
const (
	SheetSummary = "TongHop" // per staff member, with the totals row
	SheetLines   = "ChiTiet" // every event of the day
)

// moneyFormat shows đồng with thousands grouped; the cell stays a number.
const moneyFormat = `#,##0" ₫"`

// SummaryColumns are the summary sheet's columns, in order: the i18n keys of
// their titles. Tests and readers locate totals by these positions.
var SummaryColumns = []string{
	"register.col.staff", "register.col.intakes", "register.col.result_only", "register.col.handed_over",
	"register.col.outcomes", "register.col.results_in", "register.col.delivered", "register.col.failed",
	"register.col.returned", "register.col.postage", "register.col.fees", "register.col.cash",
	"register.col.transfer", "register.col.collected",
}

// Row returns the summary row of t as the sheet holds it (after the name).
func (t Totals) Row() []any {
	return []any{t.Intakes, t.ResultOnly, t.HandedOver, t.Outcomes, t.ResultsIn, t.Delivered, t.Failed,
		t.Returned, int64(t.Postage), int64(t.Fees), int64(t.Cash), int64(t.Transfer), int64(t.Collected())}
}

// moneyFrom is the index in SummaryColumns of the first money column.
const moneyFrom = 9

// StaffLabel is how a staff member is named in the register.
func (s StaffTotals) StaffLabel() string {
	if s.FullName == "" {
		return s.Username
	}
	return s.FullName + " (" + s.Username + ")"
}

// LineDetail is a line's detail as printed: a failure's or return's reason
// translated when it is one of the known codes.
func LineDetail(lang *i18n.Catalog, l Line) string {
	switch l.Kind {
	case domain.KindDeliveryFailed, domain.KindReturnToAgency:
		if k := "delivery.fail." + l.Detail; lang.Has(k) {
			return lang.T(k)
		}
		if k := "delivery.return." + l.Detail; lang.Has(k) {
			return lang.T(k)
		}
	}
	return l.Detail
}

// KindLabel is the register's name of an event kind: the timeline's
// (event.<kind>).
func KindLabel(lang *i18n.Catalog, k domain.Kind) string {
	if key := "event." + string(k); lang.Has(key) {
		return lang.T(key)
	}
	return string(k)
}

// WriteXLSX writes the register as a workbook: a summary sheet (one row per
// staff member and a totals row) and a sheet of every line. Counts and money
// are numbers; money is shown in đồng. lang nil: the current locale.
func (r *Register) WriteXLSX(w io.Writer, lang *i18n.Catalog) error {
	if lang == nil {
		lang = i18n.Current()
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetLines); err != nil {
		return err
	}
	nf := moneyFormat
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &nf})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	boldMoney, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &nf})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	set := func(sheet string, col, row int, v any, style int) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sheet, cell, cell, style)
		}
		return nil
	}

	// Summary.
	s := SheetSummary
	head := []struct {
		v     any
		style int
	}{
		{lang.T("register.title"), title},
		{r.PostPoint.Name + " (" + r.PostPoint.Code + ") — " + r.Device, 0},
		{lang.Tf("register.date", map[string]string{"Date": domain.FormatDate(r.Date)}), bold},
	}
	for i, h := range head {
		if err := set(s, 1, i+1, h.v, h.style); err != nil {
			return err
		}
	}
	const headerRow = 5
	for i, key := range SummaryColumns {
		if err := set(s, i+1, headerRow, lang.T(key), bold); err != nil {
			return err
		}
	}
	row := headerRow + 1
	writeTotals := func(label string, t Totals, strong bool) error {
		st, mst := 0, money
		if strong {
			st, mst = bold, boldMoney
		}
		if err := set(s, 1, row, label, st); err != nil {
			return err
		}
		for i, v := range t.Row() {
			style := st
			if i+1 >= moneyFrom {
				style = mst
			}
			if err := set(s, i+2, row, v, style); err != nil {
				return err
			}
		}
		row++
		return nil
	}
	for _, st := range r.Staff {
		if err := writeTotals(st.StaffLabel(), st.Totals, false); err != nil {
			return err
		}
	}
	if err := writeTotals(lang.T("register.total"), r.Total, true); err != nil {
		return err
	}
	if err := f.SetColWidth(s, "A", "A", 34); err != nil {
		return err
	}
	if err := f.SetColWidth(s, "B", "I", 12); err != nil {
		return err
	}
	if err := f.SetColWidth(s, "J", "N", 16); err != nil {
		return err
	}

	// Lines.
	s = SheetLines
	cols := []string{"register.col.time", "register.col.staff", "register.col.kind", "register.col.dossier",
		"register.col.detail", "register.col.postage", "register.col.fees", "register.col.payment"}
	for i, key := range cols {
		if err := set(s, i+1, 1, lang.T(key), bold); err != nil {
			return err
		}
	}
	for i, l := range r.Lines {
		n := i + 2
		pay := ""
		if l.Postage+l.Fee > 0 {
			pay = lang.T("register.cash")
			if l.Transfer {
				pay = lang.T("register.transfer")
			}
		}
		vals := []any{l.At.In(domain.Zone).Format("15:04"), l.Staff, KindLabel(lang, l.Kind), l.Dossier,
			LineDetail(lang, l), int64(l.Postage), int64(l.Fee), pay}
		for j, v := range vals {
			style := 0
			if j == 5 || j == 6 {
				style = money
			}
			if err := set(s, j+1, n, v, style); err != nil {
				return err
			}
		}
	}
	widths := map[string]float64{"A": 8, "B": 12, "C": 28, "D": 22, "E": 34, "F": 14, "G": 14, "H": 14}
	for c, wd := range widths {
		if err := f.SetColWidth(s, c, c, wd); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("register: writing the workbook: %w", err)
	}
	return nil
}
