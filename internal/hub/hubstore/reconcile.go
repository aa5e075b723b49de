package hubstore

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"postdesk/internal/domain"
	"postdesk/internal/tables"
)

// The reconciliation, per agency and month: PostDesk's BCCI counts (the
// hub's dossiers, counted as the province report counts them) beside the
// one-stop system's all-channel totals (hub report import-totals) and, when
// the one-stop system's own list of dossiers was imported (hub report
// import-onestop), the dossiers each side knows that the other does not.

// ReconcileRow is one agency and month.
type ReconcileRow struct {
	Agency   string       `json:"agency_code"`
	Name     string       `json:"agency_name,omitempty"`
	Month    domain.Month `json:"month"`
	Received int64        `json:"postdesk_received"` // BCCI intakes (figure 2's numerator)
	Returned int64        `json:"postdesk_returned"` // BCCI deliveries (figure 3's)
	// The one-stop system's totals, all channels; nil when none was imported.
	TotalDossiers *int64 `json:"onestop_dossiers"`
	TotalResults  *int64 `json:"onestop_results"`
	// ListBCCI counts the one-stop list's dossiers of the month that came by
	// post (KenhThucHien 3); nil when no list covers the agency and month.
	ListBCCI *int64 `json:"onestop_bcci"`
	// OnlyPostDesk: PostDesk's BCCI dossiers of the month the one-stop list
	// knows by neither MaHoSo nor receipt number (only with a list).
	OnlyPostDesk []string `json:"only_postdesk,omitempty"`
	// OnlyOneStop: the list's by-post dossiers of the month that the hub
	// knows by neither code (MaHoSo).
	OnlyOneStop []string `json:"only_onestop,omitempty"`
	// Problems say what does not add up, in English; Issues are the same
	// with their i18n keys, for the screen.
	Problems []string             `json:"problems,omitempty"`
	Issues   []*domain.FieldError `json:"-"`
}

func (r *ReconcileRow) problem(key, format string, kv ...string) {
	args := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		args[kv[i]] = kv[i+1]
	}
	e := domain.Errf("", key, "%s", strings.NewReplacer(
		"{A}", args["A"], "{B}", args["B"]).Replace(format)).WithArgs(kv...)
	r.Issues = append(r.Issues, e)
	r.Problems = append(r.Problems, e.Msg)
}

