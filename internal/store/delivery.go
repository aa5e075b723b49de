package store

// Delivery of results: proofs, taking out, delivered, failed attempts, the round.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"postdesk/internal/domain"
)

// Proof is a file kept as proof of delivery: a signature drawn on screen or
// a photo. It is written beside the database in the proofs folder, encrypted
// (proofkey.go).
type Proof struct {
	Kind string // "signature" or "photo"
	Ext  string // ".png", ".jpg"
	Data []byte
}

// CalendarDir is the data folder's calendar/: the year files a supervisor
// installed (internal/calendar), overriding the shipped ones.
func (s *Store) CalendarDir() string { return filepath.Join(filepath.Dir(s.path), "calendar") }

// ProofsDir is the folder beside the database where proofs are kept.
func (s *Store) ProofsDir() string { return filepath.Join(filepath.Dir(s.path), "proofs") }

// ProofPath turns a proof's path as stored in an event into a file path.
func (s *Store) ProofPath(rel string) string {
	return filepath.Join(filepath.Dir(s.path), filepath.FromSlash(rel))
}

// saveProof writes a proof file encrypted (proofkey.go) under a temporary
// name, synced, then renamed, and returns its path relative to the
// database's folder. Its name ends in ".age": the image inside is sealed.
func (s *Store) saveProof(ctx context.Context, dossier string, p Proof) (string, error) {
	rcpts, hub, err := s.proofRecipients(ctx)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(s.ProofsDir(), 0o700); err != nil {
		return "", err
	}
	ext := strings.ToLower(p.Ext)
	if ext == "" || len(ext) > 6 || strings.ContainsAny(ext, `/\`) {
		ext = ".bin"
	}
	name := fmt.Sprintf("%s-%s-%d%s.age", dossier, p.Kind, s.Now().UnixNano(), ext)
	if err := s.writeSealed(name, p.Data, rcpts); err != nil {
		return "", err
	}
	if err := s.recordProofFile(ctx, name, hub); err != nil {
		os.Remove(filepath.Join(s.ProofsDir(), name))
		return "", err
	}
	return "proofs/" + name, nil
}

// TakeOutForDelivery records that the postal worker leaves with these
// results, all or none.
func (s *Store) TakeOutForDelivery(ctx context.Context, staff string, ids []string) error {
	return s.inTx(ctx, func(r *recorder) error {
		for _, id := range ids {
			d, err := r.load(id)
			if err != nil {
				return err
			}
			if err := domain.CheckOutForDelivery(d); err != nil {
				return err
			}
			e, err := event(domain.KindOutForDelivery, id, staff, nil)
			if err != nil {
				return err
			}
			if _, err := r.append(e, d, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Deliver records a result handed over, with the recipient checked, the fee
// still due collected, and the proofs kept. Proof files are written first
// and removed again if the delivery is refused.
func (s *Store) Deliver(ctx context.Context, staff, id string, p domain.DeliverPayload, proofs ...Proof) (*domain.Dossier, error) {
	// Refuse early, before any file is written; checked again in the transaction.
	if d, err := s.Dossier(ctx, id); errors.Is(err, ErrNotFound) {
		return nil, unknownDossier(id)
	} else if err != nil {
		return nil, err
	} else if _, err := domain.PrepareDelivery(d, p); err != nil {
		return nil, err
	}
	var written []string
	for _, pr := range proofs {
		rel, err := s.saveProof(ctx, id, pr)
		if err != nil {
			s.removeProofs(written)
			return nil, err
		}
		written = append(written, rel)
		if pr.Kind == "signature" {
			p.SignatureFile = rel
		} else {
			p.PhotoFile = rel
		}
	}
	out, err := s.move(ctx, staff, id, domain.KindDeliver, func(_ *recorder, d *domain.Dossier) (any, error) {
		return domain.PrepareDelivery(d, p)
	})
	if err != nil {
		s.removeProofs(written)
	}
	return out, err
}

func (s *Store) removeProofs(rel []string) {
	for _, r := range rel {
		os.Remove(s.ProofPath(r))
		s.db.Exec("DELETE FROM proof_files WHERE name = ?", strings.TrimPrefix(r, "proofs/"))
	}
}

// FailDelivery records a failed attempt. When the policy says so (a refusal,
// or the Settings.MaxFailedAttempts-th failure) the result is returned to the
// agency in the same transaction and listed on the agency's open return
// record, which is returned too (nil otherwise).
func (s *Store) FailDelivery(ctx context.Context, staff, id string, p domain.FailedPayload) (*domain.Dossier, *domain.Handover, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out *domain.Dossier
	var ret *domain.Handover
	err = s.inTx(ctx, func(r *recorder) error {
		d, err := r.load(id)
		if err != nil {
			return err
		}
		p, back, err := domain.PrepareFailure(d, p, st.MaxFailedAttempts)
		if err != nil {
			return err
		}
		e, err := event(domain.KindDeliveryFailed, id, staff, p)
		if err != nil {
			return err
		}
		if out, err = r.append(e, d, false); err != nil {
			return err
		}
		if !back {
			return nil
		}
		if ret, err = r.returnRecord(staff, out.AgencyCode, id); err != nil {
			return err
		}
		reason := string(p.Reason)
		if p.Reason != domain.FailRefused {
			reason = domain.ReturnTooManyAttempts
		}
		e, err = event(domain.KindReturnToAgency, id, staff, domain.ReturnPayload{Reason: reason, HandoverID: ret.ID})
		if err != nil {
			return err
		}
		out, err = r.append(e, out, false)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, ret, nil
}

// returnRecord adds dossier id to the agency's open return record, drawing
// one up when there is none.
func (r *recorder) returnRecord(staff, agency, id string) (*domain.Handover, error) {
	var hid string
	err := r.tx.QueryRowContext(r.ctx, `SELECT id FROM handovers WHERE direction = 'return' AND agency_code = ?
		AND confirmed_at = '' AND cancelled_at = '' ORDER BY id LIMIT 1`, agency).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return r.newHandover(staff, domain.HandoverReturn, agency, []string{id})
	}
	if err != nil {
		return nil, err
	}
	h, err := handoverIn(r.ctx, r.tx, hid)
	if err != nil {
		return nil, err
	}
	if err := r.addItem(hid, len(h.Dossiers), id); err != nil {
		return nil, err
	}
	h.Dossiers = append(h.Dossiers, id)
	return h, nil
}

// DeliveryStop is one village of the delivery round with its results.
type DeliveryStop struct {
	Commune, Village string
	Dossiers         []*domain.Dossier
}

// DeliveryRound lists the results waiting to be delivered at the door, by
// commune and village, and those to be collected at the counter.
func (s *Store) DeliveryRound(ctx context.Context) (door []DeliveryStop, counter []*domain.Dossier, err error) {
	ds, err := s.DossiersIn(ctx, "", 0, domain.StateResultAtPost, domain.StateOutForDelivery, domain.StateDeliveryFailed)
	if err != nil {
		return nil, nil, err
	}
	idx := map[[2]string]int{}
	for _, d := range ds {
		if d.ReturnMethod == domain.ReturnAtCounter {
			counter = append(counter, d)
			continue
		}
		key := [2]string{d.Applicant.Commune, d.Applicant.Address}
		i, ok := idx[key]
		if !ok {
			i = len(door)
			idx[key] = i
			door = append(door, DeliveryStop{Commune: key[0], Village: key[1]})
		}
		door[i].Dossiers = append(door[i].Dossiers, d)
	}
	sort.SliceStable(door, func(a, b int) bool {
		ca, cb := domain.Fold(door[a].Commune), domain.Fold(door[b].Commune)
		if ca != cb {
			return ca < cb
		}
		return domain.Fold(door[a].Village) < domain.Fold(door[b].Village)
	})
	return door, counter, nil
}
