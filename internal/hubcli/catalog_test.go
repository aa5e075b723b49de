package hubcli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/catalog"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

// TestHubCatalogImportBadRowsStoreNothing: a bad row in a catalog file or
// in the commune list refuses the whole import with the file, line and
// column; the hub then holds no catalog version and has queued nothing.
func TestHubCatalogImportBadRowsStoreNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hub.db")
	h, err := hubstore.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	var procs, agencies bytes.Buffer
	catalog.WriteProceduresCSV(&procs, f.Procedures)
	catalog.WriteAgenciesCSV(&agencies, f.Agencies)
	lines := strings.Split(procs.String(), "\n")
	lines[3] = strings.Replace(lines[3], "cấp xã", "cấp huyện", 1) // line 4: a level that is no more
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	badProcs, goodProcs := write("thutuc-sai.csv", strings.Join(lines, "\n")), write("thutuc.csv", procs.String())
	ag := write("coquan.csv", agencies.String())
	badCommunes := write("xa-sai.csv", "name,type,province\nIa Hrú,xã,Gia Lai\nPlei Ơi,thôn,Gia Lai\n")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{badProcs, ag}, []string{"thutuc-sai.csv", "Dòng 4: level", "nothing imported"}},
		{[]string{"--communes", badCommunes, goodProcs, ag}, []string{"xa-sai.csv", "Dòng 3: type", "nothing imported"}},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"catalog", "import", "--db", db}, c.args...)
		if code := Run(args, &out, &errb); code == 0 {
			t.Fatalf("%v: accepted: %s", c.args, out.String())
		}
		for _, w := range c.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%v: the error does not say %q:\n%s", c.args, w, errb.String())
			}
		}
	}
	h, err = hubstore.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if v, _, err := h.ProvinceCatalog(context.Background()); v != 0 || err != nil {
		t.Fatalf("a refused import made version %d (%v)", v, err)
	}
	if n := hubtest.CountRows(t, h, "updates"); n != 0 {
		t.Fatalf("a refused import queued %d updates", n)
	}
	// The good files go through, so the refusals were the rows'.
	var out, errb bytes.Buffer
	if code := Run([]string{"catalog", "import", "--db", db, goodProcs, ag}, &out, &errb); code != 0 || !strings.Contains(out.String(), "province catalog version 1:") {
		t.Fatalf("good files: %d %s %s", code, out.String(), errb.String())
	}
}
