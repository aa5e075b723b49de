// Package devicesync is the device's side of sync to the province hub: enrollment,
// rounds that push every unacknowledged event in signed batches and pull the
// hub's updates, the background loop with backoff, and the USB files. The
// protocol itself is internal/syncproto; the state lives in the store.
package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// Client runs sync rounds for one store. It is safe for concurrent use:
// rounds are serialized (the loop and a "Sync now" never overlap).
type Client struct {
	Store *store.Store
	HTTP  *http.Client
	// Now is the clock; tests replace it.
	Now func() time.Time
	// MaxEvents and MaxRawBytes bound one batch (defaults from syncproto).
	MaxEvents, MaxRawBytes int

	mu     sync.Mutex // one round at a time
	offMu  sync.Mutex
	offset time.Duration // hub clock minus local clock, learned from /v1/health
}

// New makes a client for s.
func New(s *store.Store) *Client {
	return &Client{Store: s, HTTP: &http.Client{}, Now: time.Now}
}

// Round is what one round did (also stored in the history).
type Round = store.SyncRound

// ErrRevoked is returned once the province has revoked this device.
var ErrRevoked = errors.New("the province revoked this device: it no longer syncs (ask the province to enroll it again)")

// transportError marks a failure to reach the hub (as opposed to an answer).
type transportError struct{ err error }

func (e *transportError) Error() string { return "the hub does not answer: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// IsOffline reports whether err means the hub could not be reached.
func IsOffline(err error) bool {
	var t *transportError
	return errors.As(err, &t)
}

// hubNow is the hub's clock as this device estimates it.
func (c *Client) hubNow() time.Time {
	c.offMu.Lock()
	defer c.offMu.Unlock()
	return c.Now().Add(c.offset)
}

func (c *Client) setOffset(hub time.Time, localMid time.Time) {
	c.offMu.Lock()
	c.offset = hub.Sub(localMid)
	c.offMu.Unlock()
}

// normalizeURL checks a hub URL and drops a trailing slash.
func normalizeURL(raw string) (string, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", domain.Errf("hub_url", "sync.err.hub_url", "the hub address %q must start with https:// (or http://)", raw).
			WithArgs("URL", raw)
	}
	return raw, nil
}

// do sends a request and returns the body of a 200 answer, or an
// *syncproto.Error for a refusal, or a *transportError.
func (c *Client) do(ctx context.Context, req *http.Request, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := c.HTTP.Do(req.WithContext(ctx))
	if err != nil {
		return nil, &transportError{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, syncproto.MaxJSONBytes+1))
	if err != nil {
		return nil, &transportError{err}
	}
	if len(data) > syncproto.MaxJSONBytes {
		return nil, syncproto.Errorf(syncproto.CodeTooLarge, "the hub's answer is too large")
	}
	if resp.StatusCode != http.StatusOK {
		e := syncproto.ErrorFromResponse(resp.StatusCode, data)
		if resp.StatusCode >= 500 {
			// The hub failed or is busy, or a proxy in front of a stopped hub: unreachable for now.
			return nil, &transportError{e}
		}
		return nil, e
	}
	return data, nil
}

// Health probes the hub and learns its clock offset.
func (c *Client) Health(ctx context.Context, hubURL string) (syncproto.Health, error) {
	var h syncproto.Health
	req, err := http.NewRequest(http.MethodGet, hubURL+syncproto.PathHealth, nil)
	if err != nil {
		return h, err
	}
	start := c.Now()
	data, err := c.do(ctx, req, 15*time.Second)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(data, &h); err != nil || !h.OK {
		return h, &transportError{fmt.Errorf("the address does not answer like a PostDesk hub")}
	}
	if !h.HubTime.IsZero() {
		end := c.Now()
		c.setOffset(h.HubTime, start.Add(end.Sub(start)/2))
	}
	return h, nil
}

