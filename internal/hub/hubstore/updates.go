package hubstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// Outcome kinds, as written in an outcome file or the API.
const (
	OutcomeAccepted    = "accepted"     // the agency accepted: official code and due date
	OutcomeSupplement  = "supplement"   // the agency asks for more papers
	OutcomeRejected    = "rejected"     // the agency refused (reason)
	OutcomeResultReady = "result_ready" // the result is ready at the agency
	OutcomeResultOnly  = "result_only"  // a result to return by post for a dossier taken elsewhere
)

// Outcome is one row of an outcome file (or one item of the API): what the
// agency decided about a dossier, or a result-only registration.
type Outcome struct {
	Line         int    `json:"-"` // line in the file (or item number in the API), for errors
	Receipt      string `json:"receipt,omitempty"`
	OfficialCode string `json:"official_code,omitempty"`
	Outcome      string `json:"outcome"`
	DueDate      string `json:"due_date,omitempty"` // dd/mm/yyyy
	Papers       string `json:"papers,omitempty"`   // separated by ';'
	Reason       string `json:"reason,omitempty"`
	PostPoint    string `json:"post_point,omitempty"`
	// Applicant and procedure, for result_only.
	ApplicantName  string `json:"applicant_name,omitempty"`
	ApplicantID    string `json:"applicant_id,omitempty"`
	ApplicantPhone string `json:"applicant_phone,omitempty"`
	Commune        string `json:"commune,omitempty"`
	Address        string `json:"address,omitempty"`
	ProcedureCode  string `json:"procedure_code,omitempty"`
	ProcedureName  string `json:"procedure_name,omitempty"`
	AgencyCode     string `json:"agency_code,omitempty"`
	Fee            string `json:"fee,omitempty"` // đồng, collected on delivery
	// Status is the one-stop system's TrangThaiHoSo (1–10), mapped to an
	// outcome through the domain's table (docs/onestop.md), when Outcome is empty.
	Status string `json:"status,omitempty"`
	// Info holds the informational cells of an export (MaBuuGui,
	// KenhThucHien…) by column: checked to be short, recorded nowhere.
	Info map[string]string `json:"-"`
}

// ImportResult counts what an outcome import did.
type ImportResult struct {
	Rows          int
	Queued        int // new updates
	AlreadyQueued int // identical to an update queued before: nothing to do
	Unchanged     int // a portal status the dossier already has: nothing to do
}

// planned is a validated outcome ready to queue.
type planned struct {
	postPoint, device, kind, dossier, dedup string
	event                                   domain.Kind
	payload                                 []byte
}

// QueueOutcomes validates every outcome and queues them all as updates in
// one transaction, or none: errors name the line and the column. Importing
// the same rows again queues nothing new.
func (s *Store) QueueOutcomes(ctx context.Context, rows []Outcome, source string) (ImportResult, error) {
	res := ImportResult{Rows: len(rows)}
	if len(rows) == 0 {
		return res, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	// Outcomes are checked against hub_dossiers: bring it up to date first.
	if err := s.Project(ctx); err != nil {
		return res, err
	}
	now := s.Now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		v := &validator{ctx: ctx, tx: tx, states: map[string]*simState{}, officials: map[string]int{}}
		defer func() { res.Unchanged = v.unchanged }()
		var plans []planned
		for i := range rows {
			p, ok := v.row(&rows[i])
			if ok {
				plans = append(plans, p...)
			}
		}
		if err := v.errs.Err(); err != nil {
			return err
		}
		if v.err != nil {
			return v.err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO updates(post_point_code, device_id, kind, dossier, event, payload, source, dedup, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, p := range plans {
			r, err := ins.ExecContext(ctx, p.postPoint, p.device, p.kind, p.dossier, string(p.event), p.payload,
				Truncate(source, 200), p.dedup, formatTime(now))
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 1 {
				res.Queued++
			} else {
				res.AlreadyQueued++
			}
		}
		return nil
	})
	return res, err
}

// simState is a dossier's state as the hub expects it once the updates
// already queued (and the file's earlier rows) are applied.
type simState struct {
	exists bool
	id     string
	device string
	state  domain.State
	option domain.ServiceOption
	code   string
}

type validator struct {
	ctx       context.Context
	tx        *sql.Tx
	errs      domain.Errors
	err       error // a database failure
	states    map[string]*simState
	officials map[string]int // official code of result_only rows → line
	unchanged int            // portal rows whose status the dossier already has
}

func (v *validator) fail(line int, column, key, format string, a ...any) *domain.FieldError {
	e := domain.Errf(fmt.Sprintf("line %d: %s", line, column), key, format, a...).
		WithArgs("Line", strconv.Itoa(line), "Column", column)
	v.errs = append(v.errs, e)
	return e
}

// failErr adds a validator's FieldError under the row's line and column.
func (v *validator) failErr(line int, column string, err error) {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		c := fe.In(fmt.Sprintf("line %d: %s", line, column))
		c = c.WithArgs("Line", strconv.Itoa(line), "Column", column)
		v.errs = append(v.errs, c)
		return
	}
	v.fail(line, column, "hub.err.outcome_value", "%v", err)
}

func dedupKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// outcomeLimits bound each column of an outcome row (characters): every
// one may end up in an event on a device (domain.MaxEventPayload).
var outcomeLimits = []struct {
	column string
	value  func(o *Outcome) string
	max    int
}{
	{"papers", func(o *Outcome) string { return o.Papers }, domain.MaxDocumentsCell},
	{"reason", func(o *Outcome) string { return o.Reason }, domain.MaxCatalogText},
	{"applicant_name", func(o *Outcome) string { return o.ApplicantName }, domain.MaxNameLength},
	{"commune", func(o *Outcome) string { return o.Commune }, domain.MaxShortText},
	{"address", func(o *Outcome) string { return o.Address }, domain.MaxAddressLength},
	{"procedure_name", func(o *Outcome) string { return o.ProcedureName }, domain.MaxCatalogName},
	{"receipt", func(o *Outcome) string { return o.Receipt }, domain.MaxShortText},
	{"official_code", func(o *Outcome) string { return o.OfficialCode }, domain.MaxShortText},
	{"outcome", func(o *Outcome) string { return o.Outcome }, domain.MaxShortText},
	{"due_date", func(o *Outcome) string { return o.DueDate }, domain.MaxShortText},
	{"post_point", func(o *Outcome) string { return o.PostPoint }, domain.MaxShortText},
	{"applicant_id", func(o *Outcome) string { return o.ApplicantID }, domain.MaxShortText},
	{"applicant_phone", func(o *Outcome) string { return o.ApplicantPhone }, domain.MaxShortText},
	{"procedure_code", func(o *Outcome) string { return o.ProcedureCode }, domain.MaxShortText},
	{"agency_code", func(o *Outcome) string { return o.AgencyCode }, domain.MaxShortText},
	{"fee", func(o *Outcome) string { return o.Fee }, domain.MaxShortText},
}

func (v *validator) row(o *Outcome) ([]planned, bool) {
	long := false
	for _, l := range outcomeLimits {
		if e := domain.TextTooLong(l.column, l.value(o), l.max); e != nil {
			v.failErr(o.Line, l.column, e)
			long = true
		}
	}
	for _, c := range sortedKeys(o.Info) {
		if e := domain.TextTooLong(c, o.Info[c], domain.MaxShortText); e != nil {
			v.failErr(o.Line, c, e)
			long = true
		}
	}
	if long {
		return nil, false
	}
	kind := normalizeOutcome(o.Outcome)
	if strings.TrimSpace(o.Status) != "" {
		if kind != "" {
			v.fail(o.Line, "TrangThaiHoSo", "hub.err.outcome_and_status", "give the outcome or TrangThaiHoSo, not both")
			return nil, false
		}
		return v.portal(o)
	}
	switch kind {
	case OutcomeAccepted, OutcomeSupplement, OutcomeRejected, OutcomeResultReady:
		return v.outcome(o, kind)
	case OutcomeResultOnly:
		return v.resultOnly(o)
	case "":
		v.fail(o.Line, "outcome", "hub.err.outcome_missing", "the outcome is missing (accepted, supplement, rejected, result_ready or result_only)")
	default:
		v.fail(o.Line, "outcome", "hub.err.outcome_kind", "%q is not an outcome: write accepted, supplement, rejected, result_ready or result_only", o.Outcome).
			WithArgs("Value", o.Outcome)
	}
	return nil, false
}

