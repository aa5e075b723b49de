package cli

import (
	"slices"

	"postdesk/internal/cmdline"
	"postdesk/internal/hubcli"
	"postdesk/internal/syncproto"
)

// commands are postdesk's commands, all in this one table (each runs from
// the file of its group); the province hub's (internal/hubcli) come in
// under "hub".
func commands() []cmdline.Command {
	return slices.Concat([]cmdline.Command{
		// basic.go
		{Path: "version", Usage: "", Help: "print the version", Run: runVersion},
		{Path: "check", Usage: "--db PATH [--json]",
			Help: "verify the file's integrity, every hash chain, and the projection against a replay of the events", Run: runCheck},
		{Path: "purge", Usage: "--db PATH [--dry-run] [--days N] [--json]",
			Help: "remove the personal data of dossiers done longer ago than the retention (--days sets it; 0 keeps for ever)", Run: runPurge},
		{Path: "backup", Usage: "--db PATH --out FILE.db.age",
			Help: "write a consistent copy of the database, encrypted to the recovery key and the hub", Run: runBackup},
		{Path: "restore", Usage: "--db PATH [--key-file FILE | --key - | --identity HUB-KEY-FILE] FILE",
			Help: "replace the database with a backup after decrypting and checking it whole", Run: runRestore},
		{Path: "erase", Usage: "--db PATH --staff SUPERVISOR --confirm  (PIN on standard input)",
			Help: "on a device the province revoked (lost): erase its citizens' personal data, after a supervisor's PIN", Run: runErase},
		{Path: "recovery-key new", Usage: "--db PATH --out SHEET.pdf [--staff NAME]",
			Help: "make the post point's recovery key: printed once on the sheet, only its public part kept", Run: runRecoveryKeyNew},
		// catalog.go
		{Path: "catalog import", Usage: "--db PATH FILE… (.csv or .xlsx)",
			Help: "import agencies and procedures, all or nothing; a re-import updates by code", Run: runCatalogImport},
		{Path: "catalog sample", Usage: "--db PATH", Help: "import the sample catalog shipped with PostDesk", Run: runCatalogSample},
		// demo.go
		{Path: "demo seed", Usage: "--db PATH --dossiers N [--seed S] [--post-point CODE --letter X]",
			Help: "fill a database with realistic synthetic dossiers (same seed, same day: same data)", Run: runDemoSeed},
		// find.go
		{Path: "find", Usage: "--db PATH TEXT [--json] [--staff NAME]",
			Help: "find the dossiers a scan or a search for TEXT finds (receipt QR or number, S10 code, official code, citizen ID, phone, name): one a line, receipt number first",
			Run:  runFind},
		// access.go, citizen.go
		{Path: "access", Usage: "--db PATH [--dossier NUMBER] [--staff NAME] [--limit N] [--json]",
			Help: "the access log: who viewed, searched by ID or phone, reprinted or exported whose data, newest first", Run: runAccess},
		{Path: "citizen export", Usage: "--db PATH --id NUMBER --out FILE.{json,pdf} [--staff NAME]",
			Help: "every dossier and event about one citizen's ID number, for the citizen (logged in the access log)", Run: runCitizenExport},
		// receipt.go, register.go
		{Path: "receipt", Usage: "--db PATH --dossier NUMBER --out FILE.pdf [--layout a5|80mm] [--clerk NAME]",
			Help: "render a dossier's receipt (with its signed QR code) to a PDF", Run: runReceipt},
		{Path: "register", Usage: "--db PATH --date DD/MM/YYYY --out FILE.{pdf,xlsx}",
			Help: "write the daily register (intakes, handovers, deliveries, money per staff member) of a day", Run: runRegister},
		// report.go
		{Path: "report kpi", Usage: "--db PATH [--from DD/MM/YYYY --to DD/MM/YYYY | --year YYYY | --quarter Q/YYYY | --month MM/YYYY] --format json|csv|xlsx|pdf --out FILE",
			Help: "the province's three BCCI figures of this post point for a period (this year by default)", Run: runReportKPI},
		{Path: "report totals import", Usage: "--db PATH [--staff NAME] FILE (.csv or .xlsx)",
			Help: "import the one-stop system's all-channel totals (format: internal/report/TOTALS.md), all or nothing", Run: runTotalsImport},
		{Path: "report totals list", Usage: "--db PATH", Help: "list the totals imports, newest first", Run: runTotalsList},
		{Path: "notice", Usage: "--db PATH --out FILE.pdf", Help: "print the public notice: procedures open and not open for BCCI, by field", Run: runNotice},
		// staff.go
		{Path: "staff add", Usage: "--db PATH --username U --name NAME [--role clerk|postal_worker|supervisor] [--by SUPERVISOR] < PIN",
			Help: "add a staff account with the PIN or password read from standard input (it reaches the post point's other devices)", Run: runStaffAdd},
		{Path: "staff list", Usage: "--db PATH", Help: "list the staff accounts: username, role, active, full name", Run: runStaffList},
		{Path: "signin", Usage: "--db PATH --username U < PIN",
			Help: "sign in with the PIN or password read from standard input (wrong ones count toward the lock, as on screen)", Run: runSignIn},
		// sync.go
		{Path: "enroll", Usage: "--db PATH --hub URL --token T",
			Help: "enroll this device at the province hub with a one-time token", Run: runEnroll},
		{Path: "sync", Usage: "--db PATH", Help: "run one sync round with the province hub (exit status 1 on failure)", Run: runSync},
		{Path: "status", Usage: "--db PATH [--json]",
			Help: "print this device, its enrollment, events waiting, the last acknowledged sequence and the last sync", Run: runStatus},
		{Path: "batch export", Usage: "--db PATH --out FILE" + syncproto.ExtBatchFile,
			Help: "write every event not yet acknowledged by the province to an encrypted USB file", Run: runBatchExport},
		{Path: "batch import", Usage: "--db PATH REPLY" + syncproto.ExtReplyFile,
			Help: "apply the province's reply file (acknowledgement and updates)", Run: runBatchImport},
		// peer.go
		{Path: "peer export", Usage: "--db PATH --to DEVICE --out FILE" + syncproto.ExtPeerFile,
			Help: "write this device's events and those of the other devices it holds for another device of its post point (signed, encrypted to it), for when the hub cannot be reached", Run: runPeerExport},
		{Path: "peer import", Usage: "--db PATH FILE" + syncproto.ExtPeerFile,
			Help: "take another device's events from a peer file made for this device (checked whole; the same file twice changes nothing)", Run: runPeerImport},
		{Path: "peer listen", Usage: "--db PATH [--addr HOST:PORT] [--code=false] [--for DURATION]",
			Help: "serve the post point's other devices on the local network: show a pairing code, then sync with paired devices", Run: runPeerListen},
		{Path: "peer pair", Usage: "--db PATH HOST:PORT CODE",
			Help: "pair with the device listening at HOST:PORT by the code it shows (wrong codes are counted; three close it)", Run: runPeerPair},
		{Path: "peer sync", Usage: "--db PATH HOST:PORT",
			Help: "exchange events directly with the paired device at HOST:PORT, with the checks of a peer file", Run: runPeerSync},
	},
		cmdline.CalendarCommands(""),
		hubcli.Commands())
}
