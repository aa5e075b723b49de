package app

// A delivered dossier's proofs on its detail screen: the signature and the
// photo are encrypted on disk (store/proofkey.go) and decrypted here, through
// the desk, for the signed-in member only; nothing is written back to disk.

import (
	"bytes"
	"image"
	_ "image/jpeg" // photos
	_ "image/png"  // signatures

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
)

// proofButtons are the buttons that show the dossier's signature and photo
// (nil when it has none).
func (det *dossierDetail) proofButtons() fyne.CanvasObject {
	p := det.d.Delivery
	if p == nil || (p.SignatureFile == "" && p.PhotoFile == "") {
		return nil
	}
	box := container.NewHBox()
	for _, f := range []struct{ key, rel string }{{"dossiers.proof.signature", p.SignatureFile}, {"dossiers.proof.photo", p.PhotoFile}} {
		if f.rel == "" {
			continue
		}
		title, rel := i18n.T(f.key), f.rel
		box.Add(newDeskButton(det.ds.u, title, func() { det.showProof(title, rel) }))
	}
	return box
}

// showProof decrypts one proof and shows it in a dialog.
func (det *dossierDetail) showProof(title, rel string) {
	u := det.ds.u
	data, err := u.Desk.ReadProof(u.Ctx, u.Actor(), det.d.ID, rel)
	if err != nil {
		u.ShowError(err)
		return
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		u.ShowError(err)
		return
	}
	pic := canvas.NewImageFromImage(img)
	pic.FillMode = canvas.ImageFillContain
	pic.SetMinSize(fyne.NewSize(480, 260))
	note := widget.NewLabel(i18n.T("dossiers.proof.note"))
	note.Importance = widget.LowImportance
	dlg := dialog.NewCustomWithoutButtons(title+" — "+det.d.ID, container.NewVBox(pic, note), u.Win)
	dlg.SetButtons([]fyne.CanvasObject{newDeskButton(u, i18n.T("dossiers.proof.close"), func() { dlg.Hide() })})
	u.ShowDialog(dlg)
}
