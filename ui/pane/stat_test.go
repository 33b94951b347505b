package pane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
	"warroom/sources/units"
	"warroom/ui/internal/fixture"
)

// pendingCases are indicators judged every way a rule can leave them, on
// either side of warn 1 and crit 5 (above) or warn 5 and crit 1 (below):
// every state, with every worse state pending or none, and an ok one
// with a reason of its rule's own.
func pendingCases() []sources.Indicator {
	var out []sources.Indicator
	for _, below := range []bool{false, true} {
		warn, crit := 1.0, 5.0
		if below {
			warn, crit = crit, warn
		}
		for _, v := range []float64{0.5, 3, 7.8} {
			for _, state := range []sources.State{sources.StateOK, sources.StateWarn, sources.StateCrit} {
				for _, pending := range []sources.State{sources.StateUnknown, sources.StateWarn, sources.StateCrit} {
					if pending != sources.StateUnknown && pending <= state {
						continue
					}
					reasons := []string{""}
					if state == sources.StateOK && pending == sources.StateUnknown {
						reasons = append(reasons, "12 requests, under min_count 50") // a noise floor holds it
					}
					for _, reason := range reasons {
						in := sources.Indicator{Name: "x", Title: "499/s", State: state, Reason: reason,
							Warn: warn, Crit: crit, Below: below, Pending: pending,
							Value:  sources.Value{Value: v, Unit: sources.UnitPerSecond, Health: sources.HealthOK, At: fixture.At},
							Series: sources.Series{Points: []sources.Point{{At: fixture.At, V: v}}}}
						if pending != sources.StateUnknown {
							in.PendingAt = fixture.At.Add(6 * time.Second)
						}
						out = append(out, in)
					}
				}
			}
		}
	}
	return out
}

// valueLine is the line of a stat's view that carries its value: the
// first inside the border, or what follows the title on a one-line stat.
func valueLine(v, title string, h int) string {
	lines := strings.Split(ansi.Strip(v), "\n")
	if h < 3 {
		return strings.TrimPrefix(lines[0], title+" ")
	}
	r := []rune(lines[1])
	return string(r[1 : len(r)-1])
}

// No stat ever shows the ok symbol beside a value past warn or crit, at
// any size a stat can get: a value held by its rule's `for` shows the
// state it is heading to, marked pending (the mark and the value survive
// the narrowest stat the layout gives), and one its rule calls ok for
// another reason shows a neutral mark.
func TestStatNeverOKBeyondAThreshold(t *testing.T) {
	for _, o := range []Options{{Styles: DefaultStyles(true)}, {Styles: PlainStyles(), ASCII: true}} {
		okSym := Symbol(sources.StateOK, o.ASCII) + " "
		for _, in := range pendingCases() {
			snap := &sources.Snapshot{At: fixture.At, WindowEnd: fixture.At, Window: 15 * time.Minute, Indicators: []sources.Indicator{in}}
			num := units.Format(in.Value.Value, in.Value.Unit)
			beyond := in.Beyond() != sources.StateOK
			for h := 1; h <= 10; h++ {
				for w := 8; w <= 80; w++ {
					m := NewStat("x", o)
					m.SetSize(w, h)
					m.SetSnapshot(snap)
					v := m.View()
					check(t, v, w, h)
					line := valueLine(v, in.Title, h)
					room := Width(line) // what the value line had
					name := fmt.Sprintf("ascii=%v %s %v (warn %v crit %v below=%v) pending %s reason %q at %dx%d: %q",
						o.ASCII, in.State, in.Value.Value, in.Warn, in.Crit, in.Below, in.Pending, in.Reason, w, h, line)
					if h < 3 && w < len(in.Title)+4 {
						continue // the title takes the line
					}
					if beyond && strings.HasPrefix(line, okSym) {
						t.Fatalf("%s: the ok symbol beside a value past a threshold", name)
					}
					var mark string
					switch {
					case in.Pending != sources.StateUnknown:
						mark = PendingSymbol(in.Pending, o.ASCII) + " "
					case beyond && in.State == sources.StateOK:
						mark = HeldSymbol(o.ASCII) + " "
					default:
						continue
					}
					if room > Width(mark) && !strings.HasPrefix(line, strings.TrimSuffix(mark, " ")) {
						t.Fatalf("%s: no %q", name, mark)
					}
					if room >= Width(mark+num) && !strings.HasPrefix(line, mark+num) {
						t.Fatalf("%s: the value %q does not follow %q", name, num, mark)
					}
					if in.Pending != sources.StateUnknown && room >= Width(mark+num+" 6s") && !strings.Contains(line, "6s") {
						t.Fatalf("%s: room for the time left, yet none", name)
					}
				}
			}
		}
	}
}

// The time left counts down from the snapshot's At, and narrows before
// the value does: "crit in 6s", "in 6s", "6s".
func TestStatPendingCountsDown(t *testing.T) {
	in := pendingCases()[0]
	in.Value.Value, in.State, in.Pending, in.PendingAt = 7.8, sources.StateOK, sources.StateCrit, fixture.At.Add(6*time.Second)
	for _, c := range []struct {
		at   time.Duration
		w    int
		want string
	}{
		{0, 40, "✖… 7.8/s crit in 6s"},
		{500 * time.Millisecond, 40, "✖… 7.8/s crit in 6s"}, // 5.5 s left: never rounds down to a second early
		{5 * time.Second, 40, "✖… 7.8/s crit in 1s"},
		{0, 21, "✖… 7.8/s crit in 6s"},
		{0, 20, "✖… 7.8/s in 6s"},
		{0, 15, "✖… 7.8/s 6s"},
		{0, 12, "✖… 7.8/s"},
		{0, 8, "✖… 7.…"},
	} {
		snap := &sources.Snapshot{At: fixture.At.Add(c.at), Indicators: []sources.Indicator{in}}
		m := NewStat("x", Options{})
		m.SetSize(c.w, 4)
		m.SetSnapshot(snap)
		if got := strings.TrimRight(valueLine(m.View(), "", 4), " "); got != c.want {
			t.Errorf("+%v at %d wide: %q, want %q", c.at, c.w, got, c.want)
		}
	}
}
