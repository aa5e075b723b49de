package hubweb

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

//go:embed web/*.html web/hub.css
var webFiles embed.FS

const (
	sessionCookie = "pd_hub_session"
	loginCookie   = "pd_hub_login" // double-submit CSRF token of the sign-in form
	langCookie    = "pd_hub_lang"
)

// ---------------------------------------------------------------- pages added by other packages

// PageHandler serves a staff page given in Options.Pages. It runs only for
// a signed-in user; p gives the store, the user, the CSRF token for forms,
// the translations and the shared layout.
type PageHandler func(w http.ResponseWriter, r *http.Request, p *Page)

// ExtraPage is a staff page served beside the hub's own (the province
// report, internal/hub/hubreport): at Path (e.g. "/report"), with a nav
// link titled by the i18n key TitleKey.
type ExtraPage struct {
	Path, TitleKey string
	Handler        PageHandler
}

// checkPages refuses, with a panic at start-up, paths under /v1/, the
// hub's own paths and a path given twice, and sorts the pages by path.
func checkPages(in []ExtraPage) []ExtraPage {
	pages := slices.Clone(in)
	for i, p := range pages {
		switch p.Path {
		case "/", "/login", "/logout", "/conflicts", "/dossier", "/tokens", "/upload", "/devices/revoke", "/hub.css":
			panic("hubweb: page " + p.Path + " is taken")
		}
		if len(p.Path) < 2 || p.Path[0] != '/' || strings.HasPrefix(p.Path, "/v1/") {
			panic("hubweb: bad page path " + p.Path)
		}
		for _, q := range pages[:i] {
			if q.Path == p.Path {
				panic("hubweb: page " + p.Path + " given twice")
			}
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].Path < pages[j].Path })
	return pages
}

// Page is what an extra page's handler gets.
type Page struct {
	Store   *hubstore.Store
	User    string
	CSRF    string // put in every form as <input type="hidden" name="csrf">; POSTs are checked before the handler runs
	Catalog *i18n.Catalog
	w       *web
	r       *http.Request
}

// T translates an i18n key in the user's language.
func (p *Page) T(key string) string { return p.Catalog.T(key) }

// Render writes body (already safe HTML) inside the hub's layout, with
// the page title from the i18n key titleKey.
func (p *Page) Render(w http.ResponseWriter, titleKey string, body template.HTML) {
	p.w.render(w, p.r, "page", p.T(titleKey), body, "", "")
}

// Funcs are the template functions of the hub's pages (t: translate,
// when: dd/mm/yyyy HH:MM in Vietnam, date: dd/mm/yyyy, money: 15.000 ₫),
// for report templates that want the same.
func (p *Page) Funcs() template.FuncMap { return funcs(p.Catalog) }

// ---------------------------------------------------------------- the web page

type web struct {
	srv   *Server
	tmpls map[string]*template.Template // by page, for each language
	css   []byte
}

func funcs(c *i18n.Catalog) template.FuncMap {
	return template.FuncMap{
		"t": c.T,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return domain.FormatDateTime(t)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return domain.FormatDate(t)
		},
		"money": func(m domain.Money) string { return domain.FormatMoney(m) },
		"short": func(h string) string {
			if len(h) > 12 {
				return h[:12] + "…"
			}
			return h
		},
	}
}

func newWeb(srv *Server) *web {
	w := &web{srv: srv, tmpls: map[string]*template.Template{}}
	w.css, _ = webFiles.ReadFile("web/hub.css")
	for _, lang := range []string{"vi", "en"} {
		cat, err := i18n.New(lang)
		if err != nil {
			panic(err)
		}
		for _, page := range []string{"login", "home", "token", "conflicts", "page", "dossier"} {
			t := template.Must(template.New("layout.html").Funcs(funcs(cat)).ParseFS(webFiles, "web/layout.html", "web/"+page+".html"))
			w.tmpls[lang+"/"+page] = t
		}
	}
	m := srv.mux
	m.HandleFunc("GET /hub.css", w.serveCSS)
	m.HandleFunc("GET /login", w.loginForm)
	m.HandleFunc("POST /login", w.login)
	m.HandleFunc("POST /logout", w.auth(w.logout))
	m.HandleFunc("GET /{$}", w.auth(w.home))
	m.HandleFunc("GET /conflicts", w.auth(w.conflicts))
	m.HandleFunc("GET /dossier", w.auth(w.dossier))
	m.HandleFunc("POST /tokens", w.auth(w.issueToken))
	m.HandleFunc("POST /devices/revoke", w.auth(w.revoke))
	m.HandleFunc("POST /upload", w.auth(w.upload))
	for _, p := range srv.opt.Pages {
		h := p.Handler
		m.HandleFunc(p.Path, w.auth(func(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
			h(rw, r, &Page{Store: srv.store, User: s.Username, CSRF: s.CSRF, Catalog: w.catalog(r), w: w, r: r})
		}))
	}
	return w
}

