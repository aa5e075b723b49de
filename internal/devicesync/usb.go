package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"os"

	"postdesk/internal/atomicfile"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// ExportResult says what a USB export wrote.
type ExportResult struct {
	Path     string
	Events   int
	Batches  int
	FirstSeq int64
	LastSeq  int64
	// Proofs: proof files the hub has not confirmed, carried in the file;
	// ProofsWaiting: those left for a later file (over the budget, or kept
	// before enrollment and not sealed to the hub until a staff sign-in).
	Proofs, ProofsWaiting int
}

// ExportFile writes every unacknowledged event of this device to one batch
// file encrypted to the hub (a temporary file renamed into place, so a
// half-written file never carries the name). With nothing waiting it still
// writes a file, which asks the hub for updates only. Nothing is marked
// synced: that happens when the hub's reply is imported.
func ExportFile(ctx context.Context, s *store.Store, path string) (ExportResult, error) {
	c := New(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	var res ExportResult
	_, err := c.runRound(ctx, "usb_export", func(ctx context.Context, r *Round) error {
		var err error
		res, err = exportFile(ctx, s, path)
		r.Pushed, r.Batches, r.ProofsWaiting = res.Events, res.Batches, res.ProofsWaiting
		return err
	})
	return res, err
}

// KeepForHub writes the events of a revoked device the hub never
// acknowledged into a batch file encrypted to the hub (as ExportFile, but
// for a device that may no longer sync): before a lost device erases its
// personal data (desk.EraseLostDevice), what it never pushed is kept in a
// form only the hub's identity opens. It records no sync round.
func KeepForHub(ctx context.Context, s *store.Store, path string) (events int, err error) {
	res, err := exportAny(ctx, s, path, true)
	return res.Events, err
}

func exportFile(ctx context.Context, s *store.Store, path string) (ExportResult, error) {
	return exportAny(ctx, s, path, false)
}

func exportAny(ctx context.Context, s *store.Store, path string, revokedToo bool) (ExportResult, error) {
	res := ExportResult{Path: path}
	st, err := s.SyncState(ctx)
	if err != nil {
		return res, err
	}
	if st.Revoked() && !revokedToo {
		return res, ErrRevoked
	}
	dev, pp, err := s.Device(ctx)
	if err != nil {
		return res, err
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		return res, err
	}
	start := st.AckedThrough
	prev, err := s.EventHash(ctx, dev.ID(), start)
	if err != nil {
		return res, err
	}
	res.FirstSeq = start + 1
	var batches []*syncproto.Batch
	now := s.Now()
	for {
		events, err := s.EventsAfter(ctx, dev.ID(), start, syncproto.DefaultBatchEvents)
		if err != nil {
			return res, err
		}
		if len(events) == 0 && len(batches) > 0 {
			break
		}
		b, n, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, prev, start+1, events, st.UpdateCursor, now, 0, 0)
		if err != nil {
			return res, err
		}
		batches = append(batches, b)
		res.Events += n
		if n == 0 {
			break
		}
		start, prev = b.Header.LastSeq, b.Header.LastHash
	}
	res.Batches, res.LastSeq = len(batches), start
	proofs, err := proofFiles(ctx, s, st, dev.ID(), key, &res)
	if err != nil {
		return res, err
	}
	var buf bytes.Buffer
	if err := syncproto.WriteBatchFile(&buf, st.HubAgeRecipient, batches, proofs...); err != nil {
		return res, err
	}
	return res, atomicfile.WriteBytes(path, 0o600, buf.Bytes())
}

// proofFiles signs, for a batch file, the proof files the hub has not
// confirmed, up to syncproto.ProofFileBudget bytes (the rest waits for the
// next file), each sealed to the hub first when it was kept before
// enrollment (which needs the proof key open: otherwise it waits).
func proofFiles(ctx context.Context, s *store.Store, st store.SyncState, device string, key ed25519.PrivateKey, res *ExportResult) ([]syncproto.ProofFile, error) {
	unsent, err := s.UnsentProofs(ctx)
	if err != nil {
		return nil, err
	}
	var out []syncproto.ProofFile
	var size int64
	for _, u := range unsent {
		if u.HubRecipient != st.HubAgeRecipient {
			if err := s.ResealProof(ctx, u.Name); errors.Is(err, store.ErrProofLocked) {
				res.ProofsWaiting++
				continue
			} else if err != nil {
				return nil, err
			}
		}
		data, _, err := s.SealedProofFile(u.Name)
		if err != nil {
			return nil, err
		}
		if size+int64(len(data)) > syncproto.ProofFileBudget {
			res.ProofsWaiting++
			continue
		}
		f, err := syncproto.NewProofFile(key, device, u.Dossier, u.Name, data)
		if err != nil {
			return nil, err
		}
		out, size = append(out, f), size+int64(len(data))
	}
	res.Proofs = len(out)
	return out, nil
}