// Reconcile builds the rows of the months of p, by agency and month.
func (s *Store) Reconcile(ctx context.Context, p domain.Period) ([]ReconcileRow, error) {
	if err := s.Project(ctx); err != nil {
		return nil, err
	}
	counts, err := s.ReportCounts(ctx, p, false)
	if err != nil {
		return nil, err
	}
	type key struct {
		agency string
		month  domain.Month
	}
	rows := map[key]*ReconcileRow{}
	row := func(a string, m domain.Month) *ReconcileRow {
		k := key{a, m}
		if r, ok := rows[k]; ok {
			return r
		}
		r := &ReconcileRow{Agency: a, Month: m}
		rows[k] = r
		return r
	}
	for _, c := range counts {
		if c.Agency == "" {
			continue
		}
		r := row(c.Agency, c.Month)
		r.Received += c.Received
		r.Returned += c.Returned
	}
	from, to := domain.MonthOf(p.From), domain.MonthOf(p.To)
	tq, err := s.db.QueryContext(ctx, `SELECT agency_code, month, sum(dossiers), sum(results) FROM hub_report_totals
		WHERE month >= ? AND month <= ? GROUP BY agency_code, month`, string(from), string(to))
	if err != nil {
		return nil, err
	}
	for tq.Next() {
		var a, m string
		var d, res int64
		if err := tq.Scan(&a, &m, &d, &res); err != nil {
			tq.Close()
			return nil, err
		}
		r := row(a, domain.Month(m))
		r.TotalDossiers, r.TotalResults = &d, &res
	}
	tq.Close()
	// The list: per agency and month, its by-post dossiers and what the hub lacks of them.
	lq, err := s.db.QueryContext(ctx, `SELECT o.agency_code, o.month, o.official_code, o.channel,
		EXISTS(SELECT 1 FROM hub_dossiers d WHERE d.official_code = o.official_code)
		    OR (o.receipt <> '' AND EXISTS(SELECT 1 FROM hub_dossiers d WHERE d.id = o.receipt))
		FROM onestop_dossiers o WHERE o.month >= ? AND o.month <= ? ORDER BY o.official_code`, string(from), string(to))
	if err != nil {
		return nil, err
	}
	for lq.Next() {
		var a, m, code string
		var ch int
		var known bool
		if err := lq.Scan(&a, &m, &code, &ch, &known); err != nil {
			lq.Close()
			return nil, err
		}
		r := row(a, domain.Month(m))
		if r.ListBCCI == nil {
			r.ListBCCI = new(int64)
		}
		if ch == domain.PortalChannelByPost {
			*r.ListBCCI++
			if !known {
				r.OnlyOneStop = append(r.OnlyOneStop, code)
			}
		}
	}
	lq.Close()
	// PostDesk's BCCI dossiers the list does not know, where a list covers their agency and month.
	dq, err := s.db.QueryContext(ctx, `SELECT d.agency_code, strftime('%Y-%m', d.received_at, '+7 hours') AS m, d.id, d.official_code
		FROM hub_dossiers d
		WHERE d.option <> 'return' AND NOT (d.state = 'cancelled' AND d.sent = 0) AND d.received_at >= ? AND d.received_at < ?
		  AND NOT (d.official_code <> '' AND EXISTS(SELECT 1 FROM onestop_dossiers o WHERE o.official_code = d.official_code))
		  AND NOT EXISTS(SELECT 1 FROM onestop_dossiers o WHERE o.receipt = d.id)
		ORDER BY d.id`, formatTime(p.From), formatTime(p.To.AddDate(0, 0, 1)))
	if err != nil {
		return nil, err
	}
	for dq.Next() {
		var a, m, id, code string
		if err := dq.Scan(&a, &m, &id, &code); err != nil {
			dq.Close()
			return nil, err
		}
		if r, ok := rows[key{a, domain.Month(m)}]; ok && r.ListBCCI != nil {
			if code != "" {
				id += " (" + code + ")"
			}
			r.OnlyPostDesk = append(r.OnlyPostDesk, id)
		}
	}
	dq.Close()
	names := map[string]string{}
	if _, agencies, _, err := s.ReportCatalog(ctx); err == nil {
		for _, a := range agencies {
			names[a.Code] = a.Name
		}
	}
	out := make([]ReconcileRow, 0, len(rows))
	for _, r := range rows {
		r.Name = names[r.Agency]
		itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
		if r.TotalDossiers == nil {
			r.problem("hub.reconcile.no_totals", "no one-stop totals imported for this agency and month")
		} else {
			if *r.TotalDossiers < r.Received {
				r.problem("hub.reconcile.fewer_dossiers", "the one-stop system counts {A} dossiers in all channels, fewer than the {B} PostDesk took by post",
					"A", itoa(*r.TotalDossiers), "B", itoa(r.Received))
			}
			if *r.TotalResults < r.Returned {
				r.problem("hub.reconcile.fewer_results", "the one-stop system counts {A} results in all channels, fewer than the {B} PostDesk returned by post",
					"A", itoa(*r.TotalResults), "B", itoa(r.Returned))
			}
		}
		if r.ListBCCI != nil && *r.ListBCCI != r.Received {
			r.problem("hub.reconcile.list_differs", "the one-stop list has {A} dossiers by post, PostDesk {B}", "A", itoa(*r.ListBCCI), "B", itoa(r.Received))
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Agency != out[j].Agency {
			return out[i].Agency < out[j].Agency
		}
		return out[i].Month < out[j].Month
	})
	return out, nil
}

// oneStopListColumns are the columns of the one-stop list, as
// tables.Name folds them, to the field each fills.
var oneStopListColumns = map[string]string{
	"mahoso": "code", "ma_ho_so": "code", "official_code": "code",
	"macoquan": "agency", "ma_co_quan": "agency", "agency_code": "agency",
	"matthc": "procedure", "ma_tthc": "procedure", "procedure_code": "procedure",
	"ngaytiepnhan": "received", "ngay_tiep_nhan": "received", "received_at": "received",
	"kenhthuchien": "channel", "kenh_thuc_hien": "channel", "channel": "channel",
	"sobiennhan": "receipt", "so_bien_nhan": "receipt", "receipt": "receipt",
}

// oneStopRequired are the list's required fields.
var oneStopRequired = []string{"code", "agency", "received", "channel"}

