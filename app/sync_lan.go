package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	stdsync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
)

// The post point's local network on the Sync screen (supervisors): show a
// pairing code on this device (Ctrl+P, which also starts serving the paired
// devices while the app is open), pair with another device by the address
// and code it shows (Enter in the code), sync directly with a paired device
// (Ctrl+Shift+R). docs/sync-protocol.md §11.6.

// lanAddr is where the app listens on the post point's network.
var lanAddr = "0.0.0.0:8788"

// lanListener is an app's LAN server, kept with its sync runner.
type lanListener struct {
	mu     stdsync.Mutex
	server *devicesync.LANServer
	http   *http.Server
	addr   string // host:port as the other device types it
}

func (l *lanListener) start(u *UI) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.http != nil {
		return l.addr, nil
	}
	ln, err := net.Listen("tcp", lanAddr)
	if err != nil {
		return "", err
	}
	l.server = &devicesync.LANServer{Store: u.Store}
	l.http = &http.Server{Handler: l.server, ReadHeaderTimeout: 30 * time.Second, ReadTimeout: 15 * time.Minute,
		WriteTimeout: 15 * time.Minute, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	l.addr = net.JoinHostPort(lanHost(), port)
	go l.http.Serve(ln)
	return l.addr, nil
}

func (l *lanListener) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.http.Shutdown(ctx)
		cancel()
		l.http = nil
	}
}

// lanHost is this PC's first private IPv4 address, as the other device
// types it (127.0.0.1 when it has none).
func lanHost() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsPrivate() {
			return n.IP.String()
		}
	}
	return "127.0.0.1"
}

type lanCard struct {
	s                         *syncScreen
	addr, code                *Entry
	showBtn, pairBtn, syncBtn *deskButton
	shown, result             *widget.Label
}

func (s *syncScreen) buildLAN() fyne.CanvasObject {
	u := s.u
	c := &lanCard{s: s, addr: u.NewEntry(), code: u.NewEntry()}
	s.lan = c
	c.addr.SetPlaceHolder(i18n.T("sync.lan.addr_hint"))
	c.code.SetPlaceHolder(i18n.T("sync.lan.code_hint"))
	c.code.OnSubmitted = func(string) { c.pair() }
	c.addr.OnSubmitted = func(string) { u.Win.Canvas().Focus(c.code) }
	c.showBtn = newButton(i18n.T("sync.lan.show"), c.showCode)
	c.pairBtn = newButton(i18n.T("sync.lan.pair"), c.pair)
	c.syncBtn = newButton(i18n.T("sync.lan.sync"), c.syncLAN)
	u.Shortcut("sync", "sync.lan.show", &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}, c.showCode)
	u.Shortcut("sync", "sync.lan.sync", &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}, c.syncLAN)
	mk := func() *widget.Label { l := widget.NewLabel(""); l.Wrapping = fyne.TextWrapWord; return l }
	c.shown, c.result = mk(), mk()
	c.shown.TextStyle.Bold = true
	form := widget.NewForm(widget.NewFormItem(i18n.T("sync.lan.addr"), c.addr), widget.NewFormItem(i18n.T("sync.lan.code"), c.code))
	help := widget.NewLabel(i18n.T("sync.lan.help"))
	help.Wrapping = fyne.TextWrapWord
	return widget.NewCard(i18n.T("sync.lan.title"), "", container.NewVBox(help,
		container.NewHBox(c.showBtn), c.shown, form, container.NewHBox(c.pairBtn), container.NewHBox(c.syncBtn), c.result))
}

// showCode starts serving the post point's network and shows a new code.
func (c *lanCard) showCode() {
	u := c.s.u
	addr, err := c.s.runner.lan.start(u)
	if err != nil {
		c.say(err)
		return
	}
	code, until, err := c.s.runner.lan.server.OpenPairing()
	if err != nil {
		c.say(err)
		return
	}
	c.shown.SetText(i18n.Tf("sync.lan.shown", map[string]string{"Addr": addr, "Code": devicesync.ShowPairCode(code),
		"Time": until.In(domain.Zone).Format("15:04"), "Tries": "3"}))
}

func (c *lanCard) client() *devicesync.LANClient { return &devicesync.LANClient{Store: c.s.u.Store} }

func (c *lanCard) pair() {
	addr, code := strings.TrimSpace(c.addr.Text), c.code.Text
	if addr == "" || strings.TrimSpace(code) == "" {
		c.say(errors.New(i18n.T("sync.lan.need_both")))
		return
	}
	var res devicesync.PairResult
	c.s.background(func() error {
		var err error
		res, err = c.client().Pair(c.s.u.Ctx, addr, code)
		return err
	}, func(err error) {
		if err != nil {
			c.say(err)
			return
		}
		c.code.SetText("")
		c.result.SetText(i18n.Tf("sync.lan.paired", map[string]string{"Device": res.Peer}))
	})
}

func (c *lanCard) syncLAN() {
	addr := strings.TrimSpace(c.addr.Text)
	if addr == "" {
		c.say(errors.New(i18n.T("sync.lan.need_addr")))
		return
	}
	var res devicesync.LANSyncResult
	c.s.background(func() error {
		var err error
		res, err = c.client().Sync(c.s.u.Ctx, addr)
		return err
	}, func(err error) {
		if err != nil {
			c.say(err)
			return
		}
		c.result.SetText(i18n.Tf("sync.lan.synced", map[string]string{"Device": res.Peer, "Sent": formatCount(res.Sent),
			"Received": formatCount(res.Received), "Refused": formatCount(res.Refused)}))
	})
}

// say puts an error under the card's buttons and in the message log.
func (c *lanCard) say(err error) {
	c.result.SetText(errorText(err))
	c.s.u.Notify(errorText(err))
}
