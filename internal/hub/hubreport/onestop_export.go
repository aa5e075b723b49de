package hubreport

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"postdesk/internal/atomicfile"
	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/xlsxstream"
)

// Export formats of `hub export dossiers`.
const (
	ExportJSON = "json"
	ExportCSV  = "csv"
	ExportXLSX = "xlsx"
)

// ExportDossiersFile writes every dossier received in the days of p (both
// ends included, Vietnam's days) to path in the portal's vocabulary (json,
// csv or xlsx), written then renamed. It returns the rows written.
func ExportDossiersFile(ctx context.Context, s *hubstore.Store, p domain.Period, format, path string) (int, error) {
	start, end := p.From, p.To.AddDate(0, 0, 1)
	var n int
	var write func(w io.Writer) error
	switch format {
	case ExportJSON:
		write = func(w io.Writer) (err error) { n, err = exportJSON(ctx, s, start, end, w); return err }
	case ExportCSV:
		write = func(w io.Writer) (err error) { n, err = exportCSV(ctx, s, start, end, w); return err }
	case ExportXLSX:
		write = func(w io.Writer) (err error) { n, err = exportXLSX(ctx, s, start, end, w); return err }
	default:
		return 0, domain.Errf("format", "hub.err.export_format", "%q is not an export format: json, csv or xlsx", format).WithArgs("Value", format)
	}
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	return n, err
}

// exportJSON writes {"dossiers":[…]} one dossier a line.
func exportJSON(ctx context.Context, s *hubstore.Store, from, to time.Time, w io.Writer) (int, error) {
	if _, err := io.WriteString(w, "{\"dossiers\":["); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	first := true
	n, err := s.ExportDossiers(ctx, from, to, func(p *hubstore.PortalDossier) error {
		sep := ",\n"
		if first {
			sep, first = "\n", false
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return n, err
	}
	_, err = io.WriteString(w, "\n]}\n")
	return n, err
}

func exportCSV(ctx context.Context, s *hubstore.Store, from, to time.Time, w io.Writer) (int, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil { // Excel reads UTF-8 with its BOM
		return 0, err
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(hubstore.PortalColumns); err != nil {
		return 0, err
	}
	n, err := s.ExportDossiers(ctx, from, to, func(p *hubstore.PortalDossier) error { return cw.Write(p.Cells()) })
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// exportXLSX writes the rows into one sheet with internal/xlsxstream:
// codes as numbers, the values that repeat over rows (procedure, agency,
// post point, state) once in the shared strings, the rest inline. With
// excelize's StreamWriter a province year took 32 s of CPU, most of it in
// excelize's work per cell (README, Performance).
func exportXLSX(ctx context.Context, s *hubstore.Store, from, to time.Time, w io.Writer) (int, error) {
	x, err := xlsxstream.New(w, "HoSo")
	if err != nil {
		return 0, err
	}
	for _, c := range hubstore.PortalColumns {
		x.Text(c)
	}
	if err := x.EndRow(); err != nil {
		return 0, err
	}
	num := func(n *int) {
		if n == nil {
			x.Skip()
			return
		}
		x.Int(int64(*n))
	}
	n, err := s.ExportDossiers(ctx, from, to, func(p *hubstore.PortalDossier) error {
		x.Text(p.MaHoSo)
		x.Text(p.SoBienNhan)
		x.Shared(p.MaTTHC)
		x.Shared(p.TenTTHC)
		x.Shared(p.MaCoQuan)
		x.Shared(p.MaBuuCuc)
		x.Text(p.MaBuuGui)
		num(p.KenhThucHien)
		num(p.HinhThucTra)
		num(p.TrangThaiHoSo)
		x.Shared(p.TrangThai)
		x.Text(p.NgayTiepNhan)
		x.Text(p.NgayHenTra)
		x.Text(p.NgayCoKetQua)
		x.Text(p.NgayTra)
		x.Int(int64(p.PhienBan))
		if err := x.EndRow(); err != nil {
			if errors.Is(err, xlsxstream.ErrTooManyRows) {
				return fmt.Errorf("more dossiers than one sheet holds (%d rows): export a shorter period", xlsxstream.MaxRows-1)
			}
			return err
		}
		return nil
	})
	if err != nil {
		x.Close()
		return n, err
	}
	return n, x.Close()
}