func (w *web) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "vi" {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "en" || c.Value == "vi") {
		return c.Value
	}
	return i18n.Default // Vietnamese, whatever the browser says
}

func (w *web) catalog(r *http.Request) *i18n.Catalog {
	c, err := i18n.New(w.lang(r))
	if err != nil {
		c, _ = i18n.New(i18n.Default)
	}
	return c
}

type navItem struct{ Path, TitleKey string }

type view struct {
	Lang, Title, HubName, User, CSRF, Path string
	Error, Notice                          string
	Nav                                    []navItem
	Data                                   any
}

func (w *web) render(rw http.ResponseWriter, r *http.Request, page, title string, data any, errMsg, notice string) {
	w.renderStatus(rw, r, http.StatusOK, page, title, data, errMsg, notice)
}

func (w *web) renderStatus(rw http.ResponseWriter, r *http.Request, status int, page, title string, data any, errMsg, notice string) {
	lang := w.lang(r)
	if q := r.URL.Query().Get("lang"); q == "en" || q == "vi" {
		http.SetCookie(rw, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode,
			HttpOnly: true, Secure: w.srv.opt.SecureCookies})
	}
	v := view{Lang: lang, Title: title, HubName: w.srv.opt.Name, Path: r.URL.Path, Error: errMsg, Notice: notice, Data: data}
	if s, ok := r.Context().Value(sessionKey{}).(*hubstore.Session); ok {
		v.User, v.CSRF = s.Username, s.CSRF
	} else if c, ok := r.Context().Value(loginKey{}).(string); ok {
		v.CSRF = c
	}
	for _, p := range w.srv.opt.Pages {
		v.Nav = append(v.Nav, navItem{p.Path, p.TitleKey})
	}
	var buf bytes.Buffer
	if err := w.tmpls[lang+"/"+page].Execute(&buf, v); err != nil {
		http.Error(rw, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

func (w *web) serveCSS(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/css; charset=utf-8")
	rw.Header().Set("Cache-Control", "max-age=3600")
	rw.Write(w.css)
}

type sessionKey struct{}
type loginKey struct{}

// auth runs h for a signed-in user; a POST must carry the session's CSRF
// token. Anyone else goes to the sign-in page (GET) or gets 403 (POST).
func (w *web) auth(h func(http.ResponseWriter, *http.Request, *hubstore.Session)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		var s *hubstore.Session
		if c, err := r.Cookie(sessionCookie); err == nil {
			s, _ = w.srv.store.Session(r.Context(), c.Value)
		}
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(rw, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(rw, "sign in first", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			if r.URL.Path == "/upload" { // streamed: the handler checks the form's first field
				h(rw, r.WithContext(contextWith(r, sessionKey{}, s)), s)
				return
			}
			r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
			got := r.PostFormValue("csrf")
			if len(got) != len(s.CSRF) || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
				http.Error(rw, "the form is stale or forged (CSRF token): reload the page and try again", http.StatusForbidden)
				return
			}
		}
		h(rw, r.WithContext(contextWith(r, sessionKey{}, s)), s)
	}
}

func (w *web) loginForm(rw http.ResponseWriter, r *http.Request) {
	tok := hubstore.RandomHex(16)
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: w.srv.opt.SecureCookies, MaxAge: 3600})
	cat := w.catalog(r)
	w.render(rw, r.WithContext(contextWith(r, loginKey{}, tok)), "login", cat.T("hub.web.login_title"), nil, "", "")
}