// normalizeOutcome accepts the English words and their Vietnamese names.
func normalizeOutcome(s string) string {
	f := strings.ReplaceAll(domain.Fold(s), " ", "_")
	switch f {
	case "accepted", "accept", "tiep_nhan", "da_tiep_nhan":
		return OutcomeAccepted
	case "supplement", "bo_sung", "yeu_cau_bo_sung":
		return OutcomeSupplement
	case "rejected", "reject", "tu_choi":
		return OutcomeRejected
	case "result_ready", "co_ket_qua", "da_co_ket_qua":
		return OutcomeResultReady
	case "result_only", "chi_tra_ket_qua", "tra_ket_qua":
		return OutcomeResultOnly
	case "":
		return ""
	}
	return "?" + s
}

// lookup finds the dossier an outcome is about, by receipt or official code.
func (v *validator) lookup(o *Outcome) *simState {
	receipt := domain.Clean(o.Receipt)
	code := domain.Clean(o.OfficialCode)
	var id string
	if receipt != "" {
		r, err := domain.ParseReceiptNumber(receipt)
		if err != nil {
			v.failErr(o.Line, "receipt", err)
			return nil
		}
		id = r.String()
	} else if code != "" {
		oc, err := domain.ParseOfficialCode(code)
		if err != nil {
			v.failErr(o.Line, "official_code", err)
			return nil
		}
		rows, err := v.tx.QueryContext(v.ctx, "SELECT id FROM hub_dossiers WHERE official_code = ?", oc.String())
		if err != nil {
			v.err = err
			return nil
		}
		var ids []string
		for rows.Next() {
			var x string
			rows.Scan(&x)
			ids = append(ids, x)
		}
		rows.Close()
		switch len(ids) {
		case 0:
			v.fail(o.Line, "official_code", "hub.err.official_unknown", "no dossier at the hub has official code %s; give the receipt number", oc.String()).
				WithArgs("Code", oc.String())
			return nil
		case 1:
			id = ids[0]
		default:
			v.fail(o.Line, "official_code", "hub.err.official_ambiguous", "several dossiers have official code %s; give the receipt number", oc.String()).
				WithArgs("Code", oc.String())
			return nil
		}
	} else {
		v.fail(o.Line, "receipt", "hub.err.outcome_no_dossier", "give the receipt number or the official code of the dossier")
		return nil
	}
	if st, ok := v.states[id]; ok {
		return st
	}
	st := &simState{id: id}
	var data []byte
	err := v.tx.QueryRowContext(v.ctx, "SELECT device_id, state, option, official_code, data FROM hub_dossiers WHERE id = ?", id).
		Scan(&st.device, &st.state, &st.option, &st.code, &data)
	if errors.Is(err, sql.ErrNoRows) {
		v.fail(o.Line, "receipt", "hub.err.dossier_unknown", "dossier %s has not reached the hub yet: sync the post point first", id).
			WithArgs("Dossier", id)
		return nil
	}
	if err != nil {
		v.err = err
		return nil
	}
	st.exists = true
	// Updates queued but not yet pulled by the device move the expected state on.
	rows, err := v.tx.QueryContext(v.ctx, `SELECT u.event FROM updates u JOIN devices d ON d.id = u.device_id
		WHERE u.dossier = ? AND u.kind = ? AND u.id > d.update_cursor ORDER BY u.id`, id, syncproto.UpdateOutcome)
	if err != nil {
		v.err = err
		return nil
	}
	defer rows.Close()
	for rows.Next() {
		var ev string
		if rows.Scan(&ev) != nil {
			continue
		}
		if next, err := domain.Next(id, st.state, st.option, domain.Kind(ev)); err == nil {
			st.state = next
		}
	}
	v.states[id] = st
	return st
}

// portal records a row in the one-stop system's vocabulary: its
// TrangThaiHoSo is mapped to an outcome through the domain's table. A status
// the dossier already has (at the hub, counting what is queued) is already
// recorded, so an export imported back changes nothing.
func (v *validator) portal(o *Outcome) ([]planned, bool) {
	p, err := domain.ParsePortalStatus(o.Status)
	if err != nil {
		v.failErr(o.Line, "TrangThaiHoSo", err)
		return nil, false
	}
	st := v.lookup(o)
	if st == nil {
		return nil, false
	}
	cur := domain.PortalStatusOf(st.state).Status
	if cur == p {
		v.unchanged++
		return nil, true
	}
	ev, why := domain.PortalOutcome(p)
	if ev == "" {
		v.fail(o.Line, "TrangThaiHoSo", "hub.err.portal_no_outcome",
			"TrangThaiHoSo %d cannot be recorded from the one-stop system (dossier %s is %d, %s, at the hub): %s", p, st.id, cur, st.state, why).
			WithArgs("Value", strconv.Itoa(int(p)), "Dossier", st.id, "Current", strconv.Itoa(int(cur)))
		return nil, false
	}
	for kind, k := range outcomeEvent {
		if k == ev {
			return v.outcome(o, kind)
		}
	}
	v.fail(o.Line, "TrangThaiHoSo", "hub.err.portal_no_outcome", "TrangThaiHoSo %d records %s, which the hub does not send", p, ev).
		WithArgs("Value", strconv.Itoa(int(p)), "Dossier", st.id, "Current", strconv.Itoa(int(cur)))
	return nil, false
}

