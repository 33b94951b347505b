package pane

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"warroom/sources"
	"warroom/sources/units"
)

// Options is what every pane needs besides its data.
type Options struct {
	Styles *Styles // nil: plain (no colour)
	ASCII  bool    // no braille, no box drawing, no symbols beyond ASCII
}

// Header is the top line (or three lines with a big clock): event,
// stage, countdown to the next stage end and what that end is, phase
// badge, time since the stage end and the first crit since it while HOT
// or cooling, clock in the event zone, overall state with unacked crit
// count, the count of alerts about to fire (pending), the PAUSED badge,
// the badge of a view moved off now (at a milestone), and in a replay the
// REPLAY badge, which no width drops, with the replay clock's pace.
//
// Its size decides the form: 3 rows or more (and 60 columns) get the big
// clock when it has something to count (BigClock): down to the next stage
// end, or, through HOT and cooling, up from the end just passed. It is
// never focused.
type Header struct {
	base
	paused   bool
	pausedAt time.Time
	window   time.Duration
	viewEnd  time.Time // zero: the panes show live data
}

// NewHeader returns a header with no data yet.
func NewHeader(o Options) *Header { return &Header{base: base{opts: o}} }

// SetPaused shows or hides the PAUSED badge; at is the time of the frozen
// snapshot the panes keep showing.
func (m *Header) SetPaused(p bool, at time.Time) {
	if p != m.paused || !at.Equal(m.pausedAt) {
		m.paused, m.pausedAt = p, at
		m.changed()
	}
}

// SetWindow says what the panes below show: a window of d ending at end,
// or ending now when end is zero (LIVE). The header itself always shows
// the latest snapshot, so the countdown keeps running while the view is
// paused or moved to a past milestone.
func (m *Header) SetWindow(d time.Duration, end time.Time) {
	if d != m.window || !end.Equal(m.viewEnd) {
		m.window, m.viewEnd = d, end
		m.changed()
	}
}

// SetSnapshot takes the snapshot to show; every new one changes the header
// (its clock).
func (m *Header) SetSnapshot(s *sources.Snapshot) bool { return m.show(s, neverSame) }

// View renders the header, or returns its last drawing when nothing changed.
func (m *Header) View() string { return m.cached(m.draw) }

// seg is one piece of the header; lower prio survives narrower terminals.
type seg struct {
	text  string
	prio  int
	right bool
}

// part is a seg with narrower forms of itself, each with its own prio, that
// replace it in turn before it is dropped — so "✖ CRIT  3 unacked" can give
// way early while its short form "✖ 3 unacked" outlasts everything else.
type part struct {
	seg
	narrower []seg // right is taken from the part
}

// The priorities, most important first. Before a stage end the countdown
// is the number that matters; after it (HOT, cooling) the time since the
// end is, then the first crit since that end, and the countdown to the
// next end is small text, only shown with the name of that end, never
// bare. An unacknowledged crit outlasts them all.
const (
	prioUnacked      = 0  // "✖ 3 unacked": the header stays red at every width
	prioPending      = 1  // "✖…2": alerts about to fire, beside the firing ones
	prioNumber       = 5  // the bare countdown, or the bare "+00:00:10" after an end
	prioPendingFull  = 18 // "✖… 2 pending", before it shrinks to prioPending's form
	prioPhase        = 20 // the phase badge
	prioState        = 25 // the overall state, no unacked crits
	prioSince        = 28 // "+00:00:10 since end"
	prioStateUnacked = 32 // "✖ CRIT  3 unacked", before it shrinks to prioUnacked's form
	prioCrit         = 34 // the first crit since the end, "00:00:31 ✖ slow 128‱"
	prioSinceStage   = 38 // "+00:00:10 since Stage 2 end"
	prioPaused       = 40
	prioCritLabel    = 45 // "first crit 00:00:31 ✖ slow_ratio 128‱", then "… ✖ slow 128‱"
	prioUntil        = 50 // the countdown with its short label, "→ Stage 3 ends"
	prioClock        = 60
	prioWindow       = 80
	prioEvent        = 90
	prioPausedAt     = 92 // "PAUSED 23:58:33", before it shrinks to "PAUSED"
	prioUntilFull    = 95 // the countdown with "to Stage 3 ends 12-02 00:00"
	prioCritFull     = 96 // the first crit with its source and the level it crossed
)

