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
// (10 s after the last stage end: nothing left to count down to), "done"
// (an hour after it: its window closed) or "zero" (zero config: no
// schedule at all). With state crit after an end, slow_ratio went crit 5 s
// after it: the first crit since the end.
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
	case "done":
		s.At, s.Phase, s.Prev = stage3End.Add(time.Hour), sources.PhaseNormal, s3
	case "zero":
		s.At, s.Phase, s.Event, s.Zone = stage2End, sources.PhaseNormal, "", time.UTC
	default:
		panic(moment)
	}
	if state == sources.StateCrit && s.Current != nil && s.At.After(s.Current.At) {
		s.FirstCrit = &sources.Transition{At: s.Current.At.Add(5 * time.Second), Indicator: "nginx.slow_ratio",
			From: sources.StateWarn, To: sources.StateCrit, Value: 128, Threshold: 100, Unit: sources.UnitBasisPt,
			Phase: sources.PhaseHot, Milestone: s.Current.Stage}
	}
	return s
}

func viewHeader(s *sources.Snapshot, o Options, w, h int) string {
	m := NewHeader(o)
	m.SetSize(w, h)
	m.SetSnapshot(s)
	return m.View()
}

var moments = []string{"approaching", "hot", "cooling", "last", "done", "zero"}

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