func (w *web) login(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	cat := w.catalog(r)
	c, err := r.Cookie(loginCookie)
	got := r.PostFormValue("csrf")
	if err != nil || len(got) != len(c.Value) || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
		http.Error(rw, "the sign-in form is stale or forged (CSRF token): reload the page", http.StatusForbidden)
		return
	}
	fail := func(key string) {
		tok := hubstore.RandomHex(16)
		http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: w.srv.opt.SecureCookies, MaxAge: 3600})
		w.renderStatus(rw, r.WithContext(contextWith(r, loginKey{}, tok)), http.StatusUnauthorized, "login", cat.T("hub.web.login_title"), nil, cat.T(key), "")
	}
	// Throttled, locked and wrong all look alike to the client but for the
	// hint to wait: an unknown name is throttled exactly like a known one.
	user, client := r.PostFormValue("username"), w.srv.clientAddr(r)
	if !w.srv.logins.allow(user, client) {
		fail("hub.web.login_throttled")
		return
	}
	cookie, _, err := w.srv.store.Login(r.Context(), user, r.PostFormValue("password"))
	switch {
	case errors.Is(err, hubstore.ErrLocked):
		// The stored lock outlives a restart of the hub; say it like the throttle.
		fail("hub.web.login_throttled")
		return
	case err != nil:
		w.srv.logins.failed(user, client)
		fail("hub.web.login_failed")
		return
	}
	w.srv.logins.succeeded(user)
	http.SetCookie(rw, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: w.srv.opt.SecureCookies, MaxAge: int(hubstore.SessionTTL / time.Second)})
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	http.Redirect(rw, r, "/", http.StatusSeeOther)
}