// ImportOneStopList reads the one-stop system's list of dossiers (CSV or
// XLSX: MaHoSo, MaCoQuan, NgayTiepNhan, KenhThucHien; MaTTHC and
// SoBienNhan optional) and stores it all or nothing, every bad row named
// with its line and column. A dossier listed again (by MaHoSo) is replaced.
func (s *Store) ImportOneStopList(ctx context.Context, r io.Reader, name string) (int, error) {
	var rows []tables.Row
	data, err := outcomeReader.ReadAll(r, name)
	if err != nil {
		return 0, err
	}
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		wb, err := outcomeReader.XLSX(data, name)
		if err != nil {
			return 0, err
		}
		defer wb.Close()
		if rows, err = wb.Rows(wb.Pick("hoso", "ho_so")); err != nil {
			return 0, err
		}
	} else if rows, _, err = outcomeReader.CSV(data, name); err != nil {
		return 0, err
	}
	fail := func(errs *domain.Errors, line int, column, key, format string, a ...any) {
		*errs = append(*errs, domain.Errf(fmt.Sprintf("line %d: %s", line, column), key, format, a...).
			WithArgs("Line", strconv.Itoa(line), "Column", column))
	}
	var errs domain.Errors
	h := 0
	for h < len(rows) && rows[h].Blank() {
		h++
	}
	if h == len(rows) {
		return 0, domain.Errors{domain.Errf(name, "hub.err.outcomes_empty", "the file has no rows")}
	}
	col := map[string]int{}
	header := map[string]string{}
	for i, c := range rows[h].Cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		f, ok := oneStopListColumns[tables.Name(c)]
		if !ok {
			fail(&errs, rows[h].Line, c, "hub.err.outcome_column", "unknown column %q", c)
			continue
		}
		col[f], header[f] = i, strings.TrimSpace(c)
	}
	for _, f := range oneStopRequired {
		if _, ok := col[f]; !ok {
			fail(&errs, rows[h].Line, f, "hub.err.outcome_no_column", "the header has no column for %s", f)
		}
	}
	if len(errs) > 0 {
		return 0, errs
	}
	type item struct {
		code, agency, proc, receipt string
		at                          string
		month                       domain.Month
		channel                     int
	}
	var items []item
	seen := map[string]int{}
	for _, row := range rows[h+1:] {
		if row.Blank() {
			continue
		}
		cell := func(f string) string {
			if i, ok := col[f]; ok && i < len(row.Cells) {
				return domain.Clean(row.Cells[i])
			}
			return ""
		}
		var it item
		before := len(errs)
		if oc, err := domain.ParseOfficialCode(cell("code")); err != nil {
			fail(&errs, row.Line, header["code"], "hub.err.outcome_value", "%v", err)
		} else if l, dup := seen[oc.String()]; dup {
			fail(&errs, row.Line, header["code"], "hub.err.official_twice", "official code %s is also on line %d", oc.String(), l)
		} else {
			it.code, seen[oc.String()] = oc.String(), row.Line
		}
		if it.agency = cell("agency"); domain.ValidAgencyCode(it.agency) != nil {
			fail(&errs, row.Line, header["agency"], "hub.err.outcome_value", "%q is not an agency code", it.agency)
		}
		t, err := domain.ParsePortalTime(cell("received"))
		if err != nil {
			if t, err = domain.ParseDate(cell("received"), domain.Zone); err != nil {
				fail(&errs, row.Line, header["received"], "err.portal.time", "%q is not a date (yyyyMMddHHmmss or dd/mm/yyyy)", cell("received"))
			}
		}
		it.at, it.month = formatTime(t), domain.MonthOf(t)
		n, err := strconv.Atoi(cell("channel"))
		if err != nil || n < 0 || n > 99 {
			fail(&errs, row.Line, header["channel"], "hub.err.outcome_value", "%q is not a channel code (KenhThucHien)", cell("channel"))
		}
		it.channel, it.proc, it.receipt = n, cell("procedure"), cell("receipt")
		if len(it.proc) > domain.MaxShortText || len(it.receipt) > domain.MaxShortText {
			fail(&errs, row.Line, header["receipt"], "hub.err.outcome_value", "a cell is too long")
		}
		if len(errs) == before {
			items = append(items, it)
		}
		if len(errs) >= 500 {
			break
		}
	}
	if len(errs) > 0 {
		return 0, errs
	}
	if len(items) == 0 {
		return 0, domain.Errors{domain.Errf(name, "hub.err.outcomes_empty", "the file has no rows")}
	}
	now := formatTime(s.Now())
	err = s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO onestop_dossiers(official_code, agency_code, procedure_code, received_at, month, channel, receipt, source, imported_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(official_code) DO UPDATE SET agency_code = excluded.agency_code,
			procedure_code = excluded.procedure_code, received_at = excluded.received_at, month = excluded.month,
			channel = excluded.channel, receipt = excluded.receipt, source = excluded.source, imported_at = excluded.imported_at`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, it.code, it.agency, it.proc, it.at, string(it.month), it.channel, it.receipt, Truncate(name, 200), now); err != nil {
				return err
			}
		}
		return nil
	})
	return len(items), err
}
