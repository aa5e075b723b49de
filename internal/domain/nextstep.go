package domain

// The next step: when a move is refused because of the dossier's state,
// the refusal names the move that must happen first, found by walking the
// lifecycle table from the dossier's state along the usual road.

// roadMoves are the moves of the usual road a dossier takes, the only ones
// a refusal suggests (never a cancellation, a rejection or a failure).
var roadMoves = []Kind{KindHandover, KindSupplementTaken, KindAccept, KindResultReady,
	KindResultHandover, KindOutForDelivery, KindDeliver}

// FirstStep returns the move that must happen first, from state from, for
// move want to become possible: the first move of the shortest road from
// from to a state want starts from. ok is false when no road leads there
// (a closed dossier, or a move the service option never allows).
func FirstStep(from State, option ServiceOption, want Kind) (Kind, bool) {
	target, known := lifecycle[want]
	if !known || len(target.from) == 0 || (target.needs != nil && !target.needs(option)) {
		return "", false
	}
	type node struct {
		state State
		first Kind
	}
	seen := map[State]bool{from: true}
	queue := []node{{state: from}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, k := range roadMoves {
			next, err := step("", n.state, option, k)
			if err != nil || seen[next] {
				continue
			}
			first := n.first
			if first == "" {
				first = k
			}
			if contains(target.from, next) {
				return first, true
			}
			seen[next] = true
			queue = append(queue, node{state: next, first: first})
		}
	}
	return "", false
}