func (w *web) logout(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		w.srv.store.Logout(r.Context(), c.Value)
	}
	http.SetCookie(rw, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

type homeData struct {
	Status   hubstore.Status
	Devices  int
	Refusals []hubstore.Refusal
}

func (w *web) homeData(r *http.Request) (homeData, error) {
	st, err := w.srv.store.Status(r.Context())
	if err != nil {
		return homeData{}, err
	}
	d := homeData{Status: st}
	for _, p := range st.PostPoints {
		d.Devices += len(p.Devices)
	}
	d.Refusals, err = w.srv.store.Refusals(r.Context(), 20)
	return d, err
}

func (w *web) home(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	w.homeWith(rw, r, http.StatusOK, "", r.URL.Query().Get("notice"))
}

// homeWith renders the home page with a message (errors keep their status).
func (w *web) homeWith(rw http.ResponseWriter, r *http.Request, status int, errMsg, noticeKey string) {
	cat := w.catalog(r)
	d, err := w.homeData(r)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	notice := ""
	if noticeKey != "" && cat.Has("hub.web.notice."+noticeKey) {
		notice = cat.T("hub.web.notice." + noticeKey)
	}
	w.renderStatus(rw, r, status, "home", cat.T("hub.web.home_title"), d, errMsg, notice)
}

func (w *web) conflicts(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	cs, err := w.srv.store.Conflicts(r.Context(), 500)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	ds, err := w.srv.store.ConflictedDossiers(r.Context(), 500)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	data := struct {
		Chain    []hubstore.Conflict
		Dossiers []hubstore.ConflictedDossier
	}{cs, ds}
	w.render(rw, r, "conflicts", w.catalog(r).T("hub.web.conflicts_title"), data, "", "")
}

// dossier shows one dossier's personal data and events (GET /dossier?id=),
// recorded in the hub's access log before anything is shown.
func (w *web) dossier(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	cat := w.catalog(r)
	data := struct {
		Query   string
		Dossier *domain.Dossier
		Events  []domain.Event
	}{Query: strings.TrimSpace(r.URL.Query().Get("id"))}
	title := cat.T("hub.web.dossier_title")
	if data.Query == "" {
		w.render(rw, r, "dossier", title, data, "", "")
		return
	}
	d, evs, err := w.srv.store.DossierDetail(r.Context(), data.Query)
	if errors.Is(err, hubstore.ErrNotFound) {
		w.renderStatus(rw, r, http.StatusNotFound, "dossier", title, data,
			cat.Tf("hub.web.dossier_not_found", map[string]string{"ID": data.Query}), "")
		return
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := w.srv.store.RecordAccess(r.Context(), s.Username, domain.AccessView, hubstore.ViaWeb, "web dossier page", []string{d.ID}); err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	data.Dossier, data.Events = d, evs
	w.render(rw, r, "dossier", title+" "+d.ID, data, "", "")
}

func (w *web) issueToken(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	if name := r.PostFormValue("post_point_name"); name != "" {
		if err := w.srv.store.EnsurePostPoint(r.Context(), r.PostFormValue("post_point"), name); err != nil {
			w.homeWith(rw, r, http.StatusBadRequest, w.catalog(r).Message(err), "")
			return
		}
	}
	tok, err := w.srv.store.IssueToken(r.Context(), r.PostFormValue("post_point"), r.PostFormValue("name"), "web:"+s.Username)
	if err != nil {
		w.homeWith(rw, r, http.StatusBadRequest, w.catalog(r).Message(err), "")
		return
	}
	w.render(rw, r, "token", w.catalog(r).T("hub.web.token_title"), tok, "", "")
}

func (w *web) revoke(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	cat := w.catalog(r)
	if r.PostFormValue("confirm") != "yes" {
		w.homeWith(rw, r, http.StatusBadRequest, cat.T("hub.web.revoke_unconfirmed"), "")
		return
	}
	err := w.srv.store.Revoke(r.Context(), r.PostFormValue("device"), "web:"+s.Username, r.PostFormValue("reason"))
	if errors.Is(err, hubstore.ErrNotFound) {
		w.homeWith(rw, r, http.StatusNotFound, cat.T("hub.web.device_unknown"), "")
		return
	} else if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(rw, r, "/?notice=revoked", http.StatusSeeOther)
}

// upload imports a USB batch file and answers with the reply file to carry
// back. The file is streamed from the form into the import (which reads one
// envelope at a time), never held whole: the form's first field must be the
// CSRF token, its second the file.
func (w *web) upload(rw http.ResponseWriter, r *http.Request, s *hubstore.Session) {
	cat := w.catalog(r)
	// The import holds one envelope at a time (and age's 64 KiB chunks).
	release := w.srv.admitBody(rw, r, w.srv.opt.MaxUpload, syncproto.MaxEnvelopeBytes+128<<10)
	if release == nil {
		return
	}
	defer release()
	mr, err := r.MultipartReader()
	if err != nil {
		w.homeWith(rw, r, http.StatusBadRequest, cat.T("hub.web.upload_missing"), "")
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "csrf" {
		http.Error(rw, "the form is stale or forged (CSRF token): reload the page and try again", http.StatusForbidden)
		return
	}
	got, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil || len(got) != len(s.CSRF) || subtle.ConstantTimeCompare(got, []byte(s.CSRF)) != 1 {
		http.Error(rw, "the form is stale or forged (CSRF token): reload the page and try again", http.StatusForbidden)
		return
	}
	part, err = mr.NextPart()
	if err != nil || part.FormName() != "batch" || part.FileName() == "" {
		w.homeWith(rw, r, http.StatusBadRequest, cat.T("hub.web.upload_missing"), "")
		return
	}
	res, err := w.srv.store.ReceiveFile(r.Context(), part)
	if err != nil {
		w.homeWith(rw, r, http.StatusBadRequest, RefusalText(cat, err), "")
		return
	}
	var buf bytes.Buffer
	if err := syncproto.WriteReplyFile(&buf, res.AgeRecipient, res.Reply); err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	name := ReplyFileName(res.Device, res.Through)
	rw.Header().Set("Content-Type", "application/octet-stream")
	rw.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	rw.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	rw.Header().Set("X-PostDesk-Through", strconv.FormatInt(res.Through, 10))
	rw.Header().Set("X-PostDesk-New-Events", strconv.Itoa(res.New))
	io.Copy(rw, &buf)
}

// ReplyFileName is the reply file's name: the device and how far it is acked.
func ReplyFileName(device string, through int64) string {
	return fmt.Sprintf("%s-%d%s", device, through, syncproto.ExtReplyFile)
}

// RefusalText says in the user's language why the hub refused something:
// the code's explanation (i18n "hub.refusal.CODE"), then the detail.
func RefusalText(cat *i18n.Catalog, err error) string {
	var fe domain.Errors
	if errors.As(err, &fe) {
		return cat.Message(err)
	}
	r := hubstore.AsRefusal(err)
	key := "hub.refusal." + r.Code
	if cat.Has(key) {
		return cat.T(key) + " (" + r.Message + ")"
	}
	return r.Message
}

func contextWith(r *http.Request, key, v any) context.Context {
	return context.WithValue(r.Context(), key, v)
}