// In HOT the time since the stage end is the number that matters: three
// rows tall from 60 columns, with the stage it counts from beside it;
// on one line it stays labelled ("+00:00:10 since end") at 40 columns
// even with unacked crits, and its number stays as long as anything but
// the unacked count does.
func TestHeaderHotKeepsSinceEnd(t *testing.T) {
	for _, moment := range []string{"hot", "last"} {
		stage := "Stage 2"
		if moment == "last" {
			stage = "Stage 3"
		}
		for _, unacked := range []int{0, 3} {
			for _, state := range []sources.State{sources.StateOK, sources.StateCrit} {
				for _, o := range []Options{{Styles: DefaultStyles(true)}, {Styles: PlainStyles(), ASCII: true}} {
					big := bigDigits("+00:00:10", o.ASCII)
					for _, h := range []int{1, 3} {
						for w := 22; w <= 200; w++ {
							v := ansi.Strip(viewHeader(nightAt(moment, state, unacked), o, w, h))
							name := fmt.Sprintf("%s %s, %d unacked, ascii=%v, %dx%d", moment, state, unacked, o.ASCII, w, h)
							if h == 3 && w >= 60 {
								lines := strings.Split(v, "\n")
								for i, row := range big {
									if !strings.HasPrefix(lines[i], row) {
										t.Fatalf("%s: row %d does not start with the big +00:00:10:\n%s", name, i+1, v)
									}
								}
								if !strings.Contains(lines[0], "since "+stage+" end") {
									t.Fatalf("%s: the big count-up does not say what it counts from:\n%s", name, v)
								}
								continue
							}
							want := "+00:00:10"
							if w >= 40 {
								want += " since"
							}
							if !strings.Contains(v, want) {
								t.Fatalf("%s: no %q:\n%s", name, want, v)
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

// After a stage end the big digits count up from it, not down to the next
// stage: that countdown is small text on the far right, naming the stage
// before its number so it never reads as the time since the end.
func TestHeaderCountsUpAfterEnd(t *testing.T) {
	o := Options{Styles: DefaultStyles(true)}
	for _, c := range []struct {
		moment, up, down string
	}{
		{"hot", "+00:00:10", "23:59:50"},
		{"cooling", "+00:15:00", "23:45:00"},
		{"last", "+00:00:10", ""},
	} {
		for w := 60; w <= 200; w++ {
			s := nightAt(c.moment, sources.StateCrit, 1)
			v := ansi.Strip(viewHeader(s, o, w, 3))
			if c.down != "" && strings.Contains(v, bigDigits(c.down, false)[1]) {
				t.Fatalf("%s %dx3: the big digits count down to the next stage:\n%s", c.moment, w, v)
			}
			if strings.Contains(v, c.down) && c.down != "" && !strings.Contains(v, "Stage 3 ends in "+c.down) {
				t.Fatalf("%s %dx3: the countdown to the next stage is not \"Stage 3 ends in %s\":\n%s", c.moment, w, c.down, v)
			}
			if w >= 80 && c.down != "" && !strings.Contains(v, "Stage 3 ends in "+c.down) {
				t.Fatalf("%s %dx3: no countdown to the next stage:\n%s", c.moment, w, v)
			}
		}
	}
	// the end instant itself is HOT: the count-up starts at zero
	at := nightAt("hot", sources.StateOK, 0)
	at.At = stage2End
	if v := ansi.Strip(viewHeader(at, o, 80, 3)); !strings.HasPrefix(v, bigDigits("+00:00:00", false)[0]) || !strings.Contains(v, "since Stage 2 end") {
		t.Errorf("at the stage end:\n%s", v)
	}
	want := []string{
		" ▄  █▀█ █▀█   █▀█ █▀█   ▀█  █▀█  since Stage 2 end      Stage 3 ends in 23:59:50",
		"▀█▀ █ █ █ █ ▀ █ █ █ █ ▀  █  █ █   HOT   first crit 00:00:05 ✖ slow_ratio 128‱   ",
		" ▀  █▄█ █▄█ ▀ █▄█ █▄█ ▀ ▄█▄ █▄█                  ✖ CRIT  1 unacked  00:00:10 CST",
	}
	if got := ansi.Strip(viewHeader(nightAt("hot", sources.StateCrit, 1), o, 80, 3)); got != strings.Join(want, "\n") {
		t.Errorf("HOT at 80x3:\ngot\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// The first crit since the stage end stands in the header through HOT and
// cooling — its name, value and start time — at 80 columns on one line or
// three, beside the unacked count; never before the end, and never one
// from before it.
func TestHeaderFirstCrit(t *testing.T) {
	o := Options{Styles: DefaultStyles(true)}
	for _, moment := range []string{"hot", "cooling", "last"} {
		for _, h := range []int{1, 3} {
			for w := 80; w <= 200; w++ {
				v := ansi.Strip(viewHeader(nightAt(moment, sources.StateCrit, 2), o, w, h))
				if !strings.Contains(v, "00:00:05 ✖ ") || !strings.Contains(v, "slow") || !strings.Contains(v, "128‱") || !strings.Contains(v, "2 unacked") {
					t.Fatalf("%s %dx%d: no first crit beside the unacked count:\n%s", moment, w, h, v)
				}
			}
		}
	}
	for _, c := range []struct {
		w, h int
		want string
	}{
		{80, 1, " HOT   +00:00:10 since Stage 2 end  00:00:05 ✖ slow 128‱       ✖ CRIT  2 unacked"},
		{120, 1, " HOT   +00:00:10 since Stage 2 end  first crit 00:00:05 ✖ slow_ratio 128‱  Stage 3 ends in 23:59:50    ✖ CRIT  2 unacked"},
	} {
		if got := ansi.Strip(viewHeader(nightAt("hot", sources.StateCrit, 2), o, c.w, c.h)); got != c.want {
			t.Errorf("HOT at %dx%d:\ngot  %q\nwant %q", c.w, c.h, got, c.want)
		}
	}
	wide := strings.Split(ansi.Strip(viewHeader(nightAt("hot", sources.StateCrit, 2), o, 200, 3)), "\n")[1]
	if !strings.Contains(wide, "first crit 00:00:05 ✖ nginx.slow_ratio 128‱ > 100‱") {
		t.Errorf("HOT at 200x3: the first crit lacks its source or level: %q", wide)
	}
	early := nightAt("hot", sources.StateCrit, 2)
	early.FirstCrit.At = stage2End.Add(-time.Second)
	before := nightAt("approaching", sources.StateCrit, 2)
	before.FirstCrit = early.FirstCrit
	for _, s := range []*sources.Snapshot{early, before} {
		for _, h := range []int{1, 3} {
			if v := ansi.Strip(viewHeader(s, o, 200, h)); strings.Contains(v, "slow") {
				t.Errorf("%s: a crit from before the end in the header:\n%s", s.Phase, v)
			}
		}
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
						// before the end the big digits are the countdown
						big := h >= 3 && w >= 60 && moment == "approaching"
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
		state  sources.State
		w      int
		want   string
	}{
		{"hot", sources.StateOK, 120, " HOT   +00:00:10 since Stage 2 end  Stage 3 ends in 23:59:50                     LIVE 15m  ✔ OK  3 unacked  00:00:10 CST"},
		{"approaching", sources.StateCrit, 80, "00:01:56 → Stage 2 ends   APPROACHING            ✖ CRIT  3 unacked  23:58:04 CST"},
	} {
		got := ansi.Strip(viewHeader(nightAt(c.moment, c.state, 3), Options{Styles: DefaultStyles(true)}, c.w, 1))
		if got != c.want {
			t.Errorf("%s at %dx1:\ngot  %q\nwant %q", c.moment, c.w, got, c.want)
		}
	}
}

// Without a stage end ahead or one just passed there is nothing to count:
// no big "--:--:--" in three rows but one compact line, and without any
// schedule no "normal" badge claiming a phase. After the last stage end
// the big digits count up until its window closes, and say there is no
// further end.
func TestHeaderWithoutStageEndIsCompact(t *testing.T) {
	for _, c := range []struct {
		moment string
		want   []string
	}{
		{"zero", []string{"no schedule", "LIVE 15m", "✔ OK", "16:00:00 UTC"}},
		{"done", []string{"Year-end gala (demo)", "no further stage end", "normal", "01:00:00 CST"}},
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
	for _, moment := range []string{"zero", "done"} {
		if BigClock(nightAt(moment, sources.StateOK, 0)) {
			t.Errorf("%s: the root is told to keep three rows for nothing to count", moment)
		}
	}
	last := nightAt("last", sources.StateOK, 0)
	v := ansi.Strip(viewHeader(last, Options{Styles: DefaultStyles(true)}, 120, 3))
	if !BigClock(last) || !strings.Contains(v, bigDigits("+00:00:10", false)[1]) || !strings.Contains(v, "no further stage end") {
		t.Errorf("after the last stage end: no big count-up, or no word that nothing follows:\n%s", v)
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
		{"hot", 3, 80, " HOT   +00:00:10 since Stage 2 end                 ✔ OK  3 unacked  ✖… 2 pending"},
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