func (m *Header) draw() string {
	if m.w <= 0 || m.h <= 0 {
		return blank(m.w, m.h)
	}
	st := m.opts.st()
	if m.snap == nil {
		return block([]string{st.Dim.Render("waiting for the first snapshot…")}, m.w, m.h)
	}
	s := m.snap
	phase := part{seg: seg{m.phaseBadge(), prioPhase, false}}
	paused, replay := m.pausedPart(), m.replayPart()
	alarm, pending := m.alarmPart(), m.pendingPart()
	clock := part{seg: seg{st.Text.Render(s.At.In(zone(s)).Format("15:04:05 MST")), prioClock, true}}
	if s.Replay != nil {
		// live, the engineer knows what time it is; in a replay the
		// clock says when in the night the screen is
		clock.prio = prioReplayClock
		// short of room, without the zone: the clock outlasts the
		// phase, which the countdown beside it says in numbers
		clock.narrower = []seg{{text: st.Text.Render(s.At.In(zone(s)).Format("15:04:05")), prio: prioReplayTime, right: true}}
	}
	window := part{seg: seg{m.windowText(), prioWindow, true}}
	event := part{seg: seg{m.eventText(), prioEvent, false}}
	since, crit, countdown := m.sincePart(), m.firstCritPart(), m.countdownPart()
	// without a number for the big digits (no schedule, or the last stage
	// end's window closed) there is no big "--:--:--", one compact line
	if m.h < 3 || m.w < 60 || !BigClock(s) {
		parts := []part{replay, event, countdown, phase, since, crit, window, alarm, pending, clock, paused}
		if m.afterEnd() {
			// the count-up and the first crit lead; the next end trails
			parts = []part{replay, event, phase, since, crit, countdown, window, alarm, pending, clock, paused}
		}
		if s.Replay != nil {
			// when in the night the screen is, beside the badge
			clock.right = false
			parts = append([]part{replay, clock}, slices.DeleteFunc(parts[1:], func(p part) bool { return p.text == clock.text })...)
		}
		return block([]string{arrangeParts(parts, m.w)}, m.w, m.h)
	}
	var digits [3]string
	var top []part
	if m.afterEnd() {
		// the big number counts up from the end; the countdown to the next
		// one keeps to the far right, away from the label of the count-up
		digits = bigDigits("+"+Clock(s.At.Sub(s.Current.At)), m.opts.ASCII)
		countdown.right = true
		top = []part{m.sinceLabel(), replay, event, countdown, paused}
	} else {
		full, short := m.until()
		digits = bigDigits(Clock(s.Next.At.Sub(s.At)), m.opts.ASCII)
		top = []part{replay, event, {seg{st.Dim.Render(full), prioUntilFull, false}, []seg{{text: st.Dim.Render(short), prio: prioUntil}}}, paused}
	}
	rw := m.w - Width(digits[0]) - 2
	lines := []string{
		st.Countdown.Render(digits[0]) + "  " + arrangeParts(top, rw),
		st.Countdown.Render(digits[1]) + "  " + arrangeParts([]part{phase, crit, window}, rw),
		st.Countdown.Render(digits[2]) + "  " + arrangeParts([]part{alarm, pending, clock}, rw),
	}
	return block(lines, m.w, m.h)
}

// BigClock says whether s has a number for the header's big digits: a
// stage end ahead to count down to, or one whose window is open to count
// up from. Without one the header is a single line, and the root gives
// its other rows to the panes.
func BigClock(s *sources.Snapshot) bool {
	return s != nil && (s.Next != nil || s.Current != nil && !s.At.Before(s.Current.At))
}

