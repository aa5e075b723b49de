package domain

import (
	"strconv"
	"unicode/utf8"
)

// Size bounds of what becomes an event, chosen from the sync batch limits
// (docs/sync-protocol.md §10): one line of a batch body is at most 1 MiB.
// An event's payload is at most MaxEventPayload bytes, so even carried in
// base64 (4/3) and with its other fields it fills a third of a line; and
// each text that goes into a payload is bounded where it enters (forms,
// catalog files, the hub's outcome API), at a size that keeps the whole
// payload of one dossier (name, papers, addresses, notes, procedure) well
// under MaxEventPayload.
const (
	MaxEventPayload    = 256 << 10 // bytes of one event's payload
	MaxCatalogName     = 500       // characters: a procedure's or agency's name
	MaxCatalogText     = 1000      // characters: field, source, address and other catalog cells
	MaxDocumentsCell   = 20000     // characters: a procedure's list of papers
	MaxDocumentName    = 300       // characters: one paper's name
	MaxDocumentsListed = 100       // papers on one dossier
	MaxShortText       = 200       // characters: commune, officer, recipient and other short fields
)

// TextTooLong is the error for a text over its bound, on field (nil when
// it is within).
func TextTooLong(field, s string, max int) *FieldError {
	n := utf8.RuneCountInString(s)
	if n <= max {
		return nil
	}
	return Errf(field, "err.intake.too_long", "%d characters; at most %d", n, max).
		WithArgs("Max", strconv.Itoa(max), "Length", strconv.Itoa(n))
}

// EventTooLarge is the error for an event whose payload is over
// MaxEventPayload: the last guard before the log, behind the edge checks.
func EventTooLarge(kind Kind, size int) *FieldError {
	if size <= MaxEventPayload {
		return nil
	}
	return Errf("payload", "err.event.too_large", "the record (%s) is %d bytes; at most %d can be kept and synced", kind, size, MaxEventPayload).
		WithArgs("Kind", string(kind), "Size", strconv.Itoa(size), "Max", strconv.Itoa(MaxEventPayload))
}
