package hubreport

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/xlsxstream"
)

// Formats of `hub report reconcile`.
var ReconcileFormats = []string{ExportJSON, ExportCSV, ExportXLSX}

// ReconcileColumns are the CSV and XLSX columns, in order (the JSON keys of
// hubstore.ReconcileRow).
var ReconcileColumns = []string{"agency_code", "agency_name", "month", "postdesk_received", "onestop_dossiers", "postdesk_returned",
	"onestop_results", "onestop_bcci", "only_postdesk", "only_onestop", "problems"}

// reconcileCells is one row in ReconcileColumns' order: a count is an
// int64 (nil when the one-stop side has none), the rest text, the lists
// joined by "; ".
func reconcileCells(r *hubstore.ReconcileRow) []any {
	num := func(n *int64) any {
		if n == nil {
			return nil
		}
		return *n
	}
	return []any{r.Agency, r.Name, r.Month.Label(), r.Received, num(r.TotalDossiers), r.Returned, num(r.TotalResults),
		num(r.ListBCCI), strings.Join(r.OnlyPostDesk, "; "), strings.Join(r.OnlyOneStop, "; "), strings.Join(r.Problems, "; ")}
}

// WriteReconcile writes the reconciliation of period p as json, csv (UTF-8
// with a BOM) or xlsx (one sheet, counts as numbers): the same columns in
// the three.
func WriteReconcile(w io.Writer, p domain.Period, rows []hubstore.ReconcileRow, format string) error {
	switch format {
	case ExportJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"from": domain.FormatDate(p.From), "to": domain.FormatDate(p.To), "rows": rows})
	case ExportCSV:
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		cw := csvsafe.NewWriter(w)
		cw.Write(ReconcileColumns)
		for i := range rows {
			cells := reconcileCells(&rows[i])
			rec := make([]string, len(cells))
			for j, c := range cells {
				switch v := c.(type) {
				case int64:
					rec[j] = strconv.FormatInt(v, 10)
				case string:
					rec[j] = v
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case ExportXLSX:
		x, err := xlsxstream.New(w, "DoiSoat")
		if err != nil {
			return err
		}
		for _, c := range ReconcileColumns {
			x.Text(c)
		}
		err = x.EndRow()
		for i := 0; i < len(rows) && err == nil; i++ {
			for _, c := range reconcileCells(&rows[i]) {
				switch v := c.(type) {
				case int64:
					x.Int(v)
				case string:
					x.Text(v)
				default:
					x.Skip()
				}
			}
			err = x.EndRow()
		}
		if err != nil {
			x.Close()
			return err
		}
		return x.Close()
	}
	return domain.Errf("format", "hub.err.export_format", "%q is not an export format: json, csv or xlsx", format).WithArgs("Value", format)
}
