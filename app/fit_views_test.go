package app

import (
	"fmt"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestInnerViewsFit: the views behind the screens fit too — the handover
// list of an agency's dossiers, the later handover tabs (outcomes with a dossier loaded, results back, records
// with one open), a dossier's detail, delivery with a result loaded, the
// catalog's detail and history — and every other dialog (delivery failed,
// dossier cancel, result-only registration, a sync round, the message
// log, the intake's clear question), for each role that has them, in both
// languages, at 1024×768 and 1366×768.
func TestInnerViewsFit(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			u := fitUI(t, lang)
			var all []misfit
			for _, who := range []string{"gdv1", "buuta1", "truong"} {
				if err := u.SignInAs(who, "1234"); err != nil {
					t.Fatal(err)
				}
				views := []struct {
					name   string
					show   func()
					dialog bool
				}{
					{"handover outcomes loaded", func() {
						u.Show("handover")
						h := handoverOf(u)
						h.tabs.SelectIndex(1)
						h.agc.load(dossierIn(t, u, domain.StateAtAgency))
					}, false},
					{"handover to an agency", func() {
						u.Show("handover")
						h := handoverOf(u)
						h.tabs.SelectIndex(0)
						h.out.reload()
						h.out.agency.SetSelectedIndex(0)
					}, false},
					{"handover results back", func() { u.Show("handover"); handoverOf(u).tabs.SelectIndex(2) }, false},
					{"handover record open", func() {
						u.Show("handover")
						h := handoverOf(u)
						hs, err := u.Store.Handovers(u.Ctx, store.HandoverFilter{})
						if err == nil && len(hs) == 0 { // the demo has none: draw one
							h.out.reload()
							h.out.agency.SetSelectedIndex(0)
							h.out.setAll(true)
							h.out.draft()
							hs, err = u.Store.Handovers(u.Ctx, store.HandoverFilter{})
						}
						if err != nil || len(hs) == 0 {
							t.Fatalf("no handover record: %v", err)
						}
						h.showRecord(hs[0].ID)
					}, false},
					{"dossier detail", func() {
						u.Show("dossiers")
						ds := dossiersOf(u)
						settle(ds)
						ds.openDetail(dossierIn(t, u, domain.StateResultAtPost), "")
					}, false},
					{"delivery loaded", func() { u.Show("delivery"); deliveryOf(u).give.load(dossierIn(t, u, domain.StateResultAtPost)) }, false},
					{"delivery round", func() { u.Show("delivery"); deliveryOf(u).tabs.SelectIndex(1) }, false},
					{"catalog detail", func() {
						u.Show("catalog")
						c := u.session.catalog
						c.move(len(c.matches) - 1)
						c.open()
					}, false},
					{"catalog history", func() { u.Show("catalog"); u.session.catalog.tabs.SelectIndex(1) }, false},
					{"delivery failed dialog", func() {
						u.Show("delivery")
						s := deliveryOf(u)
						s.give.load(dossierIn(t, u, domain.StateResultAtPost))
						s.give.askFail()
					}, true},
					{"dossier cancel dialog", func() {
						u.Show("dossiers")
						ds := dossiersOf(u)
						settle(ds)
						ds.openDetail(dossierIn(t, u, domain.StateReceived), "")
						ds.detail.askCancel()
					}, true},
					{"result-only registration dialog", func() { u.Show("handover"); handoverOf(u).in.registerForm("") }, true},
					{"sync round dialog", func() {
						u.Show("sync")
						u.session.sync.showRound(store.SyncRound{Via: "net", Error: "hub: 503 Service Unavailable — máy chủ tỉnh đang bảo trì, thử lại sau", ErrorCode: "hub.unavailable"})
					}, true},
					{"message log dialog", func() {
						u.Notify("Đã lưu hồ sơ 600900A-260310-0001 của Rơ Mah H'Bích; biên nhận ở /home/giao-dich-vien/.local/share/postdesk/receipts/600900A-260310-0001.pdf")
						u.ShowMessageLog()
					}, true},
					{"intake clear dialog", func() {
						u.Show("intake")
						f := intakeFormOf(u)
						f.name.SetText("Rơ Mah H'Bích")
						f.askClear()
					}, true},
				}
				for _, v := range views {
					v.show()
					for _, sz := range fitSizes {
						all = append(all, fitWindow(t, u, sz, fmt.Sprintf("%s %.0fx%.0f %s %s", lang, sz.Width, sz.Height, who, v.name))...)
					}
					if v.dialog && u.topDialog() == nil {
						t.Errorf("%s %s: no dialog shown", who, v.name)
					}
					for u.closeTopDialog() {
					}
				}
			}
			reportMisfits(t, all)
		})
	}
}
