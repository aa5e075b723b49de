package report

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"postdesk/internal/domain"
	"postdesk/internal/tables"
)

// ParseTotalsJSON reads totals posted to the hub's API (POST
// /v1/onestop/totals), in the one-stop system's fields or ours:
//
//	{"TuThang": "202601", "DenThang": "202603",
//	 "totals": [{"MaTTHC": "1.001193", "MaCoQuan": "000.00.20.H21", "Thang": "202603",
//	             "TongSoHoSo": 120, "TongSoKetQua": 97}, …]}
//
// Each item is one row of a totals file (TOTALS.md: the same columns, the
// same names, the same checks), its item number standing for the line; a
// period given once beside the items stands for every item that has none.
// Every problem is returned, as domain.Errors, and then no row.
func ParseTotalsJSON(body []byte, name string) (*TotalsFile, error) {
	var in struct {
		From   json.RawMessage              `json:"TuThang"`
		To     json.RawMessage              `json:"DenThang"`
		Totals []map[string]json.RawMessage `json:"totals"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, domain.Errors{domain.Errf("body", "err.totals.json", "the JSON body must be {\"TuThang\": …, \"DenThang\": …, \"totals\": [...]}: %v", err).
			WithArgs("Value", err.Error())}
	}
	if len(in.Totals) == 0 {
		return nil, domain.Errors{domain.Errf(name, "err.totals.empty", "the file has no rows")}
	}
	var errs domain.Errors
	cols := append(append([]string{}, totalsRequired...), totalsOptional...)
	index := map[string]int{}
	for i, c := range cols {
		index[c] = i
	}
	period := [2]string{}
	for i, raw := range []json.RawMessage{in.From, in.To} {
		if raw == nil {
			continue
		}
		v, ok := jsonCell(raw)
		if !ok {
			errs = append(errs, domain.Errf([]string{"TuThang", "DenThang"}[i], "err.totals.json_value", "a text or a number, not %s", raw).WithArgs("Value", string(raw)))
		}
		period[i] = v
	}
	rows := []tables.Row{{Line: 0, Cells: cols}}
	for i, item := range in.Totals {
		line := i + 1
		cells := make([]string, len(cols))
		keys := make([]string, 0, len(item))
		for k := range item {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n := tables.Name(k)
			if canon, ok := totalsPortal[n]; ok {
				n = canon
			}
			j, known := index[n]
			if !known {
				errs = append(errs, rowErr(line, k, "err.totals.unknown_column", "unknown column %q", k).WithArgs("Value", k))
				continue
			}
			v, ok := jsonCell(item[k])
			if !ok {
				errs = append(errs, rowErr(line, k, "err.totals.json_value", "a text or a number, not %s", item[k]).WithArgs("Value", string(item[k])))
				continue
			}
			cells[j] = v
		}
		for p, c := range []string{colPeriodFrom, colPeriodTo} {
			if cells[index[c]] == "" {
				cells[index[c]] = period[p]
			}
		}
		rows = append(rows, tables.Row{Line: line, Cells: cells})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	f := &TotalsFile{Name: name, SHA256: tables.SHA256(body)}
	return f, parseTable(f, rows)
}

// jsonCell is a JSON text or number as a cell's text ("" for null).
func jsonCell(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&n) == nil {
		if _, err := strconv.ParseFloat(n.String(), 64); err == nil {
			return n.String(), true
		}
	}
	return "", string(bytes.TrimSpace(raw)) == "null"
}
