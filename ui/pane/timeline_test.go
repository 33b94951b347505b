package pane

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/sources/units"
	"warroom/ui/internal/fixture"
)

// Every row keeps its time, its state, its value and the level crossed
// from the width the shortest form needs up; the milestone, the phase, the
// source prefix and the state it came from give way first, in that order.
func TestTimelineRowsKeepValueAndThreshold(t *testing.T) {
	for _, o := range []Options{{Styles: DefaultStyles(true)}, {Styles: PlainStyles(), ASCII: true}} {
		snap := fixture.Hot()
		for w := 32; w <= 120; w++ {
			m := NewTimeline(o)
			m.SetSize(w, len(snap.Timeline)+2)
			m.SetSnapshot(snap)
			v := m.View()
			check(t, v, w, len(snap.Timeline)+2)
			lines := strings.Split(ansi.Strip(v), "\n")[1:]
			for i, tr := range snap.Timeline {
				row := lines[len(snap.Timeline)-1-i]
				name := fmt.Sprintf("ascii=%v %d wide, row %q", o.ASCII, w, row)
				want := []string{tr.At.Format("15:04:05"), Symbol(tr.To, o.ASCII) + " ", " " + formatValue(tr)}
				for _, s := range want {
					if !strings.Contains(row, s) {
						t.Fatalf("%s: lacks %q", name, s)
					}
				}
				if strings.Contains(row, "…") {
					t.Fatalf("%s: cut", name)
				}
				dropped := func(s string) bool { return !strings.Contains(row, s) }
				prefix := dropped("nginx.") && dropped("prom.")
				phase := dropped("HOT") && dropped("APPROACHING")
				from := dropped("→") && dropped(">"+strings.ToUpper(tr.To.String()))
				switch {
				case prefix && !phase:
					t.Fatalf("%s: the source prefix went before the phase", name)
				case from && !prefix:
					t.Fatalf("%s: the state it came from went before the source prefix", name)
				case !phase && dropped("day 1") && w >= 80:
					t.Fatalf("%s: the milestone went at 80 columns", name)
				}
			}
		}
	}
}

// formatValue is what a row must show of a transition's numbers: the
// value and the level crossed, in the transition's unit.
func formatValue(tr sources.Transition) string {
	v := units.Format(tr.Value, tr.Unit)
	if math.IsNaN(tr.Threshold) {
		return v
	}
	rel := ">"
	if tr.Value < tr.Threshold {
		rel = "<"
	}
	return v + " " + rel + " " + units.Format(tr.Threshold, tr.Unit)
}

// At 80×24 the timeline is 30 cells inside: the rows of the night after
// the stage end read as the issue asks, value and threshold whole.
func TestTimelineAt80x24(t *testing.T) {
	m := NewTimeline(Options{Styles: PlainStyles()})
	m.SetSize(32, 5)
	m.SetSnapshot(fixture.Hot())
	got := strings.Split(ansi.Strip(m.View()), "\n")
	for i, want := range []string{
		"│● 00:00:44 ✖ 499 7.9/s > 5/s  │",
		"│● 00:00:31 ✖ slow 128‱ > 100‱ │",
		"│  00:00:12 ▲ 499 2.4/s > 1/s  │",
	} {
		if got[i+1] != want {
			t.Errorf("row %d:\ngot  %q\nwant %q", i+1, got[i+1], want)
		}
	}
}

// A name is written without its source only when no other indicator
// would then read the same, and without "_ratio" or "_rate" only when the
// value's unit says it; a transition without a value keeps its reason.
func TestTimelineNames(t *testing.T) {
	s := &sources.Snapshot{Indicators: []sources.Indicator{{Name: "main.slow_ratio"}, {Name: "api.slow_ratio"}, {Name: "main.qps"}, {Name: "app.db"}}}
	for name, want := range map[string]string{
		"main.slow_ratio": "main.slow_ratio", // api.slow_ratio too
		"main.qps":        "qps",
		"app.db":          "db",
		"bare":            "bare",
		"main.pay.qps":    "pay.qps",
	} {
		if got := shortName(s, name); got != want {
			t.Errorf("shortName(%q) = %q, want %q", name, got, want)
		}
	}
	v := sources.Transition{Value: 1}
	nan := sources.Transition{Value: math.NaN()}
	for _, c := range []struct {
		name string
		t    sources.Transition
		u    sources.Unit
		want string
	}{
		{"slow_ratio", v, sources.UnitBasisPt, "slow"},
		{"5xx_ratio", v, sources.UnitRatio, "5xx"},
		{"499_rate", v, sources.UnitPerSecond, "499"},
		{"499_rate", v, sources.UnitCount, "499_rate"},         // the unit does not say "rate"
		{"slow_ratio", nan, sources.UnitBasisPt, "slow_ratio"}, // no value, no unit shown
		{"_ratio", v, sources.UnitRatio, "_ratio"},
		{"pay._rate", v, sources.UnitPerSecond, "pay._rate"},
	} {
		if got := bareName(c.name, c.t, c.u); got != c.want {
			t.Errorf("bareName(%q, %s) = %q, want %q", c.name, c.u, got, c.want)
		}
	}
	snap := fixture.Hot()
	snap.Timeline = append(snap.Timeline, sources.Transition{At: fixture.HotAt, Indicator: "nginx.qps", From: sources.StateOK,
		To: sources.StateCrit, Value: math.NaN(), Threshold: math.NaN(), Reason: "no data for 1m"})
	m := NewTimeline(Options{Styles: PlainStyles()})
	m.SetSize(40, 4)
	m.SetSnapshot(snap)
	if row := strings.Split(ansi.Strip(m.View()), "\n")[1]; !strings.Contains(row, "✖ qps") || !strings.Contains(row, "no data for 1m") {
		t.Errorf("a crit without a value: %q", row)
	}
}

