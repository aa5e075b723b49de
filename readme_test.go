package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLayoutMatchesTree: every path the README's layout table names
// exists, and every package folder under internal/ and cmd/ and every
// top-level folder is named there.
func TestReadmeLayoutMatchesTree(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## Layout")
	end := strings.Index(text[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no ## Layout section")
	}
	named := map[string]bool{}
	for _, line := range strings.Split(text[start:start+1+end], "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(line, "|", 3)[1]
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(first, -1) {
			p := strings.TrimSuffix(m[1], "/")
			named[p] = true
			if _, err := os.Stat(p); err != nil {
				t.Errorf("the layout names %s, which is not in the tree", m[1])
			}
		}
	}
	var want []string
	for _, dir := range []string{"internal", "cmd"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				want = append(want, filepath.ToSlash(filepath.Join(dir, e.Name())))
			}
		}
	}
	top, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		switch n := e.Name(); {
		case !e.IsDir(), n == ".git", n == "internal", n == "cmd", n == "bin", n == "dist", n == "e2e-shots":
		default:
			want = append(want, n)
		}
	}
	for _, p := range want {
		if !named[p] {
			t.Errorf("%s/ is in the tree but not in the README's layout table", p)
		}
	}
}