// Enroll registers this device at the hub with a one-time token and stores
// the hub's keys. The device must be set up (post point and letter).
func (c *Client) Enroll(ctx context.Context, hubURL, token string) (syncproto.EnrollResponse, error) {
	var out syncproto.EnrollResponse
	hubURL, err := normalizeURL(hubURL)
	if err != nil {
		return out, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return out, domain.Errf("token", "sync.err.token_required", "the enrollment token is required")
	}
	dev, _, err := c.Store.Device(ctx)
	if err != nil {
		return out, err
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return out, err
	}
	id, err := c.Store.DeviceAgeIdentity(ctx)
	if err != nil {
		return out, err
	}
	er := syncproto.NewEnrollRequest(key, token, dev.ID(), dev.PostPointCode, id.Recipient().String())
	body, _ := json.Marshal(er)
	req, err := http.NewRequest(http.MethodPost, hubURL+syncproto.PathEnroll, bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", syncproto.ContentTypeJSON)
	data, err := c.do(ctx, req, 30*time.Second)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return out, syncproto.Errorf(syncproto.CodeBadRequest, "the hub's enrollment answer is unreadable: %v", err)
	}
	if err := out.Check(er); err != nil {
		return out, err
	}
	at := out.EnrolledAt
	if at.IsZero() {
		at = c.Now()
	}
	err = c.Store.SaveEnrollment(ctx, store.Enrollment{HubURL: hubURL, HubName: out.HubName,
		HubSignKey: ed25519.PublicKey(out.HubSignKey), HubAgeRecipient: out.HubAgeRecipient, EnrolledAt: at})
	return out, err
}

// RunOnce runs one round: push every unacknowledged event in bounded
// batches (each marked synced only after the hub's verified ack), then pull
// and apply the updates. The round is stored in the history, error included.
func (c *Client) RunOnce(ctx context.Context) (Round, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runRound(ctx, "network", c.round)
}

// runRound wraps a round body with its history row: begun before, finished
// after (with the error), and the time of success.
func (c *Client) runRound(ctx context.Context, via string, body func(context.Context, *Round) error) (Round, error) {
	r := Round{StartedAt: c.Now(), Via: via}
	st, err := c.Store.SyncState(ctx)
	if err != nil {
		return r, err
	}
	if !st.Enrolled() {
		return r, store.ErrNotEnrolled // nothing can happen: no history row
	}
	if r.ID, err = c.Store.BeginSyncRound(ctx, via, r.StartedAt); err != nil {
		return r, err
	}
	err = body(ctx, &r)
	bg := context.WithoutCancel(ctx)
	r.FinishedAt = c.Now()
	if err != nil {
		r.Error = err.Error()
		r.ErrorCode = errorCode(err)
	}
	if st, e := c.Store.SyncState(bg); e == nil {
		r.AckedThrough = st.AckedThrough
	}
	if e := c.Store.FinishSyncRound(bg, r); e != nil && err == nil {
		err = e
	}
	if err == nil && via != "usb_export" {
		c.Store.SetSyncSuccess(bg, r.FinishedAt)
	}
	return r, err
}

// errorCode is the protocol code of err, or a local one.
func errorCode(err error) string {
	var pe *syncproto.Error
	switch {
	case errors.As(err, &pe):
		return pe.Code
	case IsOffline(err):
		return "offline"
	case errors.Is(err, ErrRevoked):
		return syncproto.CodeRevoked
	default:
		return "local"
	}
}