// The date shows only once the oldest row is a day old: across midnight
// it would cost the rows their values.
func TestTimelineDate(t *testing.T) {
	for _, c := range []struct {
		age  time.Duration
		date bool
	}{{23 * time.Hour, false}, {24 * time.Hour, true}} {
		snap := fixture.Hot()
		snap.Timeline[0].At = snap.At.Add(-c.age)
		m := NewTimeline(Options{Styles: PlainStyles()})
		m.SetSize(80, 12)
		m.SetSnapshot(snap)
		if got := strings.Contains(m.View(), "12-02 00:00:44"); got != c.date {
			t.Errorf("oldest row %s old: date shown %v, want %v", c.age, got, c.date)
		}
	}
}

// Two access logs with the same indicators: a narrow row shortens the
// source prefix that tells them apart letter by letter, then drops it,
// before it cuts the indicator's own name.
func TestTimelineTwoLogsNarrow(t *testing.T) {
	s := &sources.Snapshot{Zone: time.UTC, Indicators: []sources.Indicator{{Name: "nginx.499_rate"}, {Name: "comb.499_rate"}},
		Timeline: []sources.Transition{{At: time.Date(2026, 12, 2, 10, 17, 24, 0, time.UTC), Indicator: "nginx.499_rate",
			From: sources.StateOK, To: sources.StateCrit, Value: 9.5, Threshold: 5, Unit: sources.UnitPerSecond}}}
	for w, want := range map[int]string{
		36: "✖ nginx.499 9.5/s > 5/s",
		34: "✖ ngi.499 9.5/s > 5/s",
		32: "✖ n.499 9.5/s > 5/s",
		31: "✖ 499 9.5/s > 5/s",
	} {
		m := NewTimeline(Options{Styles: PlainStyles()})
		m.SetSize(w, 3)
		m.SetSnapshot(s)
		if row := strings.Split(ansi.Strip(m.View()), "\n")[1]; !strings.Contains(row, want) {
			t.Errorf("%d wide: %q, want it to hold %q", w, row, want)
		}
	}
}

// A crit still firing stays in sight when later changes of other
// indicators fill the pane: it takes the place of the oldest of them.
func TestTimelineKeepsAFiringCrit(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 18, 0, 0, time.UTC)
	tr := func(sec int, ind string, from, to sources.State) sources.Transition {
		return sources.Transition{At: at.Add(time.Duration(sec) * time.Second), Indicator: ind, From: from, To: to, Value: math.NaN(), Threshold: math.NaN()}
	}
	ok, warn, crit := sources.StateOK, sources.StateWarn, sources.StateCrit
	tl := []sources.Transition{
		tr(39, "nginx.5xx_ratio", ok, crit), // still firing
		tr(41, "nginx.qps", ok, warn),
		tr(43, "nginx.slow_ratio", crit, ok),
		tr(47, "nginx.499_rate", warn, ok),
	}
	if got := shownRows(tl, 3); fmt.Sprint(got) != "[3 2 0]" {
		t.Errorf("rows %v, want the two newest and the firing crit", got)
	}
	tl[0].Acked = true
	if got := shownRows(tl, 3); fmt.Sprint(got) != "[3 2 1]" {
		t.Errorf("acknowledged: rows %v, want the three newest", got)
	}
	tl[0].Acked = false
	tl = append(tl, tr(50, "nginx.5xx_ratio", crit, ok))
	if got := shownRows(tl, 3); fmt.Sprint(got) != "[4 3 2]" {
		t.Errorf("recovered: rows %v, want the three newest", got)
	}
}
