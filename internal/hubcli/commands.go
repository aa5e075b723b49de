package hubcli

import (
	"slices"

	"postdesk/internal/cmdline"
)

// Commands are the hub's commands, all in this one table; every path
// starts with "hub" (postdesk-hub implies it; postdesk runs them as
// `postdesk hub …`). The hub keeps its own database (HUB.db), never a post
// point's.
func Commands() []cmdline.Command {
	return slices.Concat([]cmdline.Command{
		{Path: "hub serve", Usage: "--db HUB.db [--addr 127.0.0.1:8787] [--cert FILE --key FILE] [--name NAME] [--trusted-proxy ADDR,CIDR…] [--max-conns N] [--quiet]",
			Help: "run the province hub: device API, outcome API and the staff web page", Run: runHubServe},
		{Path: "hub token", Usage: "--db HUB.db --post-point CODE [--name NOTE] [--post-point-name NAME]",
			Help: "issue a one-time enrollment token for a post point (printed once)", Run: runHubToken},
		{Path: "hub key export", Usage: "--db HUB.db --out FILE",
			Help: "write the hub's age identity, which opens every backup of the devices enrolled here (keep it offline)", Run: runHubKeyExport},
		{Path: "hub retention", Usage: "--db HUB.db --days N",
			Help: "set the province's retention: days a done dossier keeps its personal fields on the devices (0: for ever), sent as a signed update (the hub's own: hub purge --days)", Run: runHubRetention},
		{Path: "hub purge", Usage: "--db HUB.db [--days N] [--dry-run] [--json]",
			Help: "the hub's own retention: remove from the hub's copy the personal data of dossiers done more than N days ago (--days sets it first; 0: keep for ever)", Run: runHubPurge},
		{Path: "hub revoke", Usage: "--db HUB.db --device ID [--reason TEXT]",
			Help: "revoke a device (lost, stolen, retired): its batches and pulls are refused, its peers told; at its next connection it is ordered to lock and erase", Run: runHubRevoke},
		{Path: "hub citizen export", Usage: "--db HUB.db --cccd NUMBER --out FILE.{json,pdf} [--staff NAME]",
			Help: "write every dossier and event about one ID number over every post point (logged in the hub's access log)", Run: runHubCitizenExport},
		{Path: "hub access", Usage: "--db HUB.db [--dossier NUMBER] [--user NAME] [--limit N] [--json]",
			Help: "who looked: the hub's own views and exports and every post point's access log, per dossier or per user", Run: runHubAccess},
		{Path: "hub notice set", Usage: "--db HUB.db [--vi TEXT] [--en TEXT] | --default",
			Help: "the province's wording of the receipt's personal-data notice, sent to every device (signed update)", Run: runHubNoticeSet},
		{Path: "hub import-outcomes", Usage: "--db HUB.db FILE",
			Help: "queue agency outcomes and result-only registrations from a .csv/.xlsx file (all rows or none)", Run: runHubImportOutcomes},
		{Path: "hub import", Usage: "--db HUB.db FILE --reply REPLY",
			Help: "import a USB batch file (.pdsync) and write the reply file (.pdreply) for the device", Run: runHubImport},
		{Path: "hub status", Usage: "--db HUB.db [--json]",
			Help: "print post points, devices, events stored, last sync and conflicts", Run: runHubStatus},
		{Path: "hub check", Usage: "--db HUB.db [--json]",
			Help: "verify the hub file, every device's hash chain and the dossier projection", Run: runHubCheck},
		{Path: "hub migrate", Usage: "--from HUB.db --to postgres://USER@HOST/DB",
			Help: "copy a hub file into an empty PostgreSQL database in one transaction, then check both (stop hub serve first)", Run: runHubMigrate},
		{Path: "hub user add", Usage: "--db HUB.db --username U --password P",
			Help: "add a province staff account for the web page (or set its password)", Run: runHubUserAdd},
		{Path: "hub api-token", Usage: "--db HUB.db --name NAME",
			Help: "issue an API token for the one-stop system to POST /v1/outcomes (printed once)", Run: runHubAPIToken},
		{Path: "hub report kpi", Usage: "--db HUB.db [--from DD/MM/YYYY --to DD/MM/YYYY | --year YYYY | --quarter Q/YYYY | --month MM/YYYY] [--by commune|agency|field|post-point] [--quality] --format json|csv|xlsx|pdf --out FILE",
			Help: "the province's three BCCI figures over every post point, by unit", Run: runHubReportKPI},
		{Path: "hub report import-totals", Usage: "--db HUB.db [--staff NAME] FILE (.csv or .xlsx)",
			Help: "import the one-stop system's all-channel totals for the province (internal/report/TOTALS.md), all or nothing", Run: runHubReportTotals},
		{Path: "hub report import-catalog", Usage: "--db HUB.db FILE… (.csv or .xlsx)",
			Help: "replace the province catalog the report uses (deployed flags, fields, agencies)", Run: runHubReportCatalog},
		{Path: "hub report import-communes", Usage: "--db HUB.db FILE.csv",
			Help: "replace the communes file: columns commune, post_point_code, agency_code", Run: runHubReportCommunes},
		{Path: "hub report targets", Usage: "--db HUB.db [--procedures N --dossiers N --results N]",
			Help: "show or set the province's three targets (percent)", Run: runHubReportTargets},
	},
		oneStopCommands,
		// the hub keeps its own calendar files beside its database, for the
		// service-quality figures and to send to the post points with the
		// province catalog (hub catalog import)
		cmdline.CalendarCommands("hub "))
}
