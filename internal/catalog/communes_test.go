package catalog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/assets"
	"postdesk/internal/domain"
)

// What ParseCommunes reads, ValidateCommunes accepts (the shipped list);
// a list from elsewhere is checked the same way, each problem named by the
// commune's place and column.
func TestValidateCommunes(t *testing.T) {
	shipped, err := ParseCommunes(bytes.NewReader(assets.CatalogCommunes))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateCommunes(shipped); err != nil {
		t.Fatalf("the shipped list: %v", err)
	}
	bad := []domain.Commune{
		{Name: "Ia Hrú", Type: "xã", Province: "Gia Lai"},
		{Name: "", Type: "xã"},
		{Name: "Plei Ơi", Type: "thôn"},
		{Name: "Ia  Băng", Type: "xã"},
		{Name: "ia hrú", Type: "xã", Province: "Gia Lai"},
		{Name: strings.Repeat("Ia ", 200) + "O", Type: "xã"},
	}
	err = ValidateCommunes(bad)
	var errs domain.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("bad list: %v", err)
	}
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, "; "); got != "commune 2: name; commune 3: type; commune 4: name; commune 5: name; commune 6: name" {
		t.Fatalf("fields: %s", got)
	}
}

func TestParseCommuneFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "xa.csv")
	os.WriteFile(good, []byte("name,type,province\nIa Hrú,xã,Gia Lai\n"), 0o600)
	if list, err := ParseCommuneFile(good); err != nil || len(list) != 1 || list[0].Label() != "xã Ia Hrú" {
		t.Fatalf("%v %v", list, err)
	}
	bad := filepath.Join(dir, "xa2.csv")
	os.WriteFile(bad, []byte("name,type\nIa Hrú,xã\nPlei Ơi,thôn\n"), 0o600)
	_, err := ParseCommuneFile(bad)
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || !strings.Contains(errs[0].Field, "3") || !strings.Contains(errs[0].Field, "type") {
		t.Fatalf("bad row: %v", err)
	}
	if _, err := ParseCommuneFile(filepath.Join(dir, "xa.xlsx")); err == nil {
		t.Fatal("an .xlsx commune list accepted")
	}
}
