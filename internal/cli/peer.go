package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"postdesk/internal/atomicfile"
	"postdesk/internal/devicesync"
)

func runPeerExport(env *Env, args []string) error {
	fs := flags("peer export")
	db := fs.String("db", "", "database file")
	to := fs.String("to", "", "the receiving device, e.g. 600900-B")
	out := fs.String("out", "", "file to write")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" || *out == "" {
		return usagef("--to DEVICE and --out FILE are required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	var res devicesync.PeerExport
	err = atomicfile.Write(*out, 0o600, func(w io.Writer) error {
		var err error
		res, err = devicesync.ExportPeerFile(env.Ctx, s, *to, w, time.Now())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "written %s: %d events in %d batches for device %s, signed and encrypted to it\n", *out, res.Events, res.Envelopes, res.To)
	return nil
}

func runPeerImport(env *Env, args []string) error {
	fs := flags("peer import")
	db := fs.String("db", "", "database file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one peer file is required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := devicesync.ImportPeerFile(env.Ctx, s, f)
	if err != nil {
		return fmt.Errorf("peer file refused, nothing stored: %w", err)
	}
	if res.Already {
		fmt.Fprintf(env.Stdout, "already imported: this file from %s changed nothing\n", res.From)
		return nil
	}
	if res.Refused > 0 {
		return fmt.Errorf("from %s: %d new events stored, %d batches refused (see the Sync screen)", res.From, res.Events, res.Refused)
	}
	fmt.Fprintf(env.Stdout, "imported from %s: %d new events; %d batches kept to hand on to the province\n", res.From, res.Events, res.ToTheHub)
	return nil
}
