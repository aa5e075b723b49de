package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"golang.org/x/text/unicode/norm"

	"postdesk/internal/domain"
)

// load returns every embedded locale file, decoded.
func load(t *testing.T) map[string]map[string]string {
	t.Helper()
	all := map[string]map[string]string{}
	for _, l := range Locales() {
		m, err := parseLocale(l)
		if err != nil {
			t.Fatalf("%s.json: %v (each locale file is one flat JSON object of strings)", l, err)
		}
		all[l] = m
	}
	return all
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestLocalesListsEmbeddedFiles(t *testing.T) {
	ls := Locales()
	if len(ls) == 0 || ls[0] != Default {
		t.Fatalf("Locales() = %v, want %q first", ls, Default)
	}
	for _, want := range []string{"vi", "en"} {
		if !slices.Contains(ls, want) {
			t.Errorf("Locales() = %v, lacks %q", ls, want)
		}
		if _, ok := Bytes(want); !ok {
			t.Errorf("Bytes(%q) not found", want)
		}
	}
	for _, bad := range []string{"", "xx", "../i18n/vi", "vi.json"} {
		if _, ok := Bytes(bad); ok {
			t.Errorf("Bytes(%q) found a file", bad)
		}
	}
}

// TestSameKeysAsVietnamese fails for every key a locale lacks or adds.
func TestSameKeysAsVietnamese(t *testing.T) {
	all := load(t)
	vi := all[Default]
	for _, l := range Locales() {
		if l == Default {
			continue
		}
		for _, k := range sortedKeys(vi) {
			if _, ok := all[l][k]; !ok {
				t.Errorf("%s.json is missing key %q (vi: %q)", l, k, vi[k])
			}
		}
		for _, k := range sortedKeys(all[l]) {
			if _, ok := vi[k]; !ok {
				t.Errorf("%s.json has key %q that vi.json lacks", l, k)
			}
		}
	}
}

// TestVietnameseComplete: vi is every other locale's fallback, so no text
// of it may be empty (other locales may leave a text empty to fall back).
func TestVietnameseComplete(t *testing.T) {
	for k, v := range load(t)[Default] {
		if strings.TrimSpace(v) == "" {
			t.Errorf("vi.json: key %q has an empty text", k)
		}
	}
}

func TestNoDuplicateKeys(t *testing.T) {
	for _, l := range Locales() {
		b, _ := Bytes(l)
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil { // {
			t.Fatalf("%s.json: %v", l, err)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s.json: %v", l, err)
			}
			k, _ := tok.(string)
			if seen[k] {
				t.Errorf("%s.json: key %q appears twice", l, k)
			}
			seen[k] = true
			if _, err := dec.Token(); err != nil { // the value
				t.Fatalf("%s.json: %v", l, err)
			}
		}
	}
}

func TestNFC(t *testing.T) {
	for l, m := range load(t) {
		for k, v := range m {
			if !norm.NFC.IsNormalString(k) {
				t.Errorf("%s.json: key %q is not NFC", l, k)
			}
			if !norm.NFC.IsNormalString(v) {
				t.Errorf("%s.json: %q: text %q is not NFC (want %q)", l, k, v, norm.NFC.String(v))
			}
		}
	}
}

// placeholders returns the {{.X}} fields a template uses, anywhere in it.
func placeholders(text string) (map[string]bool, error) {
	tmpl, err := template.New("").Parse(text)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out[strings.Join(n.Ident, ".")] = true
		case *parse.ChainNode:
			walk(n.Node)
		}
	}
	if tmpl.Tree != nil {
		walk(tmpl.Tree.Root)
	}
	return out, nil
}

func TestTemplatesParse(t *testing.T) {
	for l, m := range load(t) {
		for k, v := range m {
			if _, err := template.New(k).Parse(v); err != nil {
				t.Errorf("%s.json: %q: %v", l, k, err)
			}
		}
	}
}

