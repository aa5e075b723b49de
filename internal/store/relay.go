package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
)

// Relaying (docs/sync-protocol.md §11.6): a device hands on to another
// device of its post point the other devices' events it holds, in the
// signed envelopes their origin made, so the receiver verifies each with
// the origin's own key, as from the hub.

// keepEnvelope keeps the signed envelope of a run just stored.
func (r *recorder) keepEnvelope(run PeerRun) error {
	_, err := r.tx.ExecContext(r.ctx, `INSERT INTO peer_envelopes(origin, first_seq, last_seq, envelope) VALUES(?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, run.Origin, run.Events[0].Seq, run.Events[len(run.Events)-1].Seq, run.Envelope)
	return err
}

// PeerRelay returns, for every other device whose envelopes are kept here
// except the devices in skip, the envelopes that carry its events after
// heads[device] (what the receiver holds of it), in seq order, each
// linking to the one before: a chain from the receiver's head as far as
// the envelopes kept here reach without a hole. Envelopes may overlap the
// receiver's head (it keeps the events it lacks, after checking the others
// equal what it holds).
func (s *Store) PeerRelay(ctx context.Context, heads map[string]int64, skip ...string) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT origin, first_seq, last_seq FROM peer_envelopes ORDER BY origin, first_seq, last_seq DESC")
	if err != nil {
		return nil, err
	}
	type span struct {
		origin      string
		first, last int64
	}
	byOrigin := map[string][]span{}
	for rows.Next() {
		var sp span
		if err := rows.Scan(&sp.origin, &sp.first, &sp.last); err != nil {
			rows.Close()
			return nil, err
		}
		byOrigin[sp.origin] = append(byOrigin[sp.origin], sp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	skipped := map[string]bool{}
	for _, d := range skip {
		skipped[d] = true
	}
	origins := make([]string, 0, len(byOrigin))
	for o := range byOrigin {
		if !skipped[o] {
			origins = append(origins, o)
		}
	}
	sort.Strings(origins)
	var picked []span
	for _, o := range origins {
		// Greedy: from the receiver's head, the envelope that starts at or
		// before the next seq it needs and reaches furthest, again and again.
		at := heads[o]
		spans := byOrigin[o]
		for {
			best := -1
			for i, sp := range spans {
				if sp.first <= at+1 && sp.last > at && (best < 0 || sp.last > spans[best].last) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			picked, at = append(picked, spans[best]), spans[best].last
		}
	}
	out := make([][]byte, 0, len(picked))
	cut := map[string]bool{}
	for _, sp := range picked {
		if cut[sp.origin] {
			continue
		}
		var env []byte
		err := s.db.QueryRowContext(ctx, "SELECT envelope FROM peer_envelopes WHERE origin = ? AND first_seq = ? AND last_seq = ?",
			sp.origin, sp.first, sp.last).Scan(&env)
		if errors.Is(err, sql.ErrNoRows) {
			cut[sp.origin] = true // purged meanwhile: the later ones would not link
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, env)
	}
	return out, nil
}

// dropEnvelopesOf forgets the kept envelopes that carry a peer event whose
// payload the retention purge redacts: an envelope keeps the payload as
// signed, so it goes (the events after it are relayed no more from here;
// the hub and their origin still hold them).
func (r *recorder) dropEnvelopesOf(device string, seq int64) error {
	_, err := r.tx.ExecContext(r.ctx, "DELETE FROM peer_envelopes WHERE origin = ? AND first_seq <= ? AND last_seq >= ?", device, seq, seq)
	return err
}
