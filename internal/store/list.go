package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"postdesk/internal/domain"
)

// Filter picks the dossiers of the dossier table. Zero fields do not filter.
type Filter struct {
	States        []domain.State // any of these states
	From, To      time.Time      // received in [From, To): the UI passes the start of the first day and of the day after the last
	ProcedureCode string
	AgencyCode    string
	// DueSoonDays > 0 keeps dossiers still waiting for the agency whose due
	// date falls today or within the next DueSoonDays days; Overdue keeps
	// those whose due date has passed. Both together: due before the end of
	// the window, late or not.
	DueSoonDays int
	Overdue     bool
	Text        string    // receipt number, code, citizen ID, phone or start of a name (as Search)
	Now         time.Time // "today" for due dates; zero means the store's clock
	// Place keeps dossiers taken there. It is read from each row's JSON, so
	// pair it with a short date range (the desk's "today's home pickups").
	Place domain.Place
}

// WaitingStates are the states in which a dossier waits for the agency's
// result, so its due date matters. A supplement request stops the clock
// (the agency sets a new date when the papers come), so it is not here.
var WaitingStates = []domain.State{domain.StateReceived, domain.StateAtAgency, domain.StateAccepted}

// The dossier table pages straight from SQLite, newest first. Each query
// picks its index on purpose (INDEXED BY) rather than trusting the planner
// of a database that was never ANALYZEd: the index whose leading equality is
// the most selective filter and whose second column, received_at, gives the
// order for free. A page is read in two steps — the rowids of the page from
// the index alone, then those 50 rows — so skipping rows for a deep page
// walks the index, not the table (the rows carry the JSON of each dossier).

// ListDossiers returns page (0-based) of pageSize dossiers matching f,
// newest received first (ties broken by insertion order, so pages never
// overlap or skip).
func (s *Store) ListDossiers(ctx context.Context, f Filter, page, pageSize int) ([]DossierRow, error) {
	if pageSize <= 0 {
		pageSize = 50
	}
	if page < 0 {
		page = 0
	}
	q, ok := s.buildFilter(ctx, f)
	if !ok {
		return nil, nil
	}
	offset := page * pageSize
	var inner string
	var args []any
	if len(q.branches) > 0 {
		// Text: each way of matching (name, ID, phone, codes) reads its own
		// index, names from one that also holds received_at, so the union is
		// ordered without visiting the rows.
		union, uargs := q.union()
		inner = "SELECT r FROM (" + union + ") ORDER BY t DESC, r DESC LIMIT ? OFFSET ?"
		args = append(args, uargs...)
	} else if len(q.states) > 1 && q.index == "" {
		// Several states: each state's newest rows come in order from the
		// (state, received_at) index; merging them beats sorting every row of
		// the common states.
		parts := make([]string, len(q.states))
		for i, st := range q.states {
			parts[i] = "SELECT * FROM (SELECT rowid AS r, received_at AS t FROM dossiers INDEXED BY dossiers_state_received WHERE state = ?" +
				q.whereTail() + " ORDER BY received_at DESC, rowid DESC LIMIT ?)"
			args = append(args, string(st))
			args = append(args, q.condArgs...)
			args = append(args, offset+pageSize)
		}
		inner = "SELECT r FROM (" + strings.Join(parts, " UNION ALL ") + ") ORDER BY t DESC, r DESC LIMIT ? OFFSET ?"
	} else {
		inner = "SELECT rowid FROM dossiers" + q.indexed() + q.where() + " ORDER BY received_at DESC, rowid DESC LIMIT ? OFFSET ?"
		args = append(args, q.args()...)
	}
	args = append(args, pageSize, offset)
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+" FROM dossiers WHERE rowid IN ("+inner+
		") ORDER BY received_at DESC, rowid DESC", args...)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

// CountDossiers returns how many dossiers match f.
func (s *Store) CountDossiers(ctx context.Context, f Filter) (int, error) {
	q, ok := s.buildFilter(ctx, f)
	if !ok {
		return 0, nil
	}
	var n int
	if len(q.branches) > 0 {
		union, args := q.union()
		err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM ("+union+")", args...).Scan(&n)
		return n, err
	}
	if len(q.conds) == 0 && q.index == "" {
		// States only (or nothing): the counts the triggers keep.
		where := ""
		if len(q.states) > 0 {
			where = " WHERE state IN (" + inList(len(q.states)) + ")"
		}
		err := s.db.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM dossier_state_counts"+where, q.args()...).Scan(&n)
		return n, err
	}
	idx := q.indexed()
	if len(q.states) > 1 && q.index == "" {
		idx = "" // state IN (…): the planner's own choice of the state index counts well
	}
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers"+idx+q.where(), q.args()...).Scan(&n)
	return n, err
}

