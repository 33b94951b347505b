package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/units"
)

// Options say how a report writes what it shows.
type Options struct {
	// Zone is the event's zone: every time is written in it, each with
	// its abbreviation (or offset). nil: the zone of the stage end.
	Zone *time.Location
	// Units are the indicators' units, so a transition's value and
	// threshold read as the screen writes them (23‱, 7.8/s); an
	// indicator left out is a count.
	Units map[string]sources.Unit
}

// Markdown renders sum — beside prev when not nil — with the rule
// transitions that fell within sum's window and the top talkers. Times are
// written in o.Zone, labelled; values as the screen writes them
// (units.Format). Text that came from logs or config is sanitized and
// escaped, so a path cannot break a table or the terminal of whoever cats
// the file.
func Markdown(sum, prev *Summary, transitions []sources.Transition, o Options) []byte {
	var b bytes.Buffer
	loc := o.Zone
	if loc == nil {
		loc = sum.End.Location()
	}
	at := func(t time.Time) string { return units.Clock(t.In(loc)) }
	title := md(sum.Stage)
	if sum.Event != "" {
		title = md(sum.Event) + " — " + title
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "Stage end %s. Window %s – %s (%s … %s).\n",
		units.Stamp(sum.End.In(loc)), at(sum.From), at(sum.To),
		offset(sum.From.Sub(sum.End)), offset(sum.To.Sub(sum.End)))
	if prev != nil {
		fmt.Fprintf(&b, "Compared with **%s** (stage end %s) over the same offsets.\n",
			md(prev.Stage), units.Stamp(prev.End.In(loc)))
	} else if sum.NotCompared != "" {
		why := sum.NotComparedWhy
		if why == "" {
			why = "its window is from before the access log's first line"
		}
		fmt.Fprintf(&b, "Not compared with **%s**: %s (no data, not a quiet night).\n", md(sum.NotCompared), md(why))
	} else {
		b.WriteString("No previous milestone to compare with.\n")
	}

	b.WriteString("\n## Summary\n\n")
	if prev != nil {
		fmt.Fprintf(&b, "| | %s | %s | change |\n|---|---:|---:|---:|\n", md(sum.Stage), md(prev.Stage))
	} else {
		fmt.Fprintf(&b, "| | %s |\n|---|---:|\n", md(sum.Stage))
	}
	row := func(name string, cur, old string, delta string) {
		if prev == nil {
			fmt.Fprintf(&b, "| %s | %s |\n", name, cur)
			return
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, cur, old, delta)
	}
	p := prev
	if p == nil {
		p = &Summary{}
	}
	counted := row
	if sum.NoCounts {
		// nothing counted requests: a 0 would read as a quiet night
		counted = func(string, string, string, string) {}
	}
	row, counts := counted, row
	row("requests", count(sum.Requests), count(p.Requests), countDelta(sum.Requests, p.Requests))
	perSec, ratio := sources.UnitPerSecond, sources.UnitRatio
	row("peak QPS, busiest second", peak(sum.PeakSecond, sum.End, loc, perSec), peak(p.PeakSecond, p.End, loc, perSec),
		peakDelta(sum.PeakSecond, p.PeakSecond, perSec))
	row("peak QPS, busiest minute (mean)", peak(sum.PeakMinute, sum.End, loc, perSec), peak(p.PeakMinute, p.End, loc, perSec),
		peakDelta(sum.PeakMinute, p.PeakMinute, perSec))
	row(fmt.Sprintf("max slow ratio, %s spans", SlowSpan), peak(sum.MaxSlow, sum.End, loc, ratio), peak(p.MaxSlow, p.End, loc, ratio),
		peakDelta(sum.MaxSlow, p.MaxSlow, ratio))
	row("max slow ratio, per minute", peak(sum.MaxSlowMinute, sum.End, loc, ratio), peak(p.MaxSlowMinute, p.End, loc, ratio),
		peakDelta(sum.MaxSlowMinute, p.MaxSlowMinute, ratio))
	row("slow requests", count(sum.Slow), count(p.Slow), countDelta(sum.Slow, p.Slow))
	row("499 (client gave up)", count(sum.S499), count(p.S499), countDelta(sum.S499, p.S499))
	row("5xx", count(sum.S5xx), count(p.S5xx), countDelta(sum.S5xx, p.S5xx))
	if sum.HasDB || p.HasDB {
		cur, old, d := dbCell(sum), dbCell(p), ""
		if sum.DBKnown && p.DBKnown {
			d = countDelta(sum.DBErrors, p.DBErrors)
		}
		counts("DB errors (app log)", cur, old, d)
	}
	row("worst minute (499 + 5xx + slow)", worst(sum, loc), worst(p, loc), "")
	name := "distinct client IPs"
	if !sum.DistinctExact || (prev != nil && p.DistinctKnown && !p.DistinctExact) {
		name += " (estimate)" // the HyperLogLog of the per-minute details
	}
	row(name, distinct(sum), distinct(p), distinctDelta(sum, p))
	if sum.NoCounts {
		none := "unknown"
		counts("requests, 499, 5xx, slow", none, none, "")
		b.WriteString("\nNo access log or VictoriaLogs access stream counted this window's requests, so their totals and peaks are unknown (not 0); the tables below, when Prometheus gives them, are its estimates.\n")
	}

	var in []sources.Transition
	for _, tr := range transitions {
		if !tr.At.Before(sum.From) && !tr.At.After(sum.To) {
			in = append(in, tr)
		}
	}
	fmt.Fprintf(&b, "\n## Timeline\n\n")
	if len(in) == 0 {
		b.WriteString("No rule changed state within the window.\n")
	} else {
		b.WriteString("| time | offset | indicator | from → to | value | threshold | phase | driven by |\n|---|---:|---|---|---:|---:|---|---|\n")
		for _, tr := range in {
			u := o.Units[tr.Indicator]
			driven := ""
			if tr.Driver != nil {
				driven = tr.Driver.Line()
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s → %s | %s | %s | %s | %s |\n", at(tr.At), offset(tr.At.Sub(sum.End)),
				md(tr.Indicator), md(tr.From.String()), md(tr.To.String()),
				md(units.Format(tr.Value, u)), md(units.Format(tr.Threshold, u)), md(string(tr.Phase)), md(driven))
		}
		b.WriteString("\n`driven by`: the path, client, upstream and host with the most of the indicator's requests (all, 499, slow, 5xx) in the minute of the change (and the one before when the 10 s judged reach into it); `≥` marks a lower bound, `~` an estimate from Prometheus counters.\n")
	}

	tops := func(heading, col string, items []Top) {
		fmt.Fprintf(&b, "\n## %s\n\n", heading)
		if sum.NoTops {
			b.WriteString("None: top talkers come from access logs' tables, and no access log is configured.\n")
			return
		}
		if !sum.TopsKnown {
			b.WriteString("Not held any more.\n")
			return
		}
		if len(items) == 0 {
			b.WriteString("None.\n")
			return
		}
		fmt.Fprintf(&b, "| %s | requests | 499 | slow | 5xx |\n|---|---:|---:|---:|---:|\n", col)
		bounded := false
		for _, t := range items {
			bounded = bounded || t.Err > 0
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", md(t.Key), within(t.sure(), t.Err), within(t.S499, t.Err), within(t.Slow, t.Err), within(t.S5xx, t.Err))
		}
		if bounded {
			b.WriteString("\n`≥ a (≤ b)`: the window had more distinct keys than the top tables hold exactly; the true number lies between a and b.\n")
		}
	}
	if f, t := sum.TopsFrom, sum.TopsTo; sum.TopsKnown && !f.IsZero() && (f.Before(sum.From) || t.After(sum.To)) {
		fmt.Fprintf(&b, "\nTop talkers over %s – %s: the whole minutes (or older ten-minute and hour buckets) touching the window.\n", at(f), at(t))
	}
	// without an access log, the fleet sources' tables are the top talkers
	if !sum.NoTops || len(sum.Fetched) == 0 {
		tops("Top IPs", "IP", sum.TopIPs)
		tops("Top paths", "path", sum.TopPaths)
	}
	if sum.TopHosts != nil {
		tops("Top hosts", "host", sum.TopHosts)
	}
	if sum.TopUpstreams != nil {
		tops("Top upstreams", "upstream", sum.TopUpstreams)
	}
	for _, f := range sum.Fetched {
		writeFetched(&b, f)
	}

	if len(sum.Notes)+len(p.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range sum.Notes {
			fmt.Fprintf(&b, "- %s: %s\n", md(sum.Stage), md(n))
		}
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s: %s\n", md(p.Stage), md(n))
		}
	}
	return b.Bytes()
}

