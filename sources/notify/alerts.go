package notify

import (
	"cmp"
	"slices"

	"warroom/sources"
)

// alerts is one notifier's memory of the alerts it opened, so that it
// closes every one of them.
//
// min_state decides what opens an alert: an indicator getting worse and
// reaching min_state (or worse). Once a notifier has told of an
// indicator, it tells of every later change of that indicator until the
// indicator is back to ok — and that all-clear goes out whatever
// min_state is: min_state decides what opens an alert, not what closes
// it. So under min_state crit, crit → warn is said (the crit is over: a
// recovery from crit for this notifier), the alert stays open, and
// warn → ok is said as its all-clear; an indicator that only ever
// reached warn opens nothing there and closes nothing either.
//
// Without follow (send_resolved: false; a bell with no desktop
// notification) only the openings are told, but the alerts are kept all
// the same, so the messages' list of what is still firing stays true.
type alerts struct {
	min    Level
	follow bool
	open   map[string]sources.Transition // indicator → its latest change told or kept
}

func newAlerts(min Level, follow bool) *alerts {
	return &alerts{min: min, follow: follow, open: map[string]sources.Transition{}}
}

// pass says whether the notifier tells of tr, and keeps the open alerts.
func (a *alerts) pass(tr sources.Transition) bool {
	_, open := a.open[tr.Indicator]
	switch {
	case escalates(tr, a.min):
		a.open[tr.Indicator] = tr
		return true
	case !open:
		return false
	case tr.To == sources.StateOK || tr.To == sources.StateUnknown:
		delete(a.open, tr.Indicator)
	default:
		a.open[tr.Indicator] = tr
	}
	return a.follow
}

// firing is every open alert's latest change, the worst first, then by
// name.
func (a *alerts) firing() []sources.Transition {
	out := make([]sources.Transition, 0, len(a.open))
	for _, tr := range a.open {
		out = append(out, tr)
	}
	slices.SortFunc(out, func(x, y sources.Transition) int {
		return cmp.Or(cmp.Compare(severity(y.To), severity(x.To)), cmp.Compare(x.Indicator, y.Indicator))
	})
	return out
}

// close gives burst b what a message says after its changes: the alerts
// still firing, or the all-clear when b ended the last of them.
func (a *alerts) close(b *burst) {
	b.firing = a.firing()
	b.allClear = len(b.firing) == 0 && slices.ContainsFunc(b.trs, func(tr sources.Transition) bool {
		return tr.To == sources.StateOK
	})
}
