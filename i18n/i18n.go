// Package i18n holds PostDesk's translations and looks texts up by key.
//
// Each locale is one flat JSON file in this directory, named after the
// locale ("vi.json", "en.json"; a translator adds e.g. "jra.json" and it is
// picked up by the next build). A file maps keys to texts:
//
//	{"intake.title": "Tiếp nhận hồ sơ", "err.cccd.length": "Số CCCD phải có {{.N}} chữ số"}
//
// Texts may hold text/template placeholders such as {{.Name}}, filled by Tf.
// Vietnamese (Default) is complete by rule; any other locale falls back to it
// key by key, and a key missing everywhere shows as itself. The same files
// are valid go-i18n files, so the app can hand Bytes(locale) to Fyne's lang
// package for Fyne's own dialog words, which live here too.
//
// This package has no Fyne dependency; the CLI and the PDF code use it.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"

	"postdesk/internal/domain"
)

// Default is the locale of every screen, receipt and report unless the user
// picks another, whatever the operating system's locale.
const Default = "vi"

//go:embed *.json
var files embed.FS

// Locales lists every embedded locale, Default first and the rest sorted.
func Locales() []string {
	entries, err := files.ReadDir(".")
	if err != nil {
		return []string{Default}
	}
	var out []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || name == Default {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return append([]string{Default}, out...)
}

// Bytes returns the raw JSON file of a locale (as named by Locales).
func Bytes(locale string) ([]byte, bool) {
	if locale == "" || strings.ContainsAny(locale, "/\\") {
		return nil, false
	}
	b, err := files.ReadFile(path.Clean(locale + ".json"))
	if err != nil {
		return nil, false
	}
	return b, true
}

// resolve maps a user- or OS-supplied locale ("vi", "en_US.UTF-8", "EN-gb")
// to an embedded locale name, or "" when there is none.
func resolve(locale string) string {
	l, _, _ := strings.Cut(locale, ".") // drop ".UTF-8"
	l, _, _ = strings.Cut(l, "@")       // drop "@euro"
	l = strings.ReplaceAll(l, "-", "_")
	avail := Locales()
	for _, cand := range []string{l, strings.SplitN(l, "_", 2)[0]} {
		for _, a := range avail {
			if strings.EqualFold(a, cand) {
				return a
			}
		}
	}
	return ""
}

// parseLocale decodes one locale file: a flat object of string values.
func parseLocale(locale string) (map[string]string, error) {
	b, ok := Bytes(locale)
	if !ok {
		return nil, fmt.Errorf("i18n: no locale %q (have %s)", locale, strings.Join(Locales(), ", "))
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: %s.json: %w", locale, err)
	}
	return m, nil
}

// Catalog is the set of texts of one locale, completed from Default.
// It is safe for concurrent use.
type Catalog struct {
	locale string
	msgs   map[string]string
	tmpls  sync.Map // key → *template.Template, or error when it does not parse
}

// New loads the catalog of a locale. Locale names are matched loosely:
// "en_US.UTF-8" finds "en". Keys missing or empty in the locale take the
// Default (Vietnamese) text.
func New(locale string) (*Catalog, error) {
	name := resolve(locale)
	if name == "" {
		return nil, fmt.Errorf("i18n: no locale %q (have %s)", locale, strings.Join(Locales(), ", "))
	}
	base, err := parseLocale(Default)
	if err != nil {
		return nil, err
	}
	if name == Default {
		return newCatalog(name, base, nil), nil
	}
	own, err := parseLocale(name)
	if err != nil {
		return nil, err
	}
	return newCatalog(name, own, base), nil
}

// newCatalog merges msgs over fallback; empty texts count as missing.
func newCatalog(locale string, msgs, fallback map[string]string) *Catalog {
	m := make(map[string]string, len(fallback)+len(msgs))
	for k, v := range fallback {
		if v != "" {
			m[k] = v
		}
	}
	for k, v := range msgs {
		if v != "" {
			m[k] = v
		}
	}
	return &Catalog{locale: locale, msgs: m}
}

// Locale is the catalog's locale name, e.g. "vi".
func (c *Catalog) Locale() string { return c.locale }

// Has reports whether key has a text in this locale or in Default.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// T returns the text of key, or key itself when no locale has it.
// Placeholders are left as they are; use Tf to fill them.
func (c *Catalog) T(key string) string {
	if s, ok := c.msgs[key]; ok {
		return s
	}
	return key
}

// Tf returns the text of key with its {{.Name}} placeholders filled from
// args. A placeholder with no value becomes empty; a text that is not a
// valid template is returned unfilled.
func (c *Catalog) Tf(key string, args map[string]string) string {
	// One of a thing: "1 attempt", not "1 attempts" (key.one, where the
	// language has a singular; Vietnamese has none and keeps the same text).
	if args["N"] == "1" {
		if _, ok := c.msgs[key+".one"]; ok {
			key += ".one"
		}
	}
	s, ok := c.msgs[key]
	if !ok {
		return key
	}
	if !strings.Contains(s, "{{") {
		return s
	}
	v, ok := c.tmpls.Load(key)
	if !ok {
		t, err := template.New(key).Option("missingkey=zero").Parse(s)
		if err != nil {
			v = err
		} else {
			v = t
		}
		c.tmpls.Store(key, v)
	}
	t, ok := v.(*template.Template)
	if !ok {
		return s
	}
	if args == nil {
		args = map[string]string{}
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		return s
	}
	return b.String()
}

// Count writes a whole number with the language's thousands separator
// (number.thousands): 3.005 in Vietnamese, 3,005 in English.
func (c *Catalog) Count(n int) string {
	sep := c.T("number.thousands")
	if sep == "number.thousands" {
		sep = "."
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Count writes n the current locale's way.
func Count(n int) string { return Current().Count(n) }

// lineField matches the "line 12" part of import errors ("line 12: code").
var lineField = regexp.MustCompile(`^line (\d+)$`)

// field translates a FieldError's Field for display: "field.<Field>" when
// that key exists; for "line N: name" the parts are translated separately
// ("field.line" with {{.N}}, "field.<name>"). Untranslated plain field
// names (code identifiers) are dropped; a line number never is.
func (c *Catalog) field(f string) string {
	if f == "" {
		return ""
	}
	if c.Has("field." + f) {
		return c.T("field." + f)
	}
	head, tail, found := cutLast(f, ": ")
	if !found {
		return ""
	}
	var parts []string
	if m := lineField.FindStringSubmatch(head); m != nil && c.Has("field.line") {
		parts = append(parts, c.Tf("field.line", map[string]string{"N": m[1]}))
	} else if h := c.field(head); h != "" {
		parts = append(parts, h)
	} else {
		parts = append(parts, head)
	}
	if c.Has("field." + tail) {
		parts = append(parts, c.T("field."+tail))
	} else {
		parts = append(parts, tail) // a file's column name: what the user sees in the file
	}
	return strings.Join(parts, ": ")
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func (c *Catalog) fieldError(e *domain.FieldError) string {
	var text string
	switch {
	case e.Key != "" && c.Has(e.Key):
		text = c.Tf(e.Key, e.Args)
	case e.Msg != "":
		text = e.Msg
	default:
		text = e.Key
	}
	if f := c.field(e.Field); f != "" {
		return f + ": " + text
	}
	return text
}

// Message returns the text to show a user for err: for a *domain.FieldError
// its translated Key (filled from Args, or its English Msg when the key is
// unknown), prefixed by the translated field name when a "field.<Field>"
// key exists; for domain.Errors one such line per error; for anything else
// err.Error(). A nil err gives "".
func (c *Catalog) Message(err error) string {
	if err == nil {
		return ""
	}
	var es domain.Errors
	if errors.As(err, &es) {
		lines := make([]string, 0, len(es))
		for _, e := range es {
			if e != nil {
				lines = append(lines, c.fieldError(e))
			}
		}
		return strings.Join(lines, "\n")
	}
	var fe *domain.FieldError
	if errors.As(err, &fe) && fe != nil {
		return c.fieldError(fe)
	}
	var me *domain.MoveError
	if errors.As(err, &me) && me != nil {
		return c.moveError(me)
	}
	return err.Error()
}

// moveError names the dossier, its state and the refused move in words.
func (c *Catalog) moveError(e *domain.MoveError) string {
	if !c.Has(e.Key()) {
		return e.Error()
	}
	state := string(e.State)
	if c.Has("state." + state) {
		state = c.T("state." + state)
	}
	move := string(e.Move)
	if c.Has("roundtrip.move." + move) {
		move = c.T("roundtrip.move." + move)
	}
	args := map[string]string{"Dossier": e.Dossier, "State": state, "Move": move}
	if e.First != "" {
		args["First"] = c.T("roundtrip.move." + string(e.First))
		args["Where"] = c.T("move.where." + string(e.First))
	}
	return c.Tf(e.Key(), args)
}

// current is the catalog the package-level functions use.
var current atomic.Pointer[Catalog]

// Current returns the catalog in use, loading Default on first use. If the
// Default file does not load (a broken vi.json; the tests catch that), every
// key shows as itself.
func Current() *Catalog {
	if c := current.Load(); c != nil {
		return c
	}
	c, err := New(Default)
	if err != nil {
		c = newCatalog(Default, nil, nil)
	}
	current.CompareAndSwap(nil, c)
	return current.Load()
}

// SetLocale switches the package-level catalog; on error it is unchanged.
func SetLocale(locale string) error {
	c, err := New(locale)
	if err != nil {
		return err
	}
	current.Store(c)
	return nil
}

// Locale is the name of the current locale.
func Locale() string { return Current().Locale() }

// T returns the text of key in the current locale (see Catalog.T).
func T(key string) string { return Current().T(key) }

// Tf returns the filled text of key in the current locale (see Catalog.Tf).
func Tf(key string, args map[string]string) string { return Current().Tf(key, args) }

// Message returns the text to show a user for err in the current locale
// (see Catalog.Message).
func Message(err error) string { return Current().Message(err) }