// parseDueDate reads an appointment date as typed (dd/mm/yyyy) or as the
// one-stop system writes it (yyyyMMdd, yyyyMMddHHmmss).
func parseDueDate(s string) (time.Time, error) {
	t, err := domain.ParseDate(s, domain.Zone)
	if err == nil {
		return t, nil
	}
	if c := strings.TrimSpace(s); (len(c) == 8 || len(c) == 14) && strings.Trim(c, "0123456789") == "" {
		return domain.ParsePortalTime(c)
	}
	return t, err
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var outcomeEvent = map[string]domain.Kind{
	OutcomeAccepted:    domain.KindAccept,
	OutcomeSupplement:  domain.KindRequestSupplement,
	OutcomeRejected:    domain.KindReject,
	OutcomeResultReady: domain.KindResultReady,
}

func (v *validator) outcome(o *Outcome, kind string) ([]planned, bool) {
	before := len(v.errs)
	st := v.lookup(o)
	ev := outcomeEvent[kind]
	var payload any
	var dedupParts []string
	switch kind {
	case OutcomeAccepted:
		var code domain.OfficialCode
		var err error
		if code, err = domain.ParseOfficialCode(o.OfficialCode); err != nil {
			v.failErr(o.Line, "official_code", err)
		}
		due, err := parseDueDate(o.DueDate)
		if err != nil {
			v.failErr(o.Line, "due_date", err)
		}
		payload = domain.AcceptPayload{OfficialCode: code.String(), DueDate: due}
		dedupParts = []string{code.String(), formatTime(due)}
	case OutcomeSupplement:
		var papers []string
		for _, p := range strings.Split(o.Papers, ";") {
			if p = domain.Clean(p); p != "" {
				papers = append(papers, p)
			}
		}
		if len(papers) == 0 {
			v.fail(o.Line, "papers", "hub.err.papers_missing", "name the papers the agency asks for, separated by ';'")
		}
		payload = domain.SupplementPayload{Papers: papers, Note: domain.Clean(o.Reason)}
		dedupParts = papers
	case OutcomeRejected:
		reason := domain.Clean(o.Reason)
		if reason == "" {
			v.fail(o.Line, "reason", "hub.err.reason_missing", "the reason for the refusal is required")
		}
		payload = domain.ReasonPayload{Reason: reason}
		dedupParts = []string{reason}
	case OutcomeResultReady:
		payload = nil
	}
	if st == nil || len(v.errs) > before {
		return nil, false
	}
	if kind != OutcomeAccepted && o.OfficialCode != "" && st.code != "" {
		if oc, err := domain.ParseOfficialCode(o.OfficialCode); err == nil && oc.String() != st.code {
			v.fail(o.Line, "official_code", "hub.err.official_mismatch", "dossier %s has official code %s, not %s", st.id, st.code, oc.String()).
				WithArgs("Dossier", st.id, "Code", st.code, "Given", oc.String())
			return nil, false
		}
	}
	var raw json.RawMessage
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			v.err = err
			return nil, false
		}
		raw = b
	}
	dedup := dedupKey(append([]string{syncproto.UpdateOutcome, st.id, string(ev)}, dedupParts...)...)
	var queued int
	if err := v.tx.QueryRowContext(v.ctx, "SELECT count(*) FROM updates WHERE dedup = ?", dedup).Scan(&queued); err != nil {
		v.err = err
		return nil, false
	}
	if queued == 0 {
		next, err := domain.Next(st.id, st.state, st.option, ev)
		if err != nil {
			v.fail(o.Line, "outcome", "hub.err.outcome_state", "dossier %s is %s at the hub: %s cannot be recorded now", st.id, st.state, kind).
				WithArgs("Dossier", st.id, "State", string(st.state), "Outcome", kind)
			return nil, false
		}
		st.state = next
	}
	dev, _ := ParseDeviceID(st.device)
	return []planned{{postPoint: dev.PostPointCode, device: st.device, kind: syncproto.UpdateOutcome, dossier: st.id, dedup: dedup,
		event: ev, payload: raw}}, true
}