func (c *Client) round(ctx context.Context, r *Round) error {
	st, err := c.Store.SyncState(ctx)
	if err != nil {
		return err
	}
	if !st.Enrolled() {
		return store.ErrNotEnrolled
	}
	if st.Revoked() {
		return ErrRevoked
	}
	if _, err := c.Health(ctx, st.HubURL); err != nil {
		return err
	}
	pushErr := c.push(ctx, st, r)
	if pushErr == nil {
		pushErr = c.forwardPeers(ctx, st) // what peer files brought, for the hub
	}
	if pushErr == nil {
		pushErr = c.pushProofs(ctx, st, r) // delivery proofs, still encrypted (§12)
	}
	if IsOffline(pushErr) || errors.Is(pushErr, ErrRevoked) || ctx.Err() != nil {
		return pushErr
	}
	// A refused batch blocks nothing else: the updates still come down,
	// then the other devices' events (their keys came with the updates).
	pullErr := c.pull(ctx, st, r)
	if pullErr == nil {
		pullErr = c.pullPeers(ctx, st, r)
	}
	if pushErr != nil {
		return pushErr
	}
	if pullErr == nil && r.UpdatesApplied > 0 {
		// Applied outcomes are events of this device: send them up now, so
		// that "synced" means nothing is waiting.
		if st, err := c.Store.SyncState(ctx); err == nil {
			pullErr = c.push(ctx, st, r)
		}
	}
	return pullErr
}

// push sends the unacknowledged events batch by batch.
func (c *Client) push(ctx context.Context, st store.SyncState, r *Round) error {
	dev, pp, err := c.Store.Device(ctx)
	if err != nil {
		return err
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return err
	}
	start := st.AckedThrough // send events after this seq
	gaps := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		maxEv := c.MaxEvents
		if maxEv <= 0 {
			maxEv = syncproto.DefaultBatchEvents
		}
		events, err := c.Store.EventsAfter(ctx, dev.ID(), start, maxEv)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		prev, err := c.Store.EventHash(ctx, dev.ID(), start)
		if err != nil {
			return err
		}
		b, n, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, prev, start+1, events, st.UpdateCursor,
			c.Now(), maxEv, c.MaxRawBytes)
		if err != nil {
			return err
		}
		ack, err := c.send(ctx, b, st.HubSignKey, dev.ID())
		var pe *syncproto.Error
		if errors.As(err, &pe) {
			switch pe.Code {
			case syncproto.CodeGap:
				// The hub holds other than we thought (our ack was lost, or it
				// was restored from a backup): resend from where it stands.
				if pe.ExpectedSeq >= 1 && pe.ExpectedSeq-1 != start && gaps < 3 {
					gaps++
					start = pe.ExpectedSeq - 1
					continue
				}
			case syncproto.CodeRevoked:
				return c.revoked(ctx, st.HubSignKey, dev.ID(), pe)
			}
		}
		if err != nil {
			return err
		}
		r.Batches++
		r.Pushed += n
		if ack.ThroughSeq <= start {
			return syncproto.Errorf(syncproto.CodeInternal, "the hub acknowledged through %d after a batch %d–%d: no progress",
				ack.ThroughSeq, b.Header.FirstSeq, b.Header.LastSeq)
		}
		start = ack.ThroughSeq
	}
}

// send posts one batch and returns its verified ack, recorded in the store.
func (c *Client) send(ctx context.Context, b *syncproto.Batch, hubKey ed25519.PublicKey, device string) (syncproto.Ack, error) {
	st, err := c.Store.SyncState(ctx)
	if err != nil {
		return syncproto.Ack{}, err
	}
	req, err := http.NewRequest(http.MethodPost, st.HubURL+syncproto.PathBatches, bytes.NewReader(b.Raw))
	if err != nil {
		return syncproto.Ack{}, err
	}
	req.Header.Set("Content-Type", syncproto.ContentTypeBatch)
	// Slow links: 30 s plus 2 s per 16 KiB (about 64 kbit/s).
	data, err := c.do(ctx, req, 30*time.Second+time.Duration(len(b.Raw)/8192)*time.Second)
	if err != nil {
		return syncproto.Ack{}, err
	}
	s, err := syncproto.ParseSigned(data)
	if err != nil {
		return syncproto.Ack{}, err
	}
	ack, err := syncproto.OpenAck(hubKey, s, device)
	if err != nil {
		return ack, err
	}
	if err := c.recordAck(ctx, ack, s); err != nil {
		return ack, err
	}
	return ack, nil
}

