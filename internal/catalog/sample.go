package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"postdesk/assets"
	"postdesk/internal/domain"
)

// Sample returns the catalog shipped inside PostDesk (assets/catalog): the
// agencies and procedures merged into one File, as one import.
func Sample() (*File, error) {
	agencies, err := ParseCSV(bytes.NewReader(assets.CatalogAgencies), "agencies.csv")
	if err != nil {
		return nil, err
	}
	procs, err := ParseCSV(bytes.NewReader(assets.CatalogProcedures), "procedures.csv")
	if err != nil {
		return nil, err
	}
	return Merge(agencies, procs)
}

// Merge combines several parsed files (say, an agency file and a procedure
// file) into one import. A code defined twice across the files is an error.
func Merge(files ...*File) (*File, error) {
	out := &File{}
	seenA, seenP := map[string]string{}, map[string]string{}
	var errs domain.Errors
	h := sha256.New()
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		h.Write([]byte(f.SHA256))
		for _, a := range f.Agencies {
			if prev, dup := seenA[a.Code]; dup {
				errs = append(errs, domain.Errf(f.Name+": agency_code", "err.catalog.duplicate",
					"agency %s is also defined in %s", a.Code, prev).WithArgs("Value", a.Code))
				continue
			}
			seenA[a.Code] = f.Name
			out.Agencies = append(out.Agencies, a)
		}
		for i, p := range f.Procedures {
			if prev, dup := seenP[p.Code]; dup {
				errs = append(errs, domain.Errf(f.Name+": code", "err.catalog.duplicate",
					"procedure %s is also defined in %s", p.Code, prev).WithArgs("Value", p.Code))
				continue
			}
			seenP[p.Code] = f.Name
			out.Procedures = append(out.Procedures, p)
			line, where := 0, f.Name
			if i < len(f.procLines) {
				line = f.procLines[i]
				if f.procWhere[i] != "" {
					where = f.Name + " " + f.procWhere[i]
				}
			}
			out.procLines = append(out.procLines, line)
			out.procWhere = append(out.procWhere, where)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	out.Name = strings.Join(names, " + ")
	out.SHA256 = hex.EncodeToString(h.Sum(nil))
	if len(files) == 1 {
		out.Name, out.SHA256 = files[0].Name, files[0].SHA256
	}
	missing := map[string]bool{}
	for _, p := range out.Procedures {
		if _, ok := seenA[p.AgencyCode]; !ok && p.AgencyCode != "" {
			missing[p.AgencyCode] = true
		}
	}
	for code := range missing {
		out.MissingAgencies = append(out.MissingAgencies, code)
	}
	sort.Strings(out.MissingAgencies)
	return out, nil
}