// openProofAcks verifies a reply's proof acks: each signed by the hub, for
// this device, complete.
func openProofAcks(hubKey ed25519.PublicKey, device string, signed []syncproto.Signed) ([]syncproto.ProofAck, error) {
	acks := make([]syncproto.ProofAck, len(signed))
	for i, sa := range signed {
		a := &acks[i]
		if err := syncproto.Open(hubKey, sa, syncproto.TypeProofAck, a); err != nil {
			return nil, err
		}
		if a.Device != device || !a.Complete {
			return nil, syncproto.Errorf(syncproto.CodeForeign, "a proof ack in the reply is for %s %s, complete %v", a.Device, a.Name, a.Complete)
		}
	}
	return acks, nil
}

// markProofsHeld marks sent the proofs the hub holds whole, when the ack
// names the file's SHA-256 as it is on the device now.
func markProofsHeld(ctx context.Context, s *store.Store, acks []syncproto.ProofAck) (int, error) {
	n := 0
	for _, a := range acks {
		_, sum, err := s.SealedProofFile(a.Name)
		if errors.Is(err, os.ErrNotExist) {
			continue // purged or erased since the export
		}
		if err != nil {
			return n, err
		}
		if sum != a.SHA256 {
			continue // sealed again since: the new file goes next time
		}
		if err := s.MarkProofSent(ctx, a.Name, sum); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ImportReply applies a reply file from the hub: its signed ack (marking
// events synced, only upward and only if the hash matches this device's
// log) and its updates. The whole file is verified first — a partial,
// corrupted, tampered or foreign file changes nothing. Importing the same
// reply again changes nothing more.
func ImportReply(ctx context.Context, s *store.Store, path string) (Round, error) {
	c := New(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runRound(ctx, "usb_import", func(ctx context.Context, r *Round) error {
		return importReply(ctx, s, path, r)
	})
}

func importReply(ctx context.Context, s *store.Store, path string, r *Round) error {
	st, err := s.SyncState(ctx)
	if err != nil {
		return err
	}
	dev, _, err := s.Device(ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	id, err := s.DeviceAgeIdentity(ctx)
	if err != nil {
		return err
	}
	// after = -1: the cursor may have moved since the export (a second
	// import, or a network round in between); applied updates are no-ops.
	content, err := syncproto.ReadReplyFile(f, id, st.HubSignKey, dev.ID(), -1)
	if err != nil {
		var pe *syncproto.Error
		if errors.As(err, &pe) && pe.Code == syncproto.CodeBadSignature {
			err = syncproto.Errorf(pe.Code, "the reply is not signed by this device's hub (%s): %s", st.HubName, pe.Message)
		}
		return fmt.Errorf("the reply file was refused whole, nothing changed: %w", err)
	}
	proofAcks, err := openProofAcks(st.HubSignKey, dev.ID(), content.Reply.Proofs)
	if err != nil {
		return fmt.Errorf("the reply file was refused whole, nothing changed: %w", err)
	}
	if content.Ack.ThroughSeq > 0 {
		if _, err := s.RecordAck(ctx, content.Ack.ThroughSeq, content.Ack.LastHash, content.Reply.Ack.Marshal()); err != nil {
			return syncproto.Errorf(syncproto.CodeConflict, "%v", err)
		}
	}
	if r.ProofsSent, err = markProofsHeld(ctx, s, proofAcks); err != nil {
		return err
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		return err
	}
	ap := &applier{s: s, dev: dev, key: key.Public().(ed25519.PublicKey), round: r.ID}
	if err := ap.retrySkipped(ctx); err != nil {
		return err
	}
	err = ap.applyAll(ctx, content.Updates.Items)
	r.UpdatesApplied, r.UpdatesSkipped = ap.applied, ap.skipped
	if err != nil {
		return err
	}
	if err := s.SetUpdateCursor(ctx, content.Updates.Next); err != nil {
		return err
	}
	if ap.revoked {
		return ErrRevoked
	}
	return nil
}