// afterEnd is true from a stage end until its window closes (HOT and
// cooling): the time since that end is then the clock that matters, and
// the next stage end is a different stage than the one the title names.
func (m Header) afterEnd() bool {
	s := m.snap
	return s.Current != nil && !s.At.Before(s.Current.At)
}

// noSchedule is true when the snapshot knows no stage end at all (zero
// config without --schedule).
func (m Header) noSchedule() bool {
	s := m.snap
	return s.Next == nil && s.Current == nil && s.Prev == nil && len(s.Markers) == 0
}

// until names the stage end the countdown counts to, in full ("to Stage 3
// ends 12-02 00:00") and short ("→ Stage 3 ends").
func (m Header) until() (string, string) {
	s := m.snap
	what := m.nextName()
	arrow := "→"
	if m.opts.ASCII {
		arrow = "->"
	}
	return fmt.Sprintf("to %s %s", what, s.Next.At.In(zone(s)).Format("01-02 15:04")), arrow + " " + what
}

// nextName is what the next stage end is called: "Stage 3 ends".
func (m Header) nextName() string {
	if st := m.snap.Next.Stage; st != "" {
		return clean(st) + " ends"
	}
	return "stage end"
}

// countdownPart is the countdown to the next stage end with its label.
// Before a stage end it narrows to the bare countdown, which stays to the
// last; after one it is small text that names the next stage before its
// number ("Stage 3 ends in 23:59:50"), so the number never reads as the
// time since the end just passed, and it goes whole rather than
// unlabelled.
func (m Header) countdownPart() part {
	st := m.opts.st()
	s := m.snap
	if s.Next == nil {
		if m.noSchedule() {
			return part{seg: seg{st.Dim.Render("no schedule"), prioUntil, false}}
		}
		return part{seg: seg{st.Dim.Render("no further stage end"), prioUntilFull, false}}
	}
	left := Clock(s.Next.At.Sub(s.At))
	full, short := m.until()
	if m.afterEnd() {
		what := m.nextName()
		when := s.Next.At.In(zone(s)).Format("01-02 15:04")
		return part{seg{st.Dim.Render(what+" in ") + st.Text.Render(left) + st.Dim.Render(" · "+when), prioUntilFull, false},
			[]seg{{text: st.Dim.Render(what+" in ") + st.Text.Render(left), prio: prioUntil}}}
	}
	cd := st.Countdown.Render(left)
	return part{seg{cd + "  " + st.Dim.Render(full), prioUntilFull, false},
		[]seg{{text: cd + " " + st.Dim.Render(short), prio: prioUntil}, {text: cd, prio: prioNumber}}}
}

func (m Header) eventText() string {
	s := m.snap
	ev := clean(s.Event)
	if s.Current != nil && s.Current.Stage != "" {
		ev += " · " + clean(s.Current.Stage)
	} else if s.Next != nil && s.Next.Stage != "" {
		ev += " · " + clean(s.Next.Stage)
	}
	if ev = strings.TrimPrefix(ev, " · "); ev == "" {
		return "" // not an empty styled string: it would still take a place
	}
	return m.opts.st().Value.Render(ev)
}

// sincePart counts up from the stage end while HOT or cooling: that is the
// clock the engineer watches during the flood, so its number outlasts the
// countdown to the next end. It names the stage that ended while there is
// room ("+00:00:10 since Stage 2 end").
func (m Header) sincePart() part {
	if !m.afterEnd() {
		return part{}
	}
	n := m.opts.st().Countdown.Render("+" + Clock(m.snap.At.Sub(m.snap.Current.At)))
	p := m.sinceForms(n + " ")
	p.narrower = append(p.narrower, seg{text: n, prio: prioNumber})
	return p
}

// sinceLabel is what the big count-up counts from: "since Stage 2 end",
// "since end" when short of room.
func (m Header) sinceLabel() part { return m.sinceForms("") }

// sinceForms is "since Stage 2 end" after number, narrowing to "since
// end".
func (m Header) sinceForms(number string) part {
	st := m.opts.st()
	short := seg{text: number + st.Dim.Render("since end"), prio: prioSince}
	if stage := m.snap.Current.Stage; stage != "" {
		return part{seg{number + st.Dim.Render("since "+clean(stage)+" end"), prioSinceStage, false}, []seg{short}}
	}
	return part{seg: short}
}

