package app

// The catalog import, the supervisor's tab of the catalog screen (F10):
// a file of procedures or agencies, imported whole or not at all, its
// errors listed one a line, each naming its line and column.

import (
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/store"
)

// catalogImport is the import tab.
type catalogImport struct {
	c       *catalogScreen
	result  *widget.Label
	errList *widget.List
	errs    []string
}

func newCatalogImport(c *catalogScreen) *catalogImport {
	im := &catalogImport{c: c, result: widget.NewLabel("")}
	im.result.Wrapping = fyne.TextWrapWord
	im.errList = widget.NewList(func() int { return len(im.errs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.DangerImportance
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(im.errs[i]) })
	return im
}

func (im *catalogImport) object() fyne.CanvasObject {
	importBtn := newButton(i18n.T("app.catalog.import"), im.pickFile)
	importBtn.Importance = widget.HighImportance
	help := widget.NewLabel(i18n.T("app.catalog.help"))
	help.Wrapping = fyne.TextWrapWord
	return container.NewBorder(container.NewVBox(help, container.NewHBox(importBtn), im.result), nil, nil, nil, im.errList)
}

func (im *catalogImport) pickFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			im.c.u.ShowError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		im.importFile(path)
	}, im.c.u.Win)
	im.c.u.ShowDialog(d)
}

// importFile parses and imports a catalog file; its errors are listed one a
// line, each naming its line and column.
func (im *catalogImport) importFile(path string) {
	u := im.c.u
	im.errs = nil
	im.result.SetText("")
	f, err := catalog.ParseFile(path)
	if err == nil {
		var res store.CatalogResult
		res, err = u.Desk.ImportCatalog(u.Ctx, u.Actor(), f)
		if err == nil {
			im.result.SetText(i18n.Tf("app.catalog.done", map[string]string{
				"File": filepath.Base(path), "Version": strconv.Itoa(res.Version),
				"Added": formatCount(res.Added), "Updated": formatCount(res.Updated)}))
			im.errList.Refresh()
			im.c.refresh()
			return
		}
	}
	fes := fieldErrors(err)
	if len(fes) == 0 {
		im.errs = []string{i18n.Message(err)}
	}
	for _, fe := range fes {
		im.errs = append(im.errs, i18n.Message(fe))
	}
	im.result.SetText(i18n.Tf("app.catalog.failed", map[string]string{"File": filepath.Base(path), "N": formatCount(len(im.errs))}))
	im.errList.Refresh()
}
