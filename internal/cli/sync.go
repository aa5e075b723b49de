package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

func runEnroll(env *Env, args []string) error {
	fs, db := dbFlags("enroll")
	hub := fs.String("hub", "", "hub address, e.g. https://hub.example:8787")
	token := fs.String("token", "", "one-time enrollment token from the province")
	check := func(pos []string) error {
		if *hub == "" || *token == "" {
			return usagef("--hub URL and --token T are required")
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		resp, err := devicesync.New(s).Enroll(env.Ctx, *hub, *token)
		if err != nil {
			return err
		}
		name := resp.HubName
		if name == "" {
			name = *hub
		}
		fmt.Fprintf(env.Stdout, "enrolled: device %s of post point %s at hub %s\n", resp.Device, resp.PostPoint, name)
		return nil
	})
}

func runSync(env *Env, args []string) error {
	fs, db := dbFlags("sync")
	return onAnyDB(fs, db, args, nil, func(s *store.Store, pos []string) error {
		r, err := devicesync.New(s).RunOnce(env.Ctx)
		if err != nil {
			return fmt.Errorf("sync failed after sending %d events: %w", r.Pushed, err)
		}
		fmt.Fprintf(env.Stdout, "synced: %d events sent in %d batches, acknowledged through %d; %d updates applied, %d skipped\n",
			r.Pushed, r.Batches, r.AckedThrough, r.UpdatesApplied, r.UpdatesSkipped)
		return nil
	})
}

// statusReport is `postdesk status --json`.
type statusReport struct {
	Device         string            `json:"device"`
	PostPoint      string            `json:"post_point"`
	PostPointName  string            `json:"post_point_name"`
	Enrolled       bool              `json:"enrolled"`
	HubURL         string            `json:"hub_url,omitempty"`
	HubName        string            `json:"hub_name,omitempty"`
	EnrolledAt     *time.Time        `json:"enrolled_at,omitempty"`
	Revoked        bool              `json:"revoked"`
	RevokedReason  string            `json:"revoked_reason,omitempty"`
	Events         int64             `json:"events"`
	EventsWaiting  int64             `json:"events_waiting"`
	AckedThrough   int64             `json:"acked_through"`
	UpdateCursor   int64             `json:"update_cursor"`
	LastSuccess    *time.Time        `json:"last_success,omitempty"`
	LastRound      *store.SyncRound  `json:"last_round,omitempty"`
	SkippedUpdates int               `json:"skipped_updates"`
	Catalog        store.CatalogInfo `json:"catalog"`
}

