package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The one-stop system's vocabulary (Hệ thống thông tin giải quyết TTHC and
// the national portal), written once: PostDesk's lifecycle states and events
// on one side, the portal's codes on the other. The hub speaks these codes
// at its edge (exports, the paged API, outcome and totals imports); inside,
// PostDesk keeps its own lifecycle. docs/onestop.md explains every row and
// what cannot be mapped.

// PortalStatus is the portal's TrangThaiHoSo, 1..10; PortalNone (0) is "no
// code": nothing in the portal's list says what the PostDesk side means.
type PortalStatus int

const (
	PortalNone          PortalStatus = 0
	PortalReceived      PortalStatus = 1  // đã tiếp nhận: the agency's one-stop desk holds the dossier
	PortalNew           PortalStatus = 2  // mới: submitted, not yet in the agency's hands
	PortalRefused       PortalStatus = 3  // không được tiếp nhận / từ chối
	PortalProcessing    PortalStatus = 4  // đang xử lý
	PortalSupplement    PortalStatus = 5  // chờ bổ sung
	PortalPayment       PortalStatus = 6  // chờ thực hiện nghĩa vụ tài chính
	PortalWithdrawn     PortalStatus = 7  // công dân rút hồ sơ
	PortalUnresolved    PortalStatus = 8  // dừng xử lý / không giải quyết được
	PortalReadyToReturn PortalStatus = 9  // đã có kết quả, chờ trả
	PortalReturned      PortalStatus = 10 // đã trả kết quả
)

// PortalStatuses lists the portal's codes in order.
var PortalStatuses = []PortalStatus{PortalReceived, PortalNew, PortalRefused, PortalProcessing, PortalSupplement,
	PortalPayment, PortalWithdrawn, PortalUnresolved, PortalReadyToReturn, PortalReturned}

// Valid reports whether p is one of the portal's ten codes.
func (p PortalStatus) Valid() bool { return p >= PortalReceived && p <= PortalReturned }

// The channel and return codes PostDesk sets (KenhThucHien, HinhThucTra).
const (
	PortalChannelByPost = 3 // KenhThucHien: submitted through the public postal service
	PortalReturnByPost  = 1 // HinhThucTra: the result is returned by post
)

// PortalTimeLayout is how the portal writes dates and times: yyyyMMddHHmmss,
// in Vietnam's time (UTC+7).
const PortalTimeLayout = "20060102150405"

// PortalTime writes t as the portal does; the zero time is "".
func PortalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Zone)
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	if y < 0 || y > 9999 {
		return t.Format(PortalTimeLayout)
	}
	// by hand: Format was a tenth of a province year's export
	var b [14]byte
	put := func(i, n, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, y, 4)
	put(4, int(mo), 2)
	put(6, d, 2)
	put(8, h, 2)
	put(10, mi, 2)
	put(12, sec, 2)
	return string(b[:])
}

// PortalTimePtr is PortalTime of a time that may be absent.
func PortalTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return PortalTime(*t)
}

// ParsePortalTime reads yyyyMMddHHmmss (or the date alone, yyyyMMdd) in
// Vietnam's time.
func ParsePortalTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layout := PortalTimeLayout
	if len(s) == 8 {
		layout = "20060102"
	}
	t, err := time.ParseInLocation(layout, s, Zone)
	if err != nil {
		return time.Time{}, Errf("", "err.portal.time", "%q is not a portal date (yyyyMMddHHmmss, e.g. 20261210170000)", s).WithArgs("Value", s)
	}
	return t, nil
}

// ParsePortalStatus reads a TrangThaiHoSo cell: a number from 1 to 10.
func ParsePortalStatus(s string) (PortalStatus, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || !PortalStatus(n).Valid() {
		return PortalNone, Errf("", "err.portal.status", "%q is not a portal status (TrangThaiHoSo, 1 to 10)", s).WithArgs("Value", s)
	}
	return PortalStatus(n), nil
}

// PortalMapping is one row of the table: the portal code a state or event
// maps to, or PortalNone with Why saying why nothing maps.
type PortalMapping struct {
	Status PortalStatus
	Why    string // set exactly when Status is PortalNone
}

// portalStates maps every lifecycle state to the portal's status.
var portalStates = map[State]PortalMapping{
	StateReceived:            {Status: PortalNew},      // at the post point, not yet handed to the agency
	StateAtAgency:            {Status: PortalReceived}, // handed over, the agency has not decided yet
	StateAccepted:            {Status: PortalProcessing},
	StateSupplementRequested: {Status: PortalSupplement},
	StateRejected:            {Status: PortalRefused},
	StateResultReady:         {Status: PortalReadyToReturn},
	StateResultAtPost:        {Status: PortalReadyToReturn}, // the result is on its way to the citizen
	StateOutForDelivery:      {Status: PortalReadyToReturn},
	StateDeliveryFailed:      {Status: PortalReadyToReturn},
	StateDelivered:           {Status: PortalReturned},
	StateReturnedToAgency:    {Status: PortalReadyToReturn}, // undeliverable: the result waits at the agency again
	StateCancelled:           {Status: PortalWithdrawn},     // withdrawn before the agency ever had it
}

