package notify

import (
	"fmt"
	"math"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/units"
)

// severity orders states for notification: an error (a source failing)
// is as loud as warn; stale is quieter than warn.
func severity(s sources.State) int {
	switch s {
	case sources.StateCrit:
		return 3
	case sources.StateWarn, sources.StateError:
		return 2
	case sources.StateStale:
		return 1
	}
	return 0
}

func (l Level) severity() int {
	if l == LevelCrit {
		return 3
	}
	return 2
}

// escalates says the transition reached min or worse by getting worse:
// what opens an alert, rings the bell and pages.
func escalates(tr sources.Transition, min Level) bool {
	to := severity(tr.To)
	return to >= min.severity() && to > severity(tr.From)
}

// clockLayout writes a time of day with its zone, so a message read on a
// phone in another zone still says which midnight it means: the
// abbreviation where the zone has one (CST, UTC), else the offset (+04).
const clockLayout = "15:04:05 MST"

// Line is one transition as a person reads it, sanitized, e.g.
//
//	✖ CRIT nginx.499_rate = 12/s (> 5/s) · HOT · stage 3 · 00:02:13 CST
//
// The value and threshold are written in the indicator's unit as the
// screen writes them, the time in At's zone (the event's) with its
// abbreviation or offset. Without a value, the reason says why ("no
// data for 1m").
func Line(tr sources.Transition) string { return line(tr, nil) }

// cleaner sanitizes untrusted text and, when esc is not nil, further
// escapes it for a target whose markup could otherwise be abused (a Slack
// <!channel>, a Feishu <at user_id="all">).
func cleaner(esc func(string) string) func(string) string {
	return func(s string) string {
		s = sources.Sanitize(s)
		if esc != nil {
			s = esc(s)
		}
		return s
	}
}

func line(tr sources.Transition, esc func(string) string) string {
	clean := cleaner(esc)
	var b strings.Builder
	b.WriteString(symbol(tr.To))
	b.WriteByte(' ')
	b.WriteString(strings.ToUpper(tr.To.String()))
	b.WriteByte(' ')
	b.WriteString(clean(tr.Indicator))
	switch {
	case finite(tr.Value):
		b.WriteString(" = ")
		b.WriteString(clean(units.Format(tr.Value, tr.Unit)))
		if finite(tr.Threshold) {
			rel := "at" // "= 4 (= 4)" reads like a typo; the level it crossed back at
			switch {
			case tr.Value > tr.Threshold:
				rel = ">"
			case tr.Value < tr.Threshold:
				rel = "<"
			}
			fmt.Fprintf(&b, " (%s %s)", rel, clean(units.Format(tr.Threshold, tr.Unit)))
		}
	case tr.Reason != "":
		b.WriteString(": ")
		b.WriteString(clean(tr.Reason))
	default:
		b.WriteString(" no value")
	}
	if f := tr.From; f != sources.StateOK && f != sources.StateUnknown {
		b.WriteString(" · was ")
		b.WriteString(strings.ToUpper(f.String()))
	}
	switch tr.Phase {
	case "", sources.PhaseNormal:
	case sources.PhaseHot:
		b.WriteString(" · HOT")
	default:
		b.WriteString(" · ")
		b.WriteString(clean(string(tr.Phase)))
	}
	if tr.Milestone != "" {
		b.WriteString(" · ")
		b.WriteString(clean(tr.Milestone))
	}
	if !tr.At.IsZero() {
		b.WriteString(" · ")
		b.WriteString(tr.At.Format(clockLayout))
	}
	if tr.Driver != nil {
		if d := tr.Driver.Line(); d != "" {
			b.WriteString(" · ")
			b.WriteString(clean(d))
		}
	}
	return b.String()
}

func symbol(s sources.State) string {
	switch s {
	case sources.StateCrit, sources.StateError:
		return "✖"
	case sources.StateWarn:
		return "▲"
	case sources.StateOK:
		return "✔"
	case sources.StateStale:
		return "…"
	}
	return "?"
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// maxLines bounds a chat message's list of changes, and its list of what
// is still firing; the rest is counted, not listed.
const maxLines = 30

// burst is what one message carries: the transitions kept (oldest first),
// how many more were folded in beyond the cap, and what the notifier's
// alerts are after them (see alerts.close).
type burst struct {
	trs      []sources.Transition
	omitted  int
	firing   []sources.Transition // every alert still open, the worst first
	allClear bool                 // this burst closed the last open alert
}

func (b burst) total() int { return len(b.trs) + b.omitted }

// text is the chat message for a burst: one line when alone, else a
// headline with counts and the span, then up to maxLines lines; then what
// is still firing that the lines above do not already say, or the
// all-clear.
func (b burst) text(title string, esc func(string) string) string {
	var s strings.Builder
	if len(b.trs) == 1 && b.omitted == 0 {
		s.WriteString(title + ": " + line(b.trs[0], esc))
	} else {
		fmt.Fprintf(&s, "%s: %d changes", title, b.total())
		if len(b.trs) > 0 {
			first, last := b.trs[0].At, b.trs[len(b.trs)-1].At
			if !first.IsZero() {
				fmt.Fprintf(&s, " %s–%s", first.Format(time.TimeOnly), last.Format(clockLayout))
			}
		}
		if c := b.counts(); c != "" {
			fmt.Fprintf(&s, " (%s)", c)
		}
		for i, tr := range b.trs {
			if i == maxLines {
				break
			}
			s.WriteByte('\n')
			s.WriteString(line(tr, esc))
		}
		if more := b.total() - min(len(b.trs), maxLines); more > 0 {
			fmt.Fprintf(&s, "\n… and %d more", more)
		}
	}
	if still := b.stillFiring(); len(still) > 0 {
		s.WriteString("\nstill firing:")
		clean := cleaner(esc)
		for i, tr := range still {
			if i == maxLines {
				fmt.Fprintf(&s, "\n… and %d more", len(still)-maxLines)
				break
			}
			fmt.Fprintf(&s, "\n%s %s %s since %s", symbol(tr.To), strings.ToUpper(tr.To.String()),
				clean(tr.Indicator), tr.At.Format(clockLayout))
		}
	} else if b.allClear {
		s.WriteString("\n✔ all clear")
	}
	return s.String()
}

// stillFiring is the open alerts whose state the burst's lines do not
// already say: an alert whose latest change is listed above is left out.
func (b burst) stillFiring() []sources.Transition {
	var out []sources.Transition
	for _, f := range b.firing {
		said := false
		for i := min(len(b.trs), maxLines) - 1; i >= 0; i-- {
			if tr := b.trs[i]; tr.Indicator == f.Indicator {
				said = tr.To == f.To && tr.At.Equal(f.At)
				break
			}
		}
		if !said {
			out = append(out, f)
		}
	}
	return out
}

// counts says how many of the listed transitions went to each state,
// worst first: "2 crit, 1 ok".
func (b burst) counts() string {
	order := []sources.State{sources.StateCrit, sources.StateError, sources.StateWarn, sources.StateStale, sources.StateOK, sources.StateUnknown}
	n := map[sources.State]int{}
	for _, tr := range b.trs {
		n[tr.To]++
	}
	var parts []string
	for _, st := range order {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, ", ")
}