func runStatus(env *Env, args []string) error {
	fs, db := dbFlags("status")
	asJSON := fs.Bool("json", false, "print JSON")
	return onAnyDB(fs, db, args, nil, func(s *store.Store, pos []string) error {
		ctx := env.Ctx
		dev, pp, err := s.Device(ctx)
		if err != nil {
			return err
		}
		st, err := s.SyncState(ctx)
		if err != nil {
			return err
		}
		last, err := s.LastSeq(ctx, dev.ID())
		if err != nil {
			return err
		}
		rep := statusReport{Device: dev.ID(), PostPoint: pp.Code, PostPointName: pp.Name, Enrolled: st.Enrolled(),
			HubURL: st.HubURL, HubName: st.HubName, Revoked: st.Revoked(), RevokedReason: st.RevokedReason,
			Events: last, EventsWaiting: last - st.AckedThrough, AckedThrough: st.AckedThrough, UpdateCursor: st.UpdateCursor}
		if !st.EnrolledAt.IsZero() {
			rep.EnrolledAt = &st.EnrolledAt
		}
		if !st.LastSuccess.IsZero() {
			rep.LastSuccess = &st.LastSuccess
		}
		if rounds, err := s.SyncRounds(ctx, 1); err == nil && len(rounds) > 0 {
			rep.LastRound = &rounds[0]
		}
		if sk, err := s.SkippedUpdates(ctx, 1000); err == nil {
			rep.SkippedUpdates = len(sk)
		}
		if rep.Catalog, err = s.Catalog(ctx); err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		w := env.Stdout
		fmt.Fprintf(w, "device:          %s (%s %s)\n", rep.Device, pp.Code, pp.Name)
		if !rep.Enrolled {
			fmt.Fprintf(w, "enrollment:      not enrolled (postdesk enroll --db PATH --hub URL --token T)\n")
		} else {
			fmt.Fprintf(w, "enrollment:      %s %s, since %s\n", rep.HubName, rep.HubURL, when(st.EnrolledAt))
		}
		if rep.Revoked {
			fmt.Fprintf(w, "REVOKED:         %s (%s)\n", when(st.RevokedAt), rep.RevokedReason)
		}
		fmt.Fprintf(w, "events:          %d, waiting %d, acknowledged through %d\n", rep.Events, rep.EventsWaiting, rep.AckedThrough)
		fmt.Fprintf(w, "last sync:       %s\n", when(st.LastSuccess))
		if r := rep.LastRound; r != nil {
			res := "ok"
			if r.Error != "" {
				res = r.Error
			} else if r.FinishedAt.IsZero() {
				res = "unfinished"
			}
			fmt.Fprintf(w, "last round:      %s %s: %d sent, %d updates applied, %d skipped — %s\n",
				when(r.StartedAt), r.Via, r.Pushed, r.UpdatesApplied, r.UpdatesSkipped, res)
		}
		if rep.SkippedUpdates > 0 {
			fmt.Fprintf(w, "updates waiting: %d (skipped for now; retried every round)\n", rep.SkippedUpdates)
		}
		if c := rep.Catalog; c.HubVersion > 0 {
			fmt.Fprintf(w, "catalog:         version %d here; province catalog version %d from the hub, applied %s\n",
				c.Version, c.HubVersion, when(c.HubAt))
			if c.Communes > 0 {
				fmt.Fprintf(w, "communes:        the province's list of %d from the hub\n", c.Communes)
			}
		} else {
			fmt.Fprintf(w, "catalog:         version %d here; no province catalog from the hub yet\n", c.Version)
		}
		return nil
	})
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	l := t.In(domain.Zone)
	return domain.FormatDate(l) + " " + l.Format("15:04:05")
}

func runBatchExport(env *Env, args []string) error {
	fs, db := dbFlags("batch export")
	out := fs.String("out", "", "file to write")
	check := func(pos []string) error {
		if *out == "" {
			return usagef("--out FILE is required")
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		res, err := devicesync.ExportFile(env.Ctx, s, *out)
		if err != nil {
			return err
		}
		if res.Events == 0 {
			fmt.Fprintf(env.Stdout, "written %s: no events waiting; the file asks the province for updates only\n", res.Path)
		} else {
			fmt.Fprintf(env.Stdout, "written %s: %d events (seq %d–%d) in %d batches, encrypted to the province hub\n",
				res.Path, res.Events, res.FirstSeq, res.LastSeq, res.Batches)
		}
		if res.Proofs > 0 || res.ProofsWaiting > 0 {
			fmt.Fprintf(env.Stdout, "delivery proofs: %d in the file, %d waiting for a later one\n", res.Proofs, res.ProofsWaiting)
		}
		return nil
	})
}

func runBatchImport(env *Env, args []string) error {
	fs, db := dbFlags("batch import")
	check := func(pos []string) error {
		if len(pos) != 1 {
			return usagef("one REPLY file is required")
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		r, err := devicesync.ImportReply(env.Ctx, s, pos[0])
		if err != nil {
			return fmt.Errorf("reply %s: %w", pos[0], err)
		}
		fmt.Fprintf(env.Stdout, "imported %s: acknowledged through %d; %d updates applied, %d skipped; %d delivery proofs confirmed\n",
			pos[0], r.AckedThrough, r.UpdatesApplied, r.UpdatesSkipped, r.ProofsSent)
		return nil
	})
}
