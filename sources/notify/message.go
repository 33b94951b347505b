package notify

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
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
// what rings the bell and pages.
func escalates(tr sources.Transition, min Level) bool {
	to := severity(tr.To)
	return to >= min.severity() && to > severity(tr.From)
}

// eases says the transition came down from min or worse: a recovery, or
// crit easing to warn.
func eases(tr sources.Transition, min Level) bool {
	return severity(tr.From) >= min.severity() && severity(tr.To) < severity(tr.From)
}

// Line is one transition as a person reads it, sanitized, e.g.
//
//	✖ CRIT nginx.499_rate = 12.3 (> 5) · HOT · stage 3 · 00:02:13
//
// The clock time is At in its own location (the caller's choice, usually
// the event's zone).
func Line(tr sources.Transition) string { return line(tr, nil) }

// line formats tr; esc, when not nil, further escapes the untrusted fields
// for a target whose markup could otherwise be abused (a Slack <!channel>,
// a Feishu <at user_id="all">).
func line(tr sources.Transition, esc func(string) string) string {
	clean := func(s string) string {
		s = sources.Sanitize(s)
		if esc != nil {
			s = esc(s)
		}
		return s
	}
	var b strings.Builder
	b.WriteString(symbol(tr.To))
	b.WriteByte(' ')
	b.WriteString(strings.ToUpper(tr.To.String()))
	b.WriteByte(' ')
	b.WriteString(clean(tr.Indicator))
	if finite(tr.Value) {
		b.WriteString(" = ")
		b.WriteString(number(tr.Value))
		if finite(tr.Threshold) {
			rel := "="
			switch {
			case tr.Value > tr.Threshold:
				rel = ">"
			case tr.Value < tr.Threshold:
				rel = "<"
			}
			fmt.Fprintf(&b, " (%s %s)", rel, number(tr.Threshold))
		}
	} else {
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
		b.WriteString(tr.At.Format(time.TimeOnly))
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

// number prints a reading compactly: 12.3, 1234, 0.0123.
func number(v float64) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 100:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	default:
		s = strconv.FormatFloat(v, 'g', 3, 64)
	}
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "eE") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// maxLines bounds a chat message; the rest is counted, not listed.
const maxLines = 30

// burst is what one message carries: the transitions kept (oldest first)
// and how many more were folded in beyond the cap.
type burst struct {
	trs     []sources.Transition
	omitted int
}

func (b burst) total() int { return len(b.trs) + b.omitted }

// text is the chat message for a burst: one line when alone, else a
// headline with counts and the span, then up to maxLines lines.
func (b burst) text(title string, esc func(string) string) string {
	if len(b.trs) == 1 && b.omitted == 0 {
		return title + ": " + line(b.trs[0], esc)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s: %d changes", title, b.total())
	if len(b.trs) > 0 {
		first, last := b.trs[0].At, b.trs[len(b.trs)-1].At
		if !first.IsZero() {
			fmt.Fprintf(&s, " %s–%s", first.Format(time.TimeOnly), last.Format(time.TimeOnly))
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
	return s.String()
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