// TestPlaceholdersMatch: a translation must use every placeholder the
// Vietnamese text uses (it would silently lose a value otherwise), and no
// placeholder vi lacks (callers only pass what vi needs).
func TestPlaceholdersMatch(t *testing.T) {
	all := load(t)
	for k, v := range all[Default] {
		want, err := placeholders(v)
		if err != nil {
			continue // reported by TestTemplatesParse
		}
		for _, l := range Locales() {
			tr, ok := all[l][k]
			if l == Default || !ok || tr == "" {
				continue
			}
			got, err := placeholders(tr)
			if err != nil {
				continue
			}
			for p := range want {
				if !got[p] {
					t.Errorf("%s.json: %q lacks placeholder {{.%s}} (vi: %q, %s: %q)", l, k, p, v, l, tr)
				}
			}
			for p := range got {
				if !want[p] {
					t.Errorf("%s.json: %q uses placeholder {{.%s}} that vi does not (vi: %q, %s: %q)", l, k, p, v, l, tr)
				}
			}
		}
	}
}

// TestGoI18nCompatible: the files are also handed to Fyne's lang package
// (go-i18n), which reads a top-level key named like one of its reserved
// fields as "this whole file is one message" and rejects the file.
func TestGoI18nCompatible(t *testing.T) {
	reserved := []string{"id", "description", "hash", "leftdelim", "rightdelim",
		"zero", "one", "two", "few", "many", "other", "translation"}
	for l, m := range load(t) {
		for k := range m {
			if slices.Contains(reserved, strings.ToLower(k)) {
				t.Errorf("%s.json: key %q is reserved by go-i18n; rename it (e.g. %q)", l, k, "x."+k)
			}
		}
	}
}

// fyneKeys are the words Fyne v2.7.1 itself looks up through its lang
// package (dialogs, entry menu, calendar, quit menu).
var fyneKeys = []string{
	"Advanced", "Cancel", "Confirm", "Copy", "Create Folder", "Cut", "Enter filename",
	"Error", "Favourites", "File", "Folder", "New Folder", "No", "OK", "Open", "Paste",
	"Quit", "Redo", "Save", "Select all", "Show Hidden Files", "Undo", "Yes",
	"file.name", "file.parent",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"monday.short", "tuesday.short", "wednesday.short", "thursday.short",
	"friday.short", "saturday.short", "sunday.short",
}

func TestFyneWords(t *testing.T) {
	all := load(t)
	for _, k := range fyneKeys {
		if _, ok := all[Default][k]; !ok {
			t.Errorf("vi.json lacks Fyne's key %q", k)
		}
	}
	if got := all["en"]["Cancel"]; got != "Cancel" {
		t.Errorf("en.json Cancel = %q, want Fyne's own English", got)
	}
}

func TestCatalogFallback(t *testing.T) {
	c := newCatalog("en",
		map[string]string{"hello": "Hello {{.Name}}", "empty": ""},
		map[string]string{"hello": "Xin chào {{.Name}}", "only.vi": "Chỉ tiếng Việt", "empty": "Rỗng"})
	cases := []struct{ got, want string }{
		{c.T("hello"), "Hello {{.Name}}"},
		{c.Tf("hello", map[string]string{"Name": "Rơ Mah H'Bích"}), "Hello Rơ Mah H'Bích"},
		{c.Tf("hello", nil), "Hello "},
		{c.T("only.vi"), "Chỉ tiếng Việt"},
		{c.T("empty"), "Rỗng"},
		{c.T("no.such.key"), "no.such.key"},
		{c.Tf("no.such.key", map[string]string{"A": "b"}), "no.such.key"},
	}
	for i, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("case %d: got %q, want %q", i, tc.got, tc.want)
		}
	}
	bad := newCatalog("vi", map[string]string{"bad": "Lỗi {{.X"}, nil)
	if got := bad.Tf("bad", map[string]string{"X": "1"}); got != "Lỗi {{.X" {
		t.Errorf("bad template: got %q", got)
	}
}

func TestNewResolvesLocales(t *testing.T) {
	for in, want := range map[string]string{"vi": "vi", "en": "en", "en_US.UTF-8": "en", "vi-VN": "vi", "EN": "en"} {
		c, err := New(in)
		if err != nil {
			t.Errorf("New(%q): %v", in, err)
			continue
		}
		if c.Locale() != want {
			t.Errorf("New(%q).Locale() = %q, want %q", in, c.Locale(), want)
		}
	}
	if _, err := New("not a locale"); err == nil {
		t.Error(`New("not a locale") succeeded`)
	}
	en, _ := New("en")
	vi, _ := New("vi")
	if en.T("Cancel") != "Cancel" || vi.T("Cancel") != "Hủy" {
		t.Errorf("Cancel: en %q, vi %q", en.T("Cancel"), vi.T("Cancel"))
	}
}