// firstCritPart names the first crit since the stage end while HOT or
// cooling — what broke first in the flood and when — down to
// "00:00:31 ✖ slow 128‱" before it goes; whole it adds the source and
// the level crossed.
func (m Header) firstCritPart() part {
	s := m.snap
	t := s.FirstCrit
	if !m.afterEnd() || t == nil || t.At.Before(s.Current.At) {
		return part{}
	}
	st := m.opts.st()
	head := st.Dim.Render(t.At.In(zone(s)).Format("15:04:05")) + " " + st.Crit.Render(Symbol(sources.StateCrit, m.opts.ASCII)) + " "
	value := units.Format(t.Value, transitionUnit(s, *t))
	if !finite(t.Value) {
		value = levelText(st, s, *t)
	}
	label := st.Dim.Render("first crit") + " "
	name := shortName(s, t.Indicator)
	short := head + clean(name) + " " + value
	bare := head + clean(bareName(name, *t, transitionUnit(s, *t))) + " " + value
	return part{seg{label + head + clean(t.Indicator) + " " + levelText(st, s, *t), prioCritFull, false},
		[]seg{{text: label + short, prio: prioCritLabel}, {text: label + bare, prio: prioCritLabel - 1}, {text: bare, prio: prioCrit}}}
}

// phaseBadge is empty without a schedule: "normal" would claim a phase
// there is no schedule for.
func (m Header) phaseBadge() string {
	if m.noSchedule() {
		return ""
	}
	st := m.opts.st()
	var name string
	style := st.Normal
	switch m.snap.Phase {
	case sources.PhaseNormal, "":
		name = "normal"
	case sources.PhaseApproaching:
		name, style = "APPROACHING", st.Approaching
	case sources.PhaseHot:
		name, style = "HOT", st.Hot
	case sources.PhaseCooling:
		name, style = "cooling", st.Cooling
	default:
		name = clean(string(m.snap.Phase))
	}
	return badge(style, name)
}

// badge renders a word as a coloured block, or in brackets without colour.
func badge(style lipgloss.Style, text string) string {
	if style.GetBackground() == nil || isNoColor(style) {
		return "[" + text + "]"
	}
	return style.Render(" " + text + " ")
}

func isNoColor(s lipgloss.Style) bool {
	_, ok := s.GetBackground().(lipgloss.NoColor)
	return ok
}

// pausedPart is the PAUSED badge, with the time of the frozen snapshot
// while there is room for it.
func (m Header) pausedPart() part {
	if !m.paused {
		return part{}
	}
	p := part{seg: seg{badge(m.opts.st().Paused, "PAUSED"), prioPaused, true}}
	if !m.pausedAt.IsZero() {
		p.narrower = []seg{p.seg}
		p.text, p.prio = badge(m.opts.st().Paused, "PAUSED "+m.pausedAt.In(zone(m.snap)).Format("15:04:05")), prioPausedAt
	}
	return p
}

func (m Header) stateText() string {
	st := m.opts.st()
	w := m.snap.Worst()
	return st.StateStyle(w).Render(Symbol(w, m.opts.ASCII) + " " + strings.ToUpper(w.String()))
}

// alarmPart is the overall state and the count of unacknowledged crits
// (acknowledged with `a`), which keeps the header red even after the
// indicator recovered: when space runs out it shrinks to "✖ 3 unacked" in
// the crit style and outlasts every other piece.
func (m Header) alarmPart() part {
	n := m.snap.Unacked
	if n == 0 {
		return part{seg: seg{m.stateText(), prioState, true}}
	}
	st := m.opts.st()
	count := fmt.Sprintf("%d unacked", n)
	return part{
		seg{m.stateText() + "  " + st.Unacked.Render(count), prioStateUnacked, true},
		[]seg{{text: st.Crit.Render(Symbol(sources.StateCrit, m.opts.ASCII) + " " + count), prio: prioUnacked}},
	}
}