// revoked handles a `revoked` refusal: the device stops syncing only when
// the refusal carries a revocation signed by its hub for it. An unsigned
// one (anything answering at the hub's address can send it) changes
// nothing: the round fails and the next one tries again.
func (c *Client) revoked(ctx context.Context, hubKey ed25519.PublicKey, device string, pe *syncproto.Error) error {
	rv, err := syncproto.OpenRevocation(hubKey, pe, device)
	if err != nil {
		var oe *syncproto.Error
		errors.As(err, &oe)
		return syncproto.Errorf(oe.Code, "the hub's address answered %q but %s: nothing changed, the next round tries again",
			pe.Message, oe.Message)
	}
	if err := c.Store.SetRevoked(context.WithoutCancel(ctx), rv.RevokedAt, pe.Message); err != nil {
		return err
	}
	if rv.Order == syncproto.OrderLockErase {
		if err := c.Store.SetLockOrder(context.WithoutCancel(ctx), rv.RevokedAt, pe.Message); err != nil {
			return err
		}
	}
	return ErrRevoked
}

// recordAck marks events synced after checking the ack against our log.
func (c *Client) recordAck(ctx context.Context, ack syncproto.Ack, s syncproto.Signed) error {
	if ack.ThroughSeq == 0 {
		return nil
	}
	_, err := c.Store.RecordAck(ctx, ack.ThroughSeq, ack.LastHash, s.Marshal())
	if err != nil {
		return syncproto.Errorf(syncproto.CodeConflict, "%v", err)
	}
	return nil
}

// pull fetches and applies updates until the hub has no more.
func (c *Client) pull(ctx context.Context, st store.SyncState, r *Round) error {
	dev, _, err := c.Store.Device(ctx)
	if err != nil {
		return err
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return err
	}
	ap := &applier{s: c.Store, dev: dev, key: key.Public().(ed25519.PublicKey), round: r.ID}
	if err := ap.retrySkipped(ctx); err != nil {
		return err
	}
	cursor := st.UpdateCursor
	for pages := 0; pages < 1000; pages++ {
		ups, err := c.fetchUpdates(ctx, st, dev.ID(), key, cursor)
		if err != nil {
			r.UpdatesApplied, r.UpdatesSkipped = ap.applied, ap.skipped
			return err
		}
		if err := ap.applyAll(ctx, ups.Items); err != nil {
			r.UpdatesApplied, r.UpdatesSkipped = ap.applied, ap.skipped
			return err
		}
		if err := c.Store.SetUpdateCursor(ctx, ups.Next); err != nil {
			return err
		}
		cursor = ups.Next
		if !ups.More || len(ups.Items) == 0 {
			break
		}
	}
	r.UpdatesApplied, r.UpdatesSkipped = ap.applied, ap.skipped
	if ap.revoked {
		return ErrRevoked
	}
	return nil
}

func (c *Client) fetchUpdates(ctx context.Context, st store.SyncState, device string, key ed25519.PrivateKey, after int64) (syncproto.Updates, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(http.MethodGet, st.HubURL+syncproto.UpdatesURL(device, after, 0), nil)
		if err != nil {
			return syncproto.Updates{}, err
		}
		syncproto.SignRequest(req, key, device, nil, c.hubNow())
		data, err := c.do(ctx, req, 60*time.Second)
		var pe *syncproto.Error
		if errors.As(err, &pe) && pe.Code == syncproto.CodeClockSkew && pe.HubTime != nil && attempt == 0 {
			c.setOffset(*pe.HubTime, c.Now()) // correct the clock estimate and try once more
			continue
		}
		if errors.As(err, &pe) && pe.Code == syncproto.CodeRevoked {
			return syncproto.Updates{}, c.revoked(ctx, st.HubSignKey, device, pe)
		}
		if err != nil {
			return syncproto.Updates{}, err
		}
		s, err := syncproto.ParseSigned(data)
		if err != nil {
			return syncproto.Updates{}, err
		}
		return syncproto.OpenUpdates(st.HubSignKey, s, device, after)
	}
}
