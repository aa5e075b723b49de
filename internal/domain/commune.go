package domain

// Commune is one commune-level unit (xã, phường, đặc khu) offered in the
// intake form's commune list: the list shipped with the app, or the
// province's, pushed down by the hub with its catalog.
type Commune struct {
	Name     string `json:"name"`           // without the type word: "Ia O", "Pleiku"
	Type     string `json:"type,omitempty"` // "xã", "phường" or "đặc khu"
	Province string `json:"province,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Label is the name as shown in lists: "xã Ia O", "phường Pleiku".
func (c Commune) Label() string {
	if c.Type == "" {
		return c.Name
	}
	return c.Type + " " + c.Name
}