// md makes untrusted text safe inside a Markdown table cell: control
// characters escaped by sources.Sanitize, then every character Markdown
// could read as syntax backslash-escaped.
func md(s string) string {
	s = sources.Sanitize(s)
	if !strings.ContainsAny(s, "\\|`*_[]<>#~!&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|', '`', '*', '_', '[', ']', '<', '>', '#', '~', '!', '&':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// offset is d from the stage end, e.g. "+1m23s", "−10m", "0s".
func offset(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d/time.Minute%60), int(d/time.Second%60)
	var b strings.Builder
	b.WriteString(sign)
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// when is t as a clock time in loc with its offset from end, e.g.
// "00:00:07 CST (+7s)": the offset is what compares across milestones.
func when(t, end time.Time, loc *time.Location) string {
	return units.Clock(t.In(loc)) + " (" + offset(t.Sub(end)) + ")"
}

func count(n uint64) string { return fmt.Sprintf("%d", n) }

// within is a number known to lie in [n, n+span]: itself when exact.
func within(n, span uint64) string {
	if span == 0 {
		return count(n)
	}
	return fmt.Sprintf("≥ %d (≤ %d)", n, n+span)
}

func countDelta(cur, old uint64) string {
	d := int64(cur) - int64(old)
	if old == 0 {
		return fmt.Sprintf("%+d", d)
	}
	return fmt.Sprintf("%+d (%+.0f%%)", d, 100*float64(d)/float64(old))
}

// peak is a peak's value in its unit and when it happened.
func peak(p Peak, end time.Time, loc *time.Location, u sources.Unit) string {
	if !p.Valid {
		return "n/a"
	}
	return units.Format(p.Value, u) + " at " + when(p.At, end, loc)
}

// peakDelta is how far cur's peak is from old's, in their unit, and by
// how much in percent where that means something (not for ratios: a
// ratio's change is read in its own unit).
func peakDelta(cur, old Peak, u sources.Unit) string {
	if !cur.Valid || !old.Valid {
		return ""
	}
	d := cur.Value - old.Value
	s := signed(d, u)
	if u == sources.UnitRatio || old.Value == 0 {
		return s
	}
	return fmt.Sprintf("%s (%+.0f%%)", s, 100*d/old.Value)
}

// signed is d in its unit with a sign, "+5/s" or "-2.5‱".
func signed(d float64, u sources.Unit) string {
	if d < 0 {
		return "-" + units.Format(-d, u)
	}
	return "+" + units.Format(d, u)
}

func dbCell(s *Summary) string {
	switch {
	case !s.HasDB:
		return "n/a"
	case !s.DBKnown:
		return fmt.Sprintf("≥ %d (not all held)", s.DBErrors)
	}
	return count(s.DBErrors)
}

func worst(s *Summary, loc *time.Location) string {
	if !s.Worst.Valid {
		return "n/a"
	}
	w := s.Worst
	return fmt.Sprintf("%s: 499 %d, 5xx %d, slow %d of %d", when(w.At, s.End, loc), w.S499, w.S5xx, w.Slow, w.Requests)
}

func distinct(s *Summary) string {
	if !s.DistinctKnown {
		return "n/a"
	}
	return count(s.DistinctIPs)
}

func distinctDelta(cur, old *Summary) string {
	if !cur.DistinctKnown || !old.DistinctKnown {
		return ""
	}
	return countDelta(cur.DistinctIPs, old.DistinctIPs)
}
