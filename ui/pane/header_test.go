package pane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warroom/sources"
)

// The demo's night as the header sees it: a long event name, Stage 2
// ending at 00:00 (+08:00) and Stage 3 a day later.
var (
	nightZone = time.FixedZone("CST", 8*3600)
	stage2End = time.Date(2026, 12, 2, 0, 0, 0, 0, nightZone)
	stage3End = stage2End.Add(24 * time.Hour)
)

func nightStage(name string, end time.Time) *sources.Milestone {
	return &sources.Milestone{Event: "Year-end gala (demo)", Stage: name, At: end,
		Before: 10 * time.Minute, Hot: 10 * time.Minute, After: 30 * time.Minute}
}

// nightAt is the snapshot at one moment of the night: "approaching" (1m56s
// before Stage 2 ends), "hot" (10 s after), "cooling" (15 m after), "last"
// (10 s after the last stage end: nothing left to count down to) or "zero"
// (zero config: no schedule at all).
func nightAt(moment string, state sources.State, unacked int) *sources.Snapshot {
	s := &sources.Snapshot{
		Event: "Year-end gala (demo)", Zone: nightZone, Window: 15 * time.Minute, Unacked: unacked,
		Indicators: []sources.Indicator{{Name: "nginx.qps", State: sources.StateOK}, {Name: "nginx.slow_ratio", State: state}},
	}
	s2, s3 := nightStage("Stage 2", stage2End), nightStage("Stage 3", stage3End)
	switch moment {
	case "approaching":
		s.At, s.Phase, s.Current, s.Next = stage2End.Add(-116*time.Second), sources.PhaseApproaching, s2, s2
	case "hot":
		s.At, s.Phase, s.Current, s.Next, s.Prev = stage2End.Add(10*time.Second), sources.PhaseHot, s2, s3, s2
	case "cooling":
		s.At, s.Phase, s.Current, s.Next, s.Prev = stage2End.Add(15*time.Minute), sources.PhaseCooling, s2, s3, s2
	case "last":
		s.At, s.Phase, s.Current, s.Prev = stage3End.Add(10*time.Second), sources.PhaseHot, s3, s3
	case "zero":
		s.At, s.Phase, s.Event, s.Zone = stage2End, sources.PhaseNormal, "", time.UTC
	default:
		panic(moment)
	}
	return s
}

func viewHeader(s *sources.Snapshot, o Options, w, h int) string {
	m := NewHeader(o)
	m.SetSize(w, h)
	m.SetSnapshot(s)
	return m.View()
}

var moments = []string{"approaching", "hot", "cooling", "last", "zero"}

// An unacknowledged crit keeps the header red at every width: the count
// outlasts the clock, the countdown and everything else, shrinking to
// "✖ 3 unacked" in the crit style when "✖ CRIT  3 unacked" does not fit —
// also while every indicator is back to ok.
func TestHeaderUnackedAtEveryWidth(t *testing.T) {
	colour := DefaultStyles(true)
	for _, moment := range moments {
		for _, state := range []sources.State{sources.StateOK, sources.StateCrit} {
			for _, o := range []Options{{Styles: colour}, {Styles: PlainStyles(), ASCII: true}} {
				crit := Symbol(sources.StateCrit, o.ASCII)
				for _, h := range []int{1, 3} {
					for w := 11; w <= 200; w++ {
						v := viewHeader(nightAt(moment, state, 3), o, w, h)
						check(t, v, w, h)
						plain := ansi.Strip(v)
						if !strings.Contains(plain, "3 unacked") {
							t.Fatalf("%s %s ascii=%v %dx%d: no unacked count:\n%s", moment, state, o.ASCII, w, h, plain)
						}
						if strings.Contains(plain, "3 unacked") && !strings.Contains(plain, crit+" ") && !strings.Contains(plain, "  3 unacked") {
							t.Fatalf("%s %s ascii=%v %dx%d: the unacked count without the state or %q:\n%s", moment, state, o.ASCII, w, h, crit, plain)
						}
						if o.Styles == colour && !strings.Contains(v, colour.Unacked.Render("3 unacked")) &&
							!strings.Contains(v, colour.Crit.Render(crit+" 3 unacked")) {
							t.Fatalf("%s %s %dx%d: the unacked count is not red:\n%q", moment, state, w, h, v)
						}
					}
				}
			}
		}
	}
}

