// Package lookup turns whatever a clerk scans or types in the scan box into
// dossiers: a receipt's QR code (its signature checked), a receipt number,
// an S10 item code, an official dossier code, or a citizen ID, phone number
// or name. The desktop app's scan box and `postdesk find` share it.
package lookup

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Kind is what the scanned text was recognised as.
type Kind string

const (
	KindQR           Kind = "qr"            // a PostDesk receipt's QR payload
	KindReceipt      Kind = "receipt"       // a receipt number typed or read from a barcode
	KindItemCode     Kind = "item_code"     // an S10 postal item code
	KindOfficialCode Kind = "official_code" // the agency's dossier code
	KindSearch       Kind = "search"        // a citizen ID, phone number or name: a list of dossiers
	KindNone         Kind = "none"          // none of these: not a PostDesk receipt
)

// Result is what a lookup found.
type Result struct {
	Kind  Kind
	Query string // the text as scanned, tidied
	// Key is the code the text was read as (receipt number, S10, official
	// code); "" for a search.
	Key      string
	Dossiers []store.DossierRow // newest first; empty when nothing matched
	// For a QR code: SignatureValid tells whether the device's signature
	// holds; SignatureErr says why not. A QR that names a receipt but fails
	// its signature may be a forged receipt: the dossier is still shown,
	// flagged.
	SignatureValid bool
	SignatureErr   error
}

// Exact reports whether the text named one dossier (by code, not by search).
func (r Result) Exact() bool {
	return r.Kind == KindQR || r.Kind == KindReceipt || r.Kind == KindItemCode || r.Kind == KindOfficialCode
}

// QR is what a QR reader read: the receipt number and time of receipt the
// code names, and Err, nil only when its signature verifies.
type QR struct {
	Receipt    string
	ReceivedAt time.Time
	Err        error
}

// QRReader recognises a receipt QR payload; ok is false when text is not one.
type QRReader func(ctx context.Context, s *store.Store, text string) (qr QR, ok bool)

// ReadQR is the QR reader Lookup uses: receipt.ParseQR checked with the keys
// KeysFor knows. Tests replace it.
var ReadQR QRReader = readReceiptQR

// SearchLimit is how many dossiers a name, ID or phone search returns.
const SearchLimit = 200

// Lookup finds the dossiers text names. An error is a database failure;
// text that matches nothing gives a Result with no dossiers (Kind tells the
// scan box which message to show).
func Lookup(ctx context.Context, s *store.Store, text string) (Result, error) {
	q := domain.Clean(text)
	res := Result{Query: q, Kind: KindNone}
	if q == "" {
		return res, nil
	}
	if ReadQR != nil {
		if qr, ok := ReadQR(ctx, s, q); ok {
			res.Kind, res.Key, res.SignatureValid, res.SignatureErr = KindQR, qr.Receipt, qr.Err == nil, qr.Err
			if err := byID(ctx, s, &res, qr.Receipt); err != nil {
				return res, err
			}
			// A genuine signature names the time of receipt too: a QR whose
			// time is not the dossier's belongs to another dossier of that number.
			if res.SignatureValid && len(res.Dossiers) == 1 && !qr.ReceivedAt.IsZero() &&
				res.Dossiers[0].ReceivedAt.Unix() != qr.ReceivedAt.Unix() {
				res.SignatureValid = false
				res.SignatureErr = domain.Errf("scan", "scan.err.qr_mismatch",
					"the QR code's time of receipt is not that of dossier %s", qr.Receipt).WithArgs("ID", qr.Receipt)
			}
			return res, nil
		}
	}
	compact := strings.Join(strings.Fields(q), "")
	if rn, err := domain.ParseReceiptNumber(compact); err == nil {
		res.Kind, res.Key = KindReceipt, rn.String()
		return res, byID(ctx, s, &res, res.Key)
	}
	if code, err := domain.ParseItemCode(compact); err == nil {
		res.Kind, res.Key = KindItemCode, code
		return res, byColumn(ctx, s, &res, "item_code", code)
	}
	if oc, err := domain.ParseOfficialCode(compact); err == nil {
		res.Kind, res.Key = KindOfficialCode, oc.String()
		return res, byColumn(ctx, s, &res, "official_code", compact)
	}
	if !searchable(q) {
		return res, nil
	}
	rows, err := s.Search(ctx, q, SearchLimit)
	if err != nil {
		return res, err
	}
	if len(rows) == 0 && hasLetter(q) {
		// Not the start of a name: try the words anywhere in it ("hằng").
		if rows, err = s.SearchNameWords(ctx, q, SearchLimit); err != nil {
			return res, err
		}
	}
	res.Kind, res.Dossiers = KindSearch, rows
	return res, nil
}

func byID(ctx context.Context, s *store.Store, res *Result, id string) error {
	rows, err := s.Search(ctx, id, 5)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ID == id {
			res.Dossiers = []store.DossierRow{r}
		}
	}
	return nil
}

// byColumn keeps the search hits whose code equals the scanned one exactly
// (Search matches prefixes).
func byColumn(ctx context.Context, s *store.Store, res *Result, col, code string) error {
	rows, err := s.Search(ctx, code, SearchLimit)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if col == "item_code" && r.ItemCode == code || col == "official_code" && strings.EqualFold(r.OfficialCode, code) {
			res.Dossiers = append(res.Dossiers, r)
		}
	}
	return nil
}

// searchable reports whether text looks like something a clerk searches by:
// digits (a citizen ID or phone, spaces, dots, dashes and a leading + allowed)
// words of letters (a name, apostrophes and hyphens allowed), or the start
// of a code (letters and digits, dots and dashes). Anything
// else — a web address, a foreign barcode — is not a PostDesk receipt.
func searchable(text string) bool {
	letters, digits := 0, 0
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		case unicode.IsDigit(r):
			digits++
		case r == ' ' || r == '\'' || r == '’' || r == '-' || r == '.':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	if letters > 0 && digits > 0 {
		return true // the start of a receipt number or a code
	}
	if digits > 0 {
		return digits >= 6 // shorter than any ID or phone: a typing slip
	}
	return letters >= 2
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// ErrNotPostDesk is what the command line reports for KindNone.
var ErrNotPostDesk = errors.New("not a PostDesk receipt")
