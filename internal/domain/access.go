package domain

import "strings"

// KindAccess records that a staff member saw or took a citizen's personal
// data: a dossier's detail opened, a search by ID number or phone, an
// export. It moves no dossier (the dossiers it is about are in its
// payload, not its dossier column, so their timelines stay the citizen's
// own) and travels to the hub like every event. Reprints are logged by
// their own receipt_printed events (Reprint set).
const KindAccess Kind = "access.logged"

// AccessWhat is what kind of access an access event records.
type AccessWhat string

const (
	AccessView        AccessWhat = "view"         // a dossier's detail was opened
	AccessReprint     AccessWhat = "reprint"      // a receipt was printed again (from receipt_printed events)
	AccessSearchID    AccessWhat = "search_id"    // a search by citizen ID number
	AccessSearchPhone AccessWhat = "search_phone" // a search by phone number
	AccessExport      AccessWhat = "export"       // personal data written out (a citizen's export, a list)
)

// MaxAccessDossiers bounds the dossiers one access event names (a search's
// first page); the payload stays small.
const MaxAccessDossiers = 50

// AccessPayload is an access event's payload.
type AccessPayload struct {
	What     AccessWhat `json:"what"`
	Dossiers []string   `json:"dossiers,omitempty"`
	Detail   string     `json:"detail,omitempty"` // e.g. the export's format; never the searched number itself
}

// SearchAccess says whether a search text is a citizen ID number (9 or 12
// digits) or a phone number (10 or 11 digits from 0, or +84…), the
// searches the access log records; a name or a code is neither.
func SearchAccess(text string) (AccessWhat, bool) {
	t := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(text))
	if strings.HasPrefix(t, "+84") {
		t = "0" + t[3:]
	}
	if t == "" || strings.Trim(t, "0123456789") != "" {
		return "", false
	}
	switch {
	case (len(t) == 10 || len(t) == 11) && t[0] == '0':
		return AccessSearchPhone, true
	case len(t) == 12 || len(t) == 9:
		return AccessSearchID, true
	}
	return "", false
}
