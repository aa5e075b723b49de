package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsInOneTable: both programs' commands come from their tables
// (commands.go here and in internal/hubcli), not from init() registrations:
// no Go file of internal/cli, internal/hubcli or internal/cmdline has an
// init function.
func TestCommandsInOneTable(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../hubcli", "../cmdline"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, d := range f.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
					t.Errorf("%s: func init() — add the command to its program's table instead", fset.Position(fn.Pos()))
				}
			}
		}
		if n == 0 {
			t.Fatalf("no Go file read in %s", dir)
		}
	}
	// the table reaches the commands: some of every group
	_, usage, _ := run(t, "help")
	for _, path := range []string{"version", "catalog import", "report totals list", "batch import", "calendar show", "hub serve", "hub report kpi", "hub calendar install"} {
		if !strings.Contains(usage, "\n  postdesk "+path+" ") {
			t.Errorf("%q is not in postdesk's commands:\n%s", path, usage)
		}
	}
}
