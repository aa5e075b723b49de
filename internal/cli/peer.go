package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
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
		// every event held, this device's and (relayed) the other devices'
		// but the receiver's: a file cannot ask what the receiver holds, and
		// what it holds already is stored once (§11.4)
		res, err = devicesync.ExportPeerFileRelay(env.Ctx, s, *to, 0, nil, w, time.Now())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "written %s: %d events of this device and %d of other devices in %d batches for device %s, signed and encrypted to it\n",
		*out, res.Events, res.Relayed, res.Envelopes, res.To)
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

func runPeerListen(env *Env, args []string) error {
	fs := flags("peer listen")
	db := fs.String("db", "", "database file")
	addr := fs.String("addr", "0.0.0.0:8788", "address to listen on (the post point's network)")
	pairing := fs.Bool("code", true, "show a pairing code (false: only devices already paired sync)")
	dur := fs.Duration("for", 0, "stop after this long (0: until interrupted)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	var mu sync.Mutex
	say := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(env.Stdout, line)
	}
	l := &devicesync.LANServer{Store: s, Log: say}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 30 * time.Second, ReadTimeout: 15 * time.Minute, WriteTimeout: 15 * time.Minute,
		IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	say("listening on " + ln.Addr().String())
	if *pairing {
		code, until, err := l.OpenPairing()
		if err != nil {
			return err
		}
		say(fmt.Sprintf("pairing code: %s (type it on the other device before %s; %d wrong tries close it)",
			devicesync.ShowPairCode(code), until.Local().Format("15:04"), devicesync.PairTries))
	}
	ctx := env.Ctx
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func runPeerPair(env *Env, args []string) error {
	fs := flags("peer pair")
	db := fs.String("db", "", "database file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("HOST:PORT and the CODE shown on the other device are required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	c := &devicesync.LANClient{Store: s}
	res, err := c.Pair(env.Ctx, pos[0], pos[1])
	if err != nil {
		return fmt.Errorf("not paired: %w", err)
	}
	fmt.Fprintf(env.Stdout, "paired with %s: the two devices can now sync directly (postdesk peer sync)\n", res.Peer)
	return nil
}

func runPeerSync(env *Env, args []string) error {
	fs := flags("peer sync")
	db := fs.String("db", "", "database file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("HOST:PORT of the paired device is required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	c := &devicesync.LANClient{Store: s}
	res, err := c.Sync(env.Ctx, pos[0])
	if err != nil {
		return fmt.Errorf("LAN sync failed, nothing half-stored: %w", err)
	}
	if res.Refused > 0 {
		return fmt.Errorf("with %s: %d events sent, %d new events stored, %d batches refused (see the Sync screen)", res.Peer, res.Sent, res.Received, res.Refused)
	}
	fmt.Fprintf(env.Stdout, "synced with %s: %d events sent, %d new events stored; %d events of other devices handed on; %d batches kept to hand on to the province\n",
		res.Peer, res.Sent, res.Received, res.Relayed, res.ToTheHub)
	return nil
}