// Reasons for the rows that map to nothing.
const (
	whyAnnotation = "annotates a dossier without changing its status in the portal's list"
	whyPostPoint  = "about the post point (catalog, staff, settings, sign-in), not a dossier"
	whyAccess     = "who looked at a citizen's data (the access log): nothing changed"
	whyPurge      = "a device removed a done dossier's personal data from its copy (retention): the status is unchanged"
)

// portalEvents maps every event kind to the status it leads to: a move
// leads to its target state's status (added by init from the lifecycle
// table), an annotation to none (likewise from the annotations), and the
// post point's own kinds to none.
var portalEvents = map[Kind]PortalMapping{
	KindCatalogImported: {Why: whyPostPoint},
	KindStaffAdded:      {Why: whyPostPoint},
	KindStaffChanged:    {Why: whyPostPoint},
	KindSettingsChanged: {Why: whyPostPoint},
	KindCatalogShared:   {Why: whyPostPoint},
	KindTotalsShared:    {Why: whyPostPoint},
	KindStaffSignedIn:   {Why: whyPostPoint},
	KindStaffLocked:     {Why: whyPostPoint},
	KindAccess:          {Why: whyAccess},
	KindPurge:           {Why: whyPurge},
}

func init() {
	for k, m := range lifecycle {
		portalEvents[k] = portalStates[m.to]
	}
	for k := range annotations {
		portalEvents[k] = PortalMapping{Why: whyAnnotation}
	}
}

// PortalStatusOf is the portal's TrangThaiHoSo of a dossier in state s.
func PortalStatusOf(s State) PortalMapping {
	if m, ok := portalStates[s]; ok {
		return m
	}
	return PortalMapping{Why: fmt.Sprintf("state %q is not in the mapping table", s)}
}

// PortalStatusAfter is the status a dossier has in the portal after an
// event of kind k (none for kinds that move no dossier).
func PortalStatusAfter(k Kind) PortalMapping {
	if m, ok := portalEvents[k]; ok {
		return m
	}
	return PortalMapping{Why: fmt.Sprintf("event %q is not in the mapping table", k)}
}

// PortalChannelOf is the KenhThucHien of a dossier: 3 (by post) when the
// post carried it to the agency; none for a result-only dossier, which the
// citizen submitted elsewhere by a channel PostDesk does not know.
func PortalChannelOf(o ServiceOption) (int, string) {
	if o.Sends() {
		return PortalChannelByPost, ""
	}
	return 0, "submitted elsewhere (result-only): the channel is the agency's record, not PostDesk's"
}

// PortalReturnOf is the HinhThucTra of a dossier: 1 (by post) when the
// result comes back by post; none when the citizen collects it at the
// agency, whose own code for that PostDesk does not know.
func PortalReturnOf(o ServiceOption) (int, string) {
	if o.Returns() {
		return PortalReturnByPost, ""
	}
	return 0, "the result is collected at the agency (send-only): the return method is the agency's record"
}

// portalInbound is what a status received from the portal records: the
// outcome event, or none with the reason.
var portalInbound = map[PortalStatus]struct {
	Event Kind
	Why   string
}{
	PortalReceived:      {Why: "the agency's receipt carries no decision: send 4 (processing) with MaHoSo and NgayHenTra when it accepts"},
	PortalNew:           {Why: "a new dossier is the post point's own intake, never an agency outcome"},
	PortalRefused:       {Event: KindReject},
	PortalProcessing:    {Event: KindAccept},
	PortalSupplement:    {Event: KindRequestSupplement},
	PortalPayment:       {Why: "PostDesk has no state for waiting for payment: fees are collected at intake or on delivery"},
	PortalWithdrawn:     {Why: "a withdrawal is recorded at the post point (cancel before handover), not by the agency"},
	PortalUnresolved:    {Event: KindReject},
	PortalReadyToReturn: {Event: KindResultReady},
	PortalReturned:      {Why: "the post delivers the result and records it; the portal cannot tell PostDesk it was returned"},
}

// PortalOutcome is the event a TrangThaiHoSo received from the one-stop
// system records, or "" with the reason it records none.
func PortalOutcome(p PortalStatus) (Kind, string) {
	m, ok := portalInbound[p]
	if !ok {
		return "", fmt.Sprintf("%d is not a portal status", p)
	}
	return m.Event, m.Why
}