// The report's 40×12 screen: three unacked crits, indicators ok again.
func TestHeaderUnackedAt40(t *testing.T) {
	got := ansi.Strip(viewHeader(nightAt("approaching", sources.StateOK, 3), Options{Styles: DefaultStyles(true)}, 40, 1))
	if want := "00:01:56   APPROACHING   ✔ OK  3 unacked"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// In HOT the time since the stage end is the number that matters: it stays
// whole ("+00:00:10 since end") at 40 columns even with unacked crits, and
// its number stays as long as anything but the unacked count does.
func TestHeaderHotKeepsSinceEnd(t *testing.T) {
	for _, moment := range []string{"hot", "last"} {
		for _, unacked := range []int{0, 3} {
			for _, state := range []sources.State{sources.StateOK, sources.StateCrit} {
				for _, o := range []Options{{Styles: DefaultStyles(true)}, {Styles: PlainStyles()}} {
					for _, h := range []int{1, 3} {
						for w := 22; w <= 200; w++ {
							v := ansi.Strip(viewHeader(nightAt(moment, state, unacked), o, w, h))
							want := "+00:00:10"
							if w >= 40 {
								want += " since end"
							}
							if !strings.Contains(v, want) {
								t.Fatalf("%s %s, %d unacked, %dx%d: no %q:\n%s", moment, state, unacked, w, h, want, v)
							}
						}
					}
				}
			}
		}
	}
	got := ansi.Strip(viewHeader(nightAt("hot", sources.StateCrit, 3), Options{Styles: DefaultStyles(true)}, 40, 1))
	if want := " HOT   +00:00:10 since end   ✖ 3 unacked"; got != want {
		t.Errorf("40 columns in HOT:\ngot  %q\nwant %q", got, want)
	}
}

// The countdown says what it counts to: at 80 columns and more the stage
// whose end it is stays on screen, one line or three; after a stage end —
// when it counts to the next stage while the title names the one that
// ended — it is never shown bare, at any width.
func TestHeaderCountdownSaysWhatItCountsTo(t *testing.T) {
	for _, moment := range []string{"approaching", "hot", "cooling"} {
		label := "Stage 3 ends"
		if moment == "approaching" {
			label = "Stage 2 ends"
		}
		for _, unacked := range []int{0, 3} {
			for _, paused := range []bool{false, true} {
				for _, h := range []int{1, 3} {
					for w := 11; w <= 200; w++ {
						m := NewHeader(Options{Styles: DefaultStyles(true)})
						m.SetSize(w, h)
						m.SetPaused(paused, stage2End)
						m.SetSnapshot(nightAt(moment, sources.StateCrit, unacked))
						v := ansi.Strip(m.View())
						name := fmt.Sprintf("%s, %d unacked, paused %v, %dx%d", moment, unacked, paused, w, h)
						big := h >= 3 && w >= 60 // the big digits are always there
						shown := big || strings.Contains(v, Clock(nightAt(moment, 0, 0).Next.At.Sub(nightAt(moment, 0, 0).At)))
						if shown && (big || w >= 80 || moment != "approaching") && !strings.Contains(v, label) {
							t.Fatalf("%s: the countdown does not say it counts to %q:\n%s", name, label, v)
						}
					}
				}
			}
		}
	}
	for _, c := range []struct {
		moment string
		w      int
		want   string
	}{
		{"hot", 80, "23:59:50 → Stage 3 ends   HOT   +00:00:10 since end            ✖ CRIT  3 unacked"},
		{"approaching", 80, "00:01:56 → Stage 2 ends   APPROACHING            ✖ CRIT  3 unacked  23:58:04 CST"},
	} {
		got := ansi.Strip(viewHeader(nightAt(c.moment, sources.StateCrit, 3), Options{Styles: DefaultStyles(true)}, c.w, 1))
		if got != c.want {
			t.Errorf("%s at %dx1:\ngot  %q\nwant %q", c.moment, c.w, got, c.want)
		}
	}
	got := strings.Split(ansi.Strip(viewHeader(nightAt("hot", sources.StateCrit, 3), Options{Styles: DefaultStyles(true)}, 80, 3)), "\n")[0]
	if want := "Year-end gala (demo) · Stage 2  → Stage 3 ends"; !strings.HasSuffix(strings.TrimRight(got, " "), want) {
		t.Errorf("HOT at 80x3, first line %q, want it to end in %q", got, want)
	}
}

// Without a stage end ahead there is nothing to count down: no big
// "--:--:--" in three rows but one compact line, and without any schedule
// no "normal" badge claiming a phase.
func TestHeaderWithoutStageEndIsCompact(t *testing.T) {
	for _, c := range []struct {
		moment string
		want   []string
	}{
		{"zero", []string{"no schedule", "LIVE 15m", "✔ OK", "16:00:00 UTC"}},
		{"last", []string{"Year-end gala (demo) · Stage 3", "no further stage end", "HOT", "+00:00:10 since end"}},
	} {
		for _, sz := range [][2]int{{80, 3}, {120, 3}, {200, 3}, {80, 1}} {
			v := ansi.Strip(viewHeader(nightAt(c.moment, sources.StateOK, 0), Options{Styles: DefaultStyles(true)}, sz[0], sz[1]))
			lines := strings.Split(v, "\n")
			if strings.Contains(v, "--:--:--") || strings.ContainsAny(v, "▀▄█") {
				t.Errorf("%s %v: a countdown with nothing to count:\n%s", c.moment, sz, v)
			}
			for _, w := range c.want {
				if sz[0] >= 120 && !strings.Contains(lines[0], w) {
					t.Errorf("%s %v: the line lacks %q:\n%s", c.moment, sz, w, v)
				}
			}
			for i, l := range lines[1:] {
				if strings.TrimSpace(l) != "" {
					t.Errorf("%s %v: row %d is not blank: %q", c.moment, sz, i+2, l)
				}
			}
		}
	}
	if v := ansi.Strip(viewHeader(nightAt("zero", sources.StateOK, 0), Options{Styles: DefaultStyles(true)}, 120, 1)); strings.Contains(v, "normal") {
		t.Errorf("no schedule, yet a phase: %q", v)
	}
}

// arrangeParts narrows the least important part before it drops anything,
// and each narrower form takes its own place in the order.
func TestArrangeNarrowsBeforeDropping(t *testing.T) {
	parts := []part{
		{seg: seg{"left", 10, false}},
		{seg{"wide form", 30, true}, []seg{{text: "w", prio: 0}}},
	}
	for w, want := range map[int]string{
		16: "left   wide form",
		15: "left  wide form",
		14: "left         w",
		7:  "left  w",
		6:  "     w",
		1:  "w",
	} {
		if got := arrangeParts(parts, w); got != want {
			t.Errorf("width %d: got %q, want %q", w, got, want)
		}
	}
}

// Paused, the header says PAUSED and not LIVE beside it.
func TestHeaderPausedIsNotLive(t *testing.T) {
	h := NewHeader(Options{})
	h.SetSize(120, 1)
	h.SetSnapshot(nightAt("hot", sources.StateOK, 0))
	if got := ansi.Strip(h.View()); !strings.Contains(got, "LIVE 15m") {
		t.Fatalf("live header %q lacks LIVE 15m", got)
	}
	h.SetPaused(true, stage2End.Add(10*time.Second))
	got := ansi.Strip(h.View())
	if !strings.Contains(got, "PAUSED") || strings.Contains(got, "LIVE") || !strings.Contains(got, "15m") {
		t.Errorf("paused header %q: want PAUSED and the window, no LIVE", got)
	}
}

// withPending marks n of s's indicators as on their way to crit.
func withPending(s *sources.Snapshot, n int) *sources.Snapshot {
	for i := 0; i < n; i++ {
		s.Indicators = append(s.Indicators, sources.Indicator{Name: fmt.Sprintf("p%d", i), State: sources.StateOK,
			Pending: sources.StateCrit, PendingAt: s.At.Add(6 * time.Second)})
	}
	return s
}

// Alerts about to fire are counted beside the firing ones, in the style
// of the state they head to, at every width the unacked count leaves room
// for — "✖… 2 pending" from 40 columns, "✖…2" below — and the unacked
// count still outlasts everything.
func TestHeaderCountsPending(t *testing.T) {
	colour := DefaultStyles(true)
	for _, moment := range moments {
		for _, unacked := range []int{0, 3} {
			for _, o := range []Options{{Styles: colour}, {Styles: PlainStyles(), ASCII: true}} {
				full := PendingSymbol(sources.StateCrit, o.ASCII) + " 2 pending"
				short := PendingSymbol(sources.StateCrit, o.ASCII) + "2"
				for _, h := range []int{1, 3} {
					for w := 17; w <= 200; w++ {
						v := viewHeader(withPending(nightAt(moment, sources.StateOK, unacked), 2), o, w, h)
						check(t, v, w, h)
						plain := ansi.Strip(v)
						name := fmt.Sprintf("%s, %d unacked, ascii=%v, %dx%d", moment, unacked, o.ASCII, w, h)
						if unacked > 0 && !strings.Contains(plain, "3 unacked") {
							t.Fatalf("%s: the pending count pushed out the unacked one:\n%s", name, plain)
						}
						switch {
						case w >= 40 && !strings.Contains(plain, full):
							t.Fatalf("%s: no %q:\n%s", name, full, plain)
						case !strings.Contains(plain, full) && !strings.Contains(plain, short):
							t.Fatalf("%s: no pending count:\n%s", name, plain)
						}
						if o.Styles == colour && !strings.Contains(v, colour.Crit.Render(full)) && !strings.Contains(v, colour.Crit.Render(short)) {
							t.Fatalf("%s: the pending count is not in the crit style:\n%q", name, v)
						}
					}
				}
			}
		}
	}
	for _, c := range []struct {
		moment  string
		unacked int
		w       int
		want    string
	}{
		{"hot", 3, 40, "+00:00:10      ✖ 3 unacked  ✖… 2 pending"},
		{"approaching", 0, 40, "00:01:56   APPROACHING      ✖… 2 pending"},
		{"hot", 3, 80, " HOT   +00:00:10 since end                         ✔ OK  3 unacked  ✖… 2 pending"},
		{"approaching", 3, 120, "00:01:56 → Stage 2 ends   APPROACHING                              LIVE 15m  ✔ OK  3 unacked  ✖… 2 pending  23:58:04 CST"},
	} {
		got := ansi.Strip(viewHeader(withPending(nightAt(c.moment, sources.StateOK, c.unacked), 2), Options{Styles: colour}, c.w, 1))
		if got != c.want {
			t.Errorf("%s, %d unacked, %d wide:\ngot  %q\nwant %q", c.moment, c.unacked, c.w, got, c.want)
		}
	}
	// a warn on its way reads as one
	s := nightAt("hot", sources.StateOK, 0)
	s.Indicators[0].Pending, s.Indicators[0].PendingAt = sources.StateWarn, s.At.Add(time.Second)
	if got := ansi.Strip(viewHeader(s, Options{Styles: colour}, 120, 1)); !strings.Contains(got, "▲… 1 pending") {
		t.Errorf("one warn pending: %q", got)
	}
}
