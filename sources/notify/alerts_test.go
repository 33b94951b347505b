package notify

import (
	"fmt"
	"strings"
	"testing"

	"warroom/sources"
)

// What a notifier tells, tick by tick: min_state opens an alert, and the
// alert is followed to its all-clear whatever min_state is.
func TestAlertsPass(t *testing.T) {
	const ok, warn, crit, stale, errs = sources.StateOK, sources.StateWarn, sources.StateCrit, sources.StateStale, sources.StateError
	cases := []struct {
		name   string
		min    Level
		follow bool
		path   []sources.State // the indicator's states from ok
		want   string          // per change: + told, - not
	}{
		{"crit opens, the all-clear closes", LevelCrit, true, []sources.State{crit, ok}, "++"},
		{"warn alone stays below min crit", LevelCrit, true, []sources.State{warn, ok}, "--"},
		// the night of the issue: crit → warn → ok, and the ok went unsaid
		{"crit eases to warn: a recovery from crit, then the all-clear", LevelCrit, true, []sources.State{warn, crit, warn, ok}, "-+++"},
		{"back to crit after easing pages again", LevelCrit, true, []sources.State{crit, warn, crit, ok}, "++++"},
		{"a source error while open is told, so is its end", LevelCrit, true, []sources.State{crit, errs, ok}, "+++"},
		{"an error alone is below min crit", LevelCrit, true, []sources.State{errs, ok}, "--"},
		{"an error opens at min warn", LevelWarn, true, []sources.State{errs, ok}, "++"},
		{"stale alone opens nothing", LevelWarn, true, []sources.State{stale, ok}, "--"},
		{"stale while open is told", LevelWarn, true, []sources.State{warn, stale, warn, ok}, "++++"},
		{"without send_resolved only openings", LevelWarn, false, []sources.State{warn, crit, warn, ok, warn}, "++--+"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAlerts(c.min, c.follow)
			var got strings.Builder
			from := ok
			for _, to := range c.path {
				if a.pass(sources.Transition{Indicator: "nginx.499_rate", From: from, To: to}) {
					got.WriteByte('+')
				} else {
					got.WriteByte('-')
				}
				from = to
			}
			if got.String() != c.want {
				t.Errorf("%v from ok: %s, want %s", c.path, got.String(), c.want)
			}
			if len(a.open) != 0 && c.path[len(c.path)-1] == ok {
				t.Errorf("open after ok: %v", a.open)
			}
		})
	}
}

// The alerts still open are listed worst first, then by name.
func TestAlertsFiring(t *testing.T) {
	a := newAlerts(LevelWarn, true)
	for i, to := range []sources.State{sources.StateWarn, sources.StateCrit, sources.StateWarn, sources.StateError} {
		a.pass(sources.Transition{Indicator: fmt.Sprintf("i%d", 3-i), From: sources.StateOK, To: to})
	}
	var names []string
	for _, tr := range a.firing() {
		names = append(names, tr.Indicator)
	}
	if got := strings.Join(names, " "); got != "i2 i0 i1 i3" {
		t.Errorf("firing %s, want i2 i0 i1 i3 (crit, then error and warn by name)", got)
	}
}
