package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFileGoesThroughHere fails when program code (not tests) writes a
// file some other way, so a new export cannot forget the temporary file,
// the sync or the rename.
func TestEveryFileGoesThroughHere(t *testing.T) {
	direct := regexp.MustCompile(`\bos\.(WriteFile|Create|CreateTemp|Rename)\(|\bO_CREATE\b|\.SaveAs\(`)
	allowed := map[string]string{
		"internal/atomicfile/atomicfile.go": "the helper itself",
		"assets/gen/main.go":                "a generator run by hand at development time",
		"internal/store/backup.go":          "moves the replaced database aside on restore (os.Rename of a whole file); copyFile's result is committed",
		"internal/platform/fatal.go":        "appends one line to the start-up log (O_APPEND): nothing is replaced",
	}
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		found++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := direct.FindIndex(b); loc != nil && allowed[rel] == "" {
			line := 1 + strings.Count(string(b[:loc[0]]), "\n")
			t.Errorf("%s:%d writes a file without internal/atomicfile: %s", rel, line, b[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("only %d Go files seen; is the walk rooted at the module?", found)
	}
}