func TestSetLocale(t *testing.T) {
	defer func() {
		if err := SetLocale(Default); err != nil {
			t.Fatal(err)
		}
	}()
	if Locale() != Default {
		t.Fatalf("initial locale %q", Locale())
	}
	if T("OK") != "Đồng ý" {
		t.Errorf("vi OK = %q", T("OK"))
	}
	if err := SetLocale("en"); err != nil {
		t.Fatal(err)
	}
	if T("OK") != "OK" || Tf("field.line", map[string]string{"N": "3"}) != "Line 3" {
		t.Errorf("en: OK = %q, field.line = %q", T("OK"), Tf("field.line", map[string]string{"N": "3"}))
	}
	if err := SetLocale("not a locale"); err == nil {
		t.Error(`SetLocale("not a locale") succeeded`)
	}
	if Locale() != "en" {
		t.Errorf("failed SetLocale changed the locale to %q", Locale())
	}
}

func TestMessage(t *testing.T) {
	c := newCatalog("vi", map[string]string{
		"err.cccd.length":      "phải có {{.N}} chữ số",
		"field.applicant.cccd": "Số CCCD",
		"field.code":           "Mã",
		"field.line":           "Dòng {{.N}}",
	}, nil)
	length := domain.Errf("applicant.cccd", "err.cccd.length", "must have %d digits", 12).WithArgs("N", "12")
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("disk full"), "disk full"},
		{length, "Số CCCD: phải có 12 chữ số"},
		{fmt.Errorf("intake: %w", length), "Số CCCD: phải có 12 chữ số"},
		{length.In("applicant.unknown_field"), "phải có 12 chữ số"},
		{length.In(""), "phải có 12 chữ số"},
		{domain.Errf("applicant.cccd", "err.not.translated", "bad province %s", "999"), "Số CCCD: bad province 999"},
		{length.In("line 12: code"), "Dòng 12: Mã: phải có 12 chữ số"},
		{length.In("line 7: weird"), "Dòng 7: weird: phải có 12 chữ số"}, // an untranslated column keeps its name from the file
		{domain.Errors{length.In("line 1: code"), nil, domain.Errf("", "err.x", "boom")}, "Dòng 1: Mã: phải có 12 chữ số\nboom"},
		{fmt.Errorf("import: %w", domain.Errors{length}), "Số CCCD: phải có 12 chữ số"},
	}
	for i, tc := range cases {
		if got := c.Message(tc.err); got != tc.want {
			t.Errorf("case %d (%v): got %q, want %q", i, tc.err, got, tc.want)
		}
	}
	// Without a "field.line" key the line number and column still show.
	bare := newCatalog("vi", map[string]string{"err.cccd.length": "phải có {{.N}} chữ số"}, nil)
	if got := bare.Message(length.In("line 12: code")); got != "line 12: code: phải có 12 chữ số" {
		t.Errorf("bare: got %q", got)
	}
	// The package-level function uses the current catalog.
	if got := Message(errors.New("x")); got != "x" {
		t.Errorf("Message = %q", got)
	}
}

func TestMoveErrorInWords(t *testing.T) {
	c, err := New("vi")
	if err != nil {
		t.Fatal(err)
	}
	_, moveErr := domain.Next("600900A-261125-0001", domain.StateDelivered, domain.OptionSendAndReturn, domain.KindDeliver)
	got := c.Message(fmt.Errorf("deliver: %w", moveErr))
	if !strings.Contains(got, "600900A-261125-0001") || !strings.Contains(got, c.T("state.delivered")) || strings.Contains(got, "dossier.deliver") {
		t.Fatalf("move error shown as %q", got)
	}
	_, moveErr = domain.Next("X", domain.StateResultReady, domain.OptionSend, domain.KindResultHandover)
	if got := c.Message(moveErr); !strings.Contains(got, "bưu chính") {
		t.Fatalf("option refusal shown as %q", got)
	}
}
