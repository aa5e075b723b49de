package app

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// The rule: every text a screen shows comes from i18n/ (or is data: a
// value from the database, a number, a date, an amount, a key name). This
// test builds every registered screen as a supervisor (who sees them all),
// plus the first-start and sign-in screens, in every locale, and fails on
// any visible text that is neither.

// textChecker knows the allowed texts of one locale and database.
type textChecker struct {
	exact    map[string]bool
	patterns []*regexp.Regexp
	data     map[string]bool
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.[A-Za-z0-9_]+\s*\}\}`)

func newTextChecker(t *testing.T, locale string, s *store.Store) *textChecker {
	t.Helper()
	c := &textChecker{exact: map[string]bool{}, data: map[string]bool{}}
	raw, ok := i18n.Bytes(locale)
	if !ok {
		t.Fatalf("no locale %s", locale)
	}
	files := []map[string]string{}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	files = append(files, m)
	if locale != i18n.Default { // missing keys fall back to Vietnamese
		b, _ := i18n.Bytes(i18n.Default)
		var d map[string]string
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		files = append(files, d)
	}
	for _, f := range files {
		for _, v := range f {
			c.addValue(v)
		}
	}
	c.addDatabase(t, testtool.DB(t, s.Path()))
	// The commune list shipped with the app is data too.
	communes, err := catalog.ParseCommunes(bytes.NewReader(assets.CatalogCommunes))
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range communes {
		c.addData(cm.Name)
		c.addData(cm.Label())
		c.addData(cm.Province)
	}
	return c
}

// addValue allows a locale text; a template's placeholders match anything.
func (c *textChecker) addValue(v string) {
	for _, line := range strings.Split(v, "\n") {
		if !placeholderRE.MatchString(line) {
			c.exact[strings.TrimSpace(line)] = true
			continue
		}
		parts := placeholderRE.Split(line, -1)
		letters := 0
		for _, r := range strings.Join(parts, "") {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters < 3 {
			continue // "{{.Name}}" alone or "{{.A}} {{.B}}" would allow anything
		}
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		c.patterns = append(c.patterns, regexp.MustCompile(`^\s*`+strings.Join(parts, `(?s:.*?)`)+`\s*$`))
	}
}

// addDatabase allows every text stored in the database: staff names, the
// post point, the catalog, the dossiers' fields (inside their JSON too).
func (c *textChecker) addDatabase(t *testing.T, db *sql.DB) {
	t.Helper()
	tables, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, tbl := range names {
		rows, err := db.Query(fmt.Sprintf("SELECT * FROM %q", tbl))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				default:
					continue
				}
				c.addData(s)
			}
		}
		rows.Close()
	}
}

func (c *textChecker) addData(s string) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2000 {
		return
	}
	if s[0] == '{' || s[0] == '[' {
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			c.addJSON(v)
			return
		}
	}
	c.data[s] = true
}

func (c *textChecker) addJSON(v any) {
	switch x := v.(type) {
	case string:
		c.addData(x)
	case []any:
		for _, e := range x {
			c.addJSON(e)
		}
	case map[string]any:
		for _, e := range x {
			c.addJSON(e)
		}
	}
}

// dataRE matches texts with no words: numbers, dates, times, amounts,
// codes, key names (F3, Alt+1, Ctrl+L) and punctuation.
var dataRE = regexp.MustCompile(`^[\p{N}\p{P}\p{S}\s]*$|^(/|[A-Za-z]:\\)\S*$|^([A-Z0-9]{1,4}[\d.\-]+[A-Z0-9.\-]*|F\d{1,2}|(Alt|Ctrl|Shift)\+[A-Z0-9]|[·\s])+$`)

// separators split composed texts ("600900 · Bưu điện … · máy A").
var separators = []string{"\n", " · ", " — ", " – ", ": ", " (", ")", ", "}

func (c *textChecker) ok(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || c.exact[s] || c.data[s] || dataRE.MatchString(s) {
		return true
	}
	for _, p := range c.patterns {
		if p.MatchString(s) {
			return true
		}
	}
	for _, sep := range separators {
		if strings.Contains(s, sep) {
			for _, part := range strings.Split(s, sep) {
				if !c.ok(part) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// shownTexts lists every text a user can read under o, with where it is.
func shownTexts(o fyne.CanvasObject) map[string]string {
	out := map[string]string{}
	add := func(s, where string) {
		if strings.TrimSpace(s) != "" {
			out[s] = where
		}
	}
	objs := test.LaidOutObjects(o)
	// An entry's own text is data the user typed or the database gave; its
	// RichText must not be checked as a label.
	typed := map[string]bool{}
	for _, obj := range objs {
		switch w := obj.(type) {
		case *widget.Entry:
			typed[w.Text] = true
		case *Entry:
			typed[w.Text] = true
		case *widget.SelectEntry:
			typed[w.Text] = true
		}
	}
	for _, obj := range objs {
		if !obj.Visible() {
			continue
		}
		switch w := obj.(type) {
		case *widget.Label:
			add(w.Text, "Label")
		case *widget.Button:
			add(w.Text, "Button")
		case *deskButton:
			add(w.Text, "Button")
		case *widget.Check:
			add(w.Text, "Check")
		case *widget.Select:
			if w.Selected == "" { // Fyne's own "(Select one)" is never translated: set PlaceHolder
				add(w.PlaceHolder, "Select placeholder")
			}
			for _, opt := range w.Options {
				add(opt, "Select option")
			}
		case *widget.RadioGroup:
			for _, opt := range w.Options {
				add(opt, "Radio option")
			}
		case *widget.SelectEntry:
			add(w.PlaceHolder, "SelectEntry placeholder")
		case *widget.Entry:
			add(w.PlaceHolder, "Entry placeholder")
		case *Entry:
			add(w.PlaceHolder, "Entry placeholder")
		case *widget.Hyperlink:
			add(w.Text, "Hyperlink")
		case *widget.Card:
			add(w.Title, "Card title")
			add(w.Subtitle, "Card subtitle")
		case *container.AppTabs:
			for _, it := range w.Items {
				add(it.Text, "Tab")
			}
		case *widget.Form:
			for _, it := range w.Items {
				add(it.Text, "Form label")
				add(it.HintText, "Form hint")
			}
		case *widget.RichText:
			if !typed[w.String()] {
				add(w.String(), "RichText")
			}
		case *navItem:
			add(w.text, "Navigation")
			add(w.key, "Navigation key")
		case *canvas.Text:
			// Rendered by the widgets above; checked through them.
		}
	}
	return out
}

// checkScreen reports the texts under o that are not from i18n.
func (c *textChecker) checkScreen(t *testing.T, name string, o fyne.CanvasObject) {
	t.Helper()
	var bad []string
	for s, where := range shownTexts(o) {
		if !c.ok(s) {
			bad = append(bad, fmt.Sprintf("%s %q", where, s))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s shows a text that is not from i18n/: %s", name, b)
	}
}

func TestEveryScreenTextIsTranslated(t *testing.T) {
	for _, locale := range i18n.Locales() {
		t.Run(locale, func(t *testing.T) {
			defer useLocale(i18n.Default)
			u, _ := newTestUI(t, "")
			// Open applied the stored language (Vietnamese); switch as a
			// restart with another language would.
			useLocale(locale)
			c := newTextChecker(t, locale, u.Store)
			u.showSignIn("")
			c.checkScreen(t, "sign-in", u.Win.Canvas().Content())
			u.showSetup()
			c.checkScreen(t, "first start", u.Win.Canvas().Content())
			u.Start()
			if err := u.SignInAs("truong", "1234"); err != nil {
				t.Fatal(err)
			}
			for _, id := range u.ScreenIDs() {
				u.Show(id)
				if u.Current() != id {
					t.Errorf("supervisor cannot open %s", id)
					continue
				}
				c.checkScreen(t, "screen "+id, u.Win.Canvas().Content())
			}
			u.Lock()
			c.checkScreen(t, "lock screen", u.Win.Canvas().Content())
		})
	}
}

// The checker itself must catch a hard-coded string, or it proves nothing.
func TestTextCheckerCatchesHardCodedText(t *testing.T) {
	u, _ := newTestUI(t, "")
	c := newTextChecker(t, "vi", u.Store)
	for _, s := range []string{"Save", "Lưu hồ sơ ngay", "Tổng cộng: abc"} {
		if c.ok(s) {
			t.Errorf("%q passes as translated", s)
		}
	}
	for _, s := range []string{
		i18n.T("app.signin.submit"),
		i18n.Tf("app.status.waiting", map[string]string{"N": "1.234"}),
		"600900 · Bưu điện Văn hóa xã Ia O · " + i18n.Tf("app.status.device", map[string]string{"Letter": "A"}),
		"Nguyễn Thị Lan (" + i18n.T("app.role.clerk") + ")",
		"15.000 ₫", "10/03/2026", "F3 · Alt+1", "Ctrl+L", "600900A-260310-0001",
	} {
		if !c.ok(s) {
			t.Errorf("%q does not pass", s)
		}
	}
	bad := container.NewVBox(widget.NewLabel(i18n.T("app.signin.submit")), widget.NewButton("Delete everything", nil))
	texts := shownTexts(bad)
	if _, ok := texts["Delete everything"]; !ok {
		t.Fatal("shownTexts misses a button")
	}
}
