package hubreport

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/internal/atomicfile"
	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
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

// exportXLSX streams the rows into one sheet (excelize's StreamWriter keeps
// no row in memory), codes as numbers and everything else as text.
func exportXLSX(ctx context.Context, s *hubstore.Store, from, to time.Time, w io.Writer) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	// Deflate at its fastest level: at the default level compressing the
	// sheet's XML was half of a province year's export (a profile of
	// BenchmarkOneStopExportXLSX); the file is a little larger.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
		return zw
	})
	const sheet = "HoSo"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	head := make([]any, len(hubstore.PortalColumns))
	for i, c := range hubstore.PortalColumns {
		head[i] = c
	}
	if err := sw.SetRow("A1", head); err != nil {
		return 0, err
	}
	row := make([]any, len(hubstore.PortalColumns))
	line := 1
	num := func(n *int) any {
		if n == nil {
			return nil
		}
		return *n
	}
	n, err := s.ExportDossiers(ctx, from, to, func(p *hubstore.PortalDossier) error {
		line++
		row[0], row[1], row[2], row[3], row[4], row[5], row[6] = p.MaHoSo, p.SoBienNhan, p.MaTTHC, p.TenTTHC, p.MaCoQuan, p.MaBuuCuc, p.MaBuuGui
		row[7], row[8], row[9], row[10] = num(p.KenhThucHien), num(p.HinhThucTra), num(p.TrangThaiHoSo), p.TrangThai
		row[11], row[12], row[13], row[14], row[15] = p.NgayTiepNhan, p.NgayHenTra, p.NgayCoKetQua, p.NgayTra, p.PhienBan
		if line > excelize.TotalRows {
			return fmt.Errorf("more dossiers than one sheet holds (%d rows): export a shorter period", excelize.TotalRows)
		}
		cell, err := excelize.CoordinatesToCellName(1, line)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	_, err = f.WriteTo(w)
	return n, err
}