// union is the text filter's branches as one UNION of (r rowid, t received_at).
func (q *filterQuery) union() (string, []any) {
	parts := make([]string, len(q.branches))
	var args []any
	for i, b := range q.branches {
		idx := ""
		if b.index != "" {
			idx = " INDEXED BY " + b.index
		}
		w := q.where()
		if w == "" {
			w = " WHERE " + b.cond
		} else {
			w = " WHERE " + b.cond + " AND " + strings.TrimPrefix(w, " WHERE ")
		}
		parts[i] = "SELECT rowid AS r, received_at AS t FROM dossiers" + idx + w
		args = append(append(args, b.args...), q.args()...)
	}
	return strings.Join(parts, " UNION "), args
}

// filterQuery is a Filter turned into SQL.
type filterQuery struct {
	conds    []string // every condition but the state's
	condArgs []any
	states   []domain.State
	index    string // INDEXED BY this index; "" = the received_at or state index
	branches []textBranch
}

// textBranch is one way the text filter matches, with the index it reads.
type textBranch struct {
	cond  string
	args  []any
	index string
}

func (q *filterQuery) indexed() string {
	switch {
	case q.index != "":
		return " INDEXED BY " + q.index
	case len(q.states) == 1:
		return " INDEXED BY dossiers_state_received"
	default:
		return " INDEXED BY dossiers_received_at"
	}
}

// args are the values of where()'s placeholders: the states, then the rest.
func (q *filterQuery) args() []any {
	out := make([]any, 0, len(q.states)+len(q.condArgs))
	for _, st := range q.states {
		out = append(out, string(st))
	}
	return append(out, q.condArgs...)
}

func (q *filterQuery) where() string {
	conds := q.conds
	if len(q.states) > 0 {
		conds = append([]string{"state IN (" + inList(len(q.states)) + ")"}, conds...)
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// whereTail is the conditions other than the state, for the per-state branches.
func (q *filterQuery) whereTail() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(q.conds, " AND ")
}

// buildFilter turns f into SQL; ok is false when nothing can match (e.g.
// an overdue filter on states that never wait for the agency).
func (s *Store) buildFilter(ctx context.Context, f Filter) (q filterQuery, ok bool) {
	states := dedupeStates(f.States)
	due := f.Overdue || f.DueSoonDays > 0
	if due {
		if len(states) == 0 {
			states = WaitingStates
		} else {
			states = intersectStates(states, WaitingStates)
			if len(states) == 0 {
				return q, false
			}
		}
	}
	q.states = states
	add := func(cond string, a ...any) {
		q.conds = append(q.conds, cond)
		q.condArgs = append(q.condArgs, a...)
	}
	if !f.From.IsZero() {
		add("received_at >= ?", formatTime(f.From))
	}
	if !f.To.IsZero() {
		add("received_at < ?", formatTime(f.To))
	}
	if c := domain.Clean(f.ProcedureCode); c != "" {
		add("procedure_code = ?", c)
		q.index = "dossiers_procedure"
	}
	if c := domain.Clean(f.AgencyCode); c != "" {
		add("agency_code = ?", c)
		if q.index == "" {
			q.index = "dossiers_agency_received"
		}
	}
	if f.Place != "" {
		add("json_extract(data, '$.place') = ?", string(f.Place))
	}
	if due {
		now := f.Now
		if now.IsZero() {
			now = s.Now()
		}
		y, m, d := now.In(domain.Zone).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
		add("due_date <> ''")
		if !f.Overdue {
			add("due_date >= ?", formatTime(today))
		}
		if f.DueSoonDays > 0 {
			add("due_date < ?", formatTime(today.AddDate(0, 0, f.DueSoonDays+1)))
		} else {
			add("due_date < ?", formatTime(today))
		}
		// Few dossiers are late or nearly due: find them by due date (the
		// index holds received_at too) and sort those.
		q.index = "dossiers_due_received"
	}
	if t := domain.Clean(f.Text); t != "" {
		q.branches = s.withNameKeys(ctx, t, textBranches(t))
		if len(q.branches) == 0 {
			return q, false
		}
		q.index = "" // each branch reads its own index
	}
	return q, true
}

// textBranches is Search's matching: a receipt number, an official or S10
// code, a citizen ID or phone (prefixes), or the start of a name.
func textBranches(q string) []textBranch {
	upper := strings.ToUpper(strings.ReplaceAll(q, " ", ""))
	var out []textBranch
	prefix := func(col, p, extra, index string) {
		out = append(out, textBranch{cond: col + " >= ? AND " + col + " < ?" + extra, args: []any{p, p + "\U0010FFFF"}, index: index})
	}
	switch {
	case domain.AllDigits(upper):
		prefix("citizen_id", upper, "", "dossiers_citizen_id")
		if phone, err := domain.NormalizePhone(upper); err == nil {
			out = append(out, textBranch{cond: "phone = ?", args: []any{phone}, index: "dossiers_phone"})
		} else if strings.HasPrefix(upper, "0") {
			prefix("phone", upper, "", "dossiers_phone")
		}
		prefix("id", upper, "", "")
	case strings.HasPrefix(upper, "+84"):
		if phone, err := domain.NormalizePhone(upper); err == nil {
			out = append(out, textBranch{cond: "phone = ?", args: []any{phone}, index: "dossiers_phone"})
		}
	case looksLikeCode(upper):
		prefix("id", upper, "", "")
		prefix("official_code", upper, " AND official_code <> ''", "dossiers_official_code")
		prefix("item_code", upper, " AND item_code <> ''", "dossiers_item_code")
	}
	if hasLetter(q) {
		if f := domain.Fold(q); f != "" {
			prefix("name_fold", f, "", "dossiers_name_received")
		}
	}
	return out
}

// withNameKeys adds the name-keys branch to a text filter's branches when
// some key matches the text: one probe of the keys' index, so a common
// surname (which matches no key) does not pay for merging an empty branch
// into the list's UNION.
func (s *Store) withNameKeys(ctx context.Context, text string, branches []textBranch) []textBranch {
	if !hasLetter(text) {
		return branches
	}
	cond, args := nameKeysWhere(text)
	if cond == "" {
		return branches
	}
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1 FROM dossier_name_keys WHERE "+cond+" LIMIT 1", args...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return branches
	} // any other error: keep the branch, so the list's own query reports it

	return append(branches, textBranch{cond: "id IN (SELECT dossier FROM dossier_name_keys WHERE " + cond + ")", args: args})
}