// pendingPart counts the indicators whose rule's condition holds but has
// not lasted its `for` yet, in the style and pending symbol of the worst
// state they head to: an alert seconds from firing is news at any width,
// so its short form "✖…2" outlasts everything but the unacked count.
func (m Header) pendingPart() part {
	n, to := m.snap.Pending()
	if n == 0 {
		return part{}
	}
	ss := m.opts.st().StateStyle(to)
	sym := PendingSymbol(to, m.opts.ASCII)
	return part{
		seg{ss.Render(fmt.Sprintf("%s %d pending", sym, n)), prioPendingFull, true},
		[]seg{{text: ss.Render(fmt.Sprintf("%s%d", sym, n)), prio: prioPending}},
	}
}

// windowText names the time window, and says loudly when the panes are
// not showing "now" (the view was moved to a milestone).
func (m Header) windowText() string {
	d := m.window
	if d <= 0 {
		d = m.snap.Window
	}
	w := ""
	if d > 0 {
		w = " " + fmtWindow(d)
	}
	if !m.viewEnd.IsZero() {
		return badge(m.opts.st().Replay, "at "+m.viewEnd.In(zone(m.snap)).Format("15:04 Jan 02")+w)
	}
	if m.paused || m.snap.Replay != nil {
		// frozen: PAUSED says so, and LIVE beside it would contradict it;
		// a replay is never live. Named: a bare "15m" under "→ Day 2
		// ends" read as the time left
		if w == "" {
			return ""
		}
		return m.opts.st().Dim.Render("chart" + w)
	}
	return m.opts.st().OK.Render("LIVE") + m.opts.st().Dim.Render(w)
}

func fmtWindow(d time.Duration) string {
	h := d.Hours()
	switch {
	case h >= 1 && h == float64(int(h)):
		return fmt.Sprintf("%dh", int(h))
	case h*60 == float64(int(h*60)):
		return fmt.Sprintf("%dm", int(h*60))
	}
	return fmt.Sprintf("%.0fs", h*3600)
}

// arrange lays segments out on one line of w cells: left ones from the
// left, right ones flush right, dropping the least important (highest
// prio) until everything fits.
func arrange(segs []seg, w int) string {
	parts := make([]part, len(segs))
	for i, s := range segs {
		parts[i].seg = s
	}
	return arrangeParts(parts, w)
}

// arrangeParts is arrange for parts: the least important one narrows to
// its next form, or is dropped when it has none left.
func arrangeParts(parts []part, w int) string {
	keep := make([]part, 0, len(parts))
	for _, p := range parts {
		if p.text != "" {
			keep = append(keep, p)
		}
	}
	for {
		lw, rw, ln, rn := 0, 0, 0, 0
		worst := -1
		for i, s := range keep {
			if s.right {
				rw += Width(s.text)
				rn++
			} else {
				lw += Width(s.text)
				ln++
			}
			if worst < 0 || s.prio > keep[worst].prio {
				worst = i
			}
		}
		total := lw + rw + 2*max(ln-1, 0) + 2*max(rn-1, 0)
		if ln > 0 && rn > 0 {
			total += 2
		}
		if total <= w || len(keep) == 0 || len(keep) == 1 && len(keep[0].narrower) == 0 {
			var l, r []string
			for _, s := range keep {
				if s.right {
					r = append(r, s.text)
				} else {
					l = append(l, s.text)
				}
			}
			ls, rs := strings.Join(l, "  "), strings.Join(r, "  ")
			gap := w - Width(ls) - Width(rs)
			if gap < 0 {
				return Fit(ls+rs, w)
			}
			return ls + strings.Repeat(" ", gap) + rs
		}
		if n := keep[worst].narrower; len(n) > 0 {
			keep[worst].text, keep[worst].prio, keep[worst].narrower = n[0].text, n[0].prio, n[1:]
			continue
		}
		keep = append(keep[:worst], keep[worst+1:]...)
	}
}
