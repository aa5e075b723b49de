package hubstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// The hub answers refusals with the protocol's error codes
// (syncproto.Code*), so a device knows what to do: gap → resend from
// ExpectedSeq; revoked → stop; conflict → stop and show an engineer.

func Refuse(code, format string, a ...any) *syncproto.Error {
	return &syncproto.Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// revokedError is the refusal for a revoked device, with the hub's signed
// revocation: the device stops syncing only on a signed one. A revoked
// device is one the province no longer trusts (lost, stolen, retired), so
// the revocation always carries the order to lock and erase (§7.1).
func (s *Store) revokedError(dev *Device) *syncproto.Error {
	e := Refuse(syncproto.CodeRevoked, "device %s was revoked on %s", dev.ID, domain.FormatDateTime(dev.RevokedAt))
	if sig, err := syncproto.SignRevocation(s.signKey, syncproto.RevokedNotice{Device: dev.ID, RevokedAt: dev.RevokedAt, HubTime: s.Now(),
		Order: syncproto.OrderLockErase}); err == nil {
		e.Revocation = &sig
	}
	return e
}

// AsRefusal returns err as a protocol error; any other error is an internal one.
func AsRefusal(err error) *syncproto.Error {
	var r *syncproto.Error
	if errors.As(err, &r) {
		return r
	}
	return &syncproto.Error{Code: syncproto.CodeInternal, Message: err.Error()}
}

// IsRefusal reports whether err is the hub saying no (as opposed to failing).
func IsRefusal(err error) bool {
	var r *syncproto.Error
	return errors.As(err, &r) && r.Code != syncproto.CodeInternal
}

// The refusal log (for the web page) keeps a bounded sample per client: at
// most RefusalsPerClient rows per client address (the newest), and at most
// maxRefusals in all (the oldest go first). A client that floods the hub
// with junk thus replaces only its own rows; and it is noted at most
// refusalNotesPerMinute times a minute (the rest are counted in the next
// note), so a flood costs the hub no write per request either.
const (
	maxRefusals           = 5000
	RefusalsPerClient     = 50
	refusalNotesPerMinute = 20
)

type clientKey struct{}

// withClient marks ctx with the client address a request came from.
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

func clientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(string)
	return c
}

// refusalRate limits how often one client's refusals are written.
type refusalRate struct {
	mu      sync.Mutex
	clients map[string]*refusalWindow
}

type refusalWindow struct {
	start      time.Time
	n          int
	suppressed int
}

// admit reports whether a refusal of client is to be written now, and how
// many were not written since the last one.
func (rr *refusalRate) admit(client string, now time.Time) (bool, int) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.clients == nil || len(rr.clients) > 10000 {
		rr.clients = map[string]*refusalWindow{}
	}
	w := rr.clients[client]
	if w == nil || now.Sub(w.start) >= time.Minute {
		skipped := 0
		if w != nil {
			skipped = w.suppressed
		}
		rr.clients[client] = &refusalWindow{start: now, n: 1}
		return true, skipped
	}
	if w.n >= refusalNotesPerMinute {
		w.suppressed++
		return false, 0
	}
	w.n++
	return true, 0
}

// noteRefusal keeps a refusal for the web page. Best effort: a failure to
// note it must not hide the refusal itself. Internal failures are not
// refusals and are not noted. The client is the one withClient put in ctx
// ("" for a file imported on the command line).
func (s *Store) NoteRefusal(ctx context.Context, device string, err error) {
	if !IsRefusal(err) {
		return
	}
	client := Truncate(clientOf(ctx), 64)
	ok, skipped := s.refusalRate.admit(client, s.Now())
	if !ok {
		return
	}
	r := AsRefusal(err)
	msg := r.Message
	if skipped > 0 {
		msg = fmt.Sprintf("%s (and %d more refusals from this client not noted one by one)", msg, skipped)
	}
	ctx = context.WithoutCancel(ctx) // the client may be gone; the note is still worth keeping
	_ = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO refusals(at, device_id, batch_id, code, message, client) VALUES(?, ?, '', ?, ?, ?)",
			formatTime(s.Now()), Truncate(device, 40), r.Code, Truncate(msg, 500), client); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM refusals WHERE client = ? AND id <= (SELECT id FROM refusals WHERE client = ?
			ORDER BY id DESC LIMIT 1 OFFSET ?)`, client, client, RefusalsPerClient); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM refusals WHERE id <= (SELECT max(id) FROM refusals) - ?", maxRefusals)
		return err
	})
}