func (v *validator) resultOnly(o *Outcome) ([]planned, bool) {
	before := len(v.errs)
	pp := domain.Clean(o.PostPoint)
	if err := domain.ValidPostPointCode(pp); err != nil {
		v.failErr(o.Line, "post_point", err)
	} else {
		var n int
		if err := v.tx.QueryRowContext(v.ctx, "SELECT count(*) FROM post_points WHERE code = ?", pp).Scan(&n); err != nil {
			v.err = err
			return nil, false
		}
		if n == 0 {
			v.fail(o.Line, "post_point", "hub.err.post_point_unknown", "post point %s is not known to the hub", pp).
				WithArgs("Code", pp)
		}
	}
	code, err := domain.ParseOfficialCode(o.OfficialCode)
	if err != nil {
		v.failErr(o.Line, "official_code", err)
	} else if l, dup := v.officials[code.String()]; dup {
		v.fail(o.Line, "official_code", "hub.err.official_twice", "official code %s is also on line %d", code.String(), l).
			WithArgs("Code", code.String(), "Other", strconv.Itoa(l))
	} else {
		v.officials[code.String()] = o.Line
	}
	name := domain.Clean(o.ApplicantName)
	if name == "" {
		v.fail(o.Line, "applicant_name", "hub.err.applicant_name", "the applicant's full name is required")
	}
	cid, err := domain.ParseCitizenID(o.ApplicantID, 0)
	if err != nil {
		v.failErr(o.Line, "applicant_id", err)
	}
	phone := ""
	if strings.TrimSpace(o.ApplicantPhone) != "" {
		if phone, err = domain.NormalizePhone(o.ApplicantPhone); err != nil {
			v.failErr(o.Line, "applicant_phone", err)
		}
	}
	proc := domain.Clean(o.ProcedureCode)
	if proc == "" {
		v.fail(o.Line, "procedure_code", "hub.err.procedure_missing", "the procedure code is required")
	}
	agency := domain.Clean(o.AgencyCode)
	if err := domain.ValidAgencyCode(agency); err != nil {
		v.failErr(o.Line, "agency_code", err)
	}
	address := domain.Clean(o.Address)
	if address == "" {
		v.fail(o.Line, "address", "hub.err.address_missing", "the address to return the result to is required")
	}
	var fee domain.Money
	if f := strings.TrimSpace(o.Fee); f != "" {
		n, err := strconv.ParseInt(strings.NewReplacer(".", "", ",", "", " ", "", "₫", "", "đ", "").Replace(f), 10, 64)
		if err != nil || n < 0 {
			v.fail(o.Line, "fee", "hub.err.fee", "%q is not an amount in đồng", f).
				WithArgs("Value", f)
		}
		fee = domain.Money(n)
	}
	if len(v.errs) > before {
		return nil, false
	}
	commune := domain.Clean(o.Commune)
	ret := address
	if commune != "" {
		ret += ", " + commune
	}
	d := &domain.Dossier{
		PostPointCode: pp, Option: domain.OptionReturnOnly, ProcedureCode: proc, ProcedureName: domain.Clean(o.ProcedureName),
		AgencyCode: agency, OfficialCode: code.String(), Place: domain.PlaceCounter,
		Applicant:    domain.Person{FullName: name, IDNumber: cid.Number, IDType: idType(cid), Phone: phone, Commune: commune, Address: address},
		ReturnMethod: domain.ReturnByPost, ReturnAddress: ret, Fee: fee, FeePayment: domain.PayOnDelivery,
	}
	if fee == 0 {
		d.FeePayment = ""
	}
	// One registration per official code, whatever else the row says: the
	// same dossier is never registered twice.
	dedup := dedupKey(syncproto.UpdateRegister, code.String())
	var existing []byte
	err = v.tx.QueryRowContext(v.ctx, "SELECT payload FROM updates WHERE dedup = ?", dedup).Scan(&existing)
	if err == nil {
		var same domain.Dossier
		if json.Unmarshal(existing, &same) == nil {
			if same.Applicant != d.Applicant || same.PostPointCode != d.PostPointCode || same.ProcedureCode != d.ProcedureCode {
				v.fail(o.Line, "official_code", "hub.err.result_only_again", "official code %s was already registered for return with other details", code.String()).
					WithArgs("Code", code.String())
				return nil, false
			}
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		v.err = err
		return nil, false
	}
	payload, err := json.Marshal(d)
	if err != nil {
		v.err = err
		return nil, false
	}
	return []planned{{postPoint: pp, kind: syncproto.UpdateRegister, dedup: dedup, payload: payload}}, true
}

func idType(c domain.CitizenID) domain.IDType {
	if c.Legacy {
		return domain.IDLegacy9
	}
	return domain.IDCCCD
}

// Pull answers a device's GET /v1/updates: its updates after cursor (at most
// limit, oldest first), first claiming for it the result-only registrations
// of its post point that no device has taken yet. cursor is the device's
// progress (it applied everything up to it), recorded for status and for
// the outcome import's view of what is still on its way.
func (s *Store) Pull(ctx context.Context, deviceID string, cursor int64, limit int) (syncproto.Updates, error) {
	if limit <= 0 || limit > syncproto.MaxUpdates {
		limit = syncproto.MaxUpdates
	}
	if cursor < 0 {
		cursor = 0
	}
	now := s.Now()
	out := syncproto.Updates{Device: deviceID, After: cursor, Next: cursor, HubTime: now.UTC(), Items: []syncproto.Update{}}
	err := s.write(ctx, func(tx *sql.Tx) error {
		dev, err := deviceIn(ctx, tx, deviceID)
		if errors.Is(err, ErrNotFound) {
			return Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", deviceID)
		}
		if err != nil {
			return err
		}
		if dev.Revoked() {
			return s.revokedError(dev)
		}
		items, more, next, err := pullTx(ctx, tx, dev, cursor, limit, now)
		if err != nil {
			return err
		}
		out.Items, out.More, out.Next = items, more, next
		_, err = tx.ExecContext(ctx, "UPDATE devices SET update_cursor = CASE WHEN update_cursor > ? THEN update_cursor ELSE ? END, last_sync_at = ? WHERE id = ?",
			cursor, cursor, formatTime(now), dev.ID)
		return err
	})
	return out, err
}

// pullTx reads a device's updates after cursor inside a write transaction.
// When nothing more is waiting, next jumps to the newest update id: every
// update made later gets a larger id (AUTOINCREMENT, and writers queue),
// and what is unclaimed has just been claimed, so nothing is skipped.
func pullTx(ctx context.Context, tx *sql.Tx, dev *Device, cursor int64, limit int, now time.Time) ([]syncproto.Update, bool, int64, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE updates SET device_id = ?, claimed_at = ? WHERE device_id = '' AND post_point_code = ?",
		dev.ID, formatTime(now), dev.PostPointCode); err != nil {
		return nil, false, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, dossier, event, payload, created_at FROM updates
		WHERE device_id IN (?, '*', ?) AND id > ? ORDER BY id LIMIT ?`, dev.ID, postPointAddress(dev.PostPointCode), cursor, limit+1)
	if err != nil {
		return nil, false, 0, err
	}
	defer rows.Close()
	items := []syncproto.Update{}
	for rows.Next() {
		var u syncproto.Update
		var ev, at string
		var payload []byte
		if err := rows.Scan(&u.ID, &u.Kind, &u.Dossier, &ev, &payload, &at); err != nil {
			return nil, false, 0, err
		}
		u.Event, u.At = domain.Kind(ev), parseTime(at)
		if len(payload) > 0 {
			u.Payload = json.RawMessage(payload)
		}
		items = append(items, u)
	}
	if err := rows.Err(); err != nil {
		return nil, false, 0, err
	}
	if len(items) > limit {
		items = items[:limit]
		return items, true, items[len(items)-1].ID, nil
	}
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM updates").Scan(&next); err != nil {
		return nil, false, 0, err
	}
	return items, false, max(next, cursor), nil
}

// queueBroadcast adds an update for every device (keys, revocations).
func queueBroadcast(ctx context.Context, tx *sql.Tx, kind string, payload any, source string, now time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO updates(device_id, kind, payload, source, dedup, created_at)
		VALUES('*', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, kind, b, source, dedupKey(kind, string(b)), formatTime(now))
	return err
}
