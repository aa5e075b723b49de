package catalog

import (
	"io"
	"strconv"

	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
)

// WriteProceduresCSV writes procedures as a procedure CSV file (UTF-8 with a
// BOM, so that Excel opens the Vietnamese text correctly) that ParseCSV reads
// back to the same values. Cells that a spreadsheet would evaluate get a
// leading apostrophe (csvsafe), which ParseCSV drops again.
func WriteProceduresCSV(w io.Writer, procs []domain.Procedure) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(ProcedureColumns); err != nil {
		return err
	}
	for _, p := range procs {
		days, fee, postage := "", "", ""
		if p.ProcessingDays > 0 {
			days = strconv.Itoa(p.ProcessingDays)
		}
		if p.FeeKnown {
			fee = strconv.FormatInt(int64(p.Fee), 10)
		}
		if p.Postage > 0 {
			postage = strconv.FormatInt(int64(p.Postage), 10)
		}
		rec := []string{p.Code, p.Name, p.Field, p.Level, p.AgencyCode, days, fee, postage,
			flag(p.BCCIIntake), flag(p.BCCIReturn), formatDocuments(p.Documents), p.Source}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAgenciesCSV writes agencies as an agency CSV file that ParseCSV reads back.
func WriteAgenciesCSV(w io.Writer, agencies []domain.Agency) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(AgencyColumns); err != nil {
		return err
	}
	for _, a := range agencies {
		if err := cw.Write([]string{a.Code, a.Name, a.Level, a.Address, a.Phone}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