// nameKeysWhere is the condition on dossier_name_keys of a name typed
// without spaces or apostrophes ("hbich" → "Rơ Mah H'Bích"): the key
// ranges of domain.NameKeyRanges, each answered by the keys' primary key;
// "" when the query is too short to try.
func nameKeysWhere(q string) (string, []any) {
	ranges := domain.NameKeyRanges(q)
	if len(ranges) == 0 {
		return "", nil
	}
	conds := make([]string, len(ranges))
	args := make([]any, 0, 2*len(ranges))
	for i, r := range ranges {
		conds[i] = "(key >= ? AND key < ?)"
		args = append(args, r[0], r[1])
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func dedupeStates(in []domain.State) []domain.State {
	var out []domain.State
	seen := map[domain.State]bool{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func intersectStates(a, b []domain.State) []domain.State {
	var out []domain.State
	for _, s := range a {
		for _, t := range b {
			if s == t {
				out = append(out, s)
			}
		}
	}
	return out
}

// PageCount is how many pages of size pageSize hold n rows.
func PageCount(n, pageSize int) int {
	if pageSize <= 0 {
		return 0
	}
	return (n + pageSize - 1) / pageSize
}

// SearchNameWords finds dossiers whose applicant's name contains the words
// of text, each as the start of a word ("hang" finds "Siu Thị Hằng"),
// newest first. Search matches only the start of the whole name and uses an
// index; this walks the newest rows until it has limit hits, so it is for a
// scan box's second try, not for paging.
func (s *Store) SearchNameWords(ctx context.Context, text string, limit int) ([]DossierRow, error) {
	f := domain.Fold(text)
	if f == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	var conds []string
	var args []any
	for _, w := range strings.Fields(f) {
		// Fold keeps only letters, digits and single spaces, so no LIKE wildcard can slip in.
		conds = append(conds, "(' ' || name_fold) LIKE ?")
		args = append(args, "% "+w+"%")
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+" FROM dossiers INDEXED BY dossiers_received_at WHERE "+
		strings.Join(conds, " AND ")+" ORDER BY received_at DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}
