package pane

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"warroom/sources"
)

// Options is what every pane needs besides its data.
type Options struct {
	Styles *Styles // nil: plain (no colour)
	ASCII  bool    // no braille, no box drawing, no symbols beyond ASCII
}

// Header is the top line (or three lines with a big countdown): event,
// stage, countdown to the next stage end, phase badge, clock in the event
// zone, overall state with unacked crit count, PAUSED and replay badges.
type Header struct {
	opts     Options
	w, h     int
	snap     *sources.Snapshot
	paused   bool
	pausedAt time.Time
	window   time.Duration
	viewEnd  time.Time // zero: the panes show live data
}

// NewHeader returns a header with no data yet.
func NewHeader(o Options) Header { return Header{opts: o} }

// SetSize sets the size the header fills; 3 rows or more (and 60 columns)
// get the big countdown.
func (m *Header) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles swaps the styles (e.g. after the terminal reported its background).
func (m *Header) SetStyles(s *Styles) { m.opts.Styles = s }

// SetPaused shows or hides the PAUSED badge; at is the time of the frozen
// snapshot the panes keep showing.
func (m *Header) SetPaused(p bool, at time.Time) { m.paused, m.pausedAt = p, at }

// SetWindow says what the panes below show: a window of d ending at end,
// or ending now when end is zero (LIVE). The header itself always shows
// the latest snapshot, so the countdown keeps running while the view is
// paused or moved to a past milestone.
func (m *Header) SetWindow(d time.Duration, end time.Time) { m.window, m.viewEnd = d, end }

// Update takes a SnapshotMsg.
func (m Header) Update(msg tea.Msg) (Header, tea.Cmd) {
	if s, ok := msg.(SnapshotMsg); ok {
		m.snap = s.Snapshot
	}
	return m, nil
}

// seg is one piece of the header; lower prio survives narrower terminals.
type seg struct {
	text  string
	prio  int
	right bool
}

// View renders the header.
func (m Header) View() string {
	if m.w <= 0 || m.h <= 0 {
		return blank(m.w, m.h)
	}
	st := m.opts.st()
	if m.snap == nil {
		return block([]string{st.Dim.Render("waiting for the first snapshot…")}, m.w, m.h)
	}
	s := m.snap
	countdown, until := m.countdown()
	big := m.h >= 3 && m.w >= 60
	phase := seg{m.phaseBadge(), 1, false}
	paused := seg{m.pausedBadge(), 2, true}
	state := seg{m.stateText(), 3, true}
	unacked := seg{m.unackedText(), 5, true}
	clock := seg{st.Text.Render(s.At.In(zone(s)).Format("15:04:05 MST")), 4, true}
	window := seg{m.windowText(), 5, true}
	event := seg{m.eventText(), 6, false}
	next := seg{st.Dim.Render(until), 7, false}
	since := seg{m.sinceText(), 8, false}
	if !big {
		cd := seg{st.Countdown.Render(countdown), 0, false}
		line := arrange([]seg{event, cd, phase, since, next, window, state, unacked, clock, paused}, m.w)
		return block([]string{line}, m.w, m.h)
	}
	digits := bigDigits(countdown, m.opts.ASCII)
	rw := m.w - Width(digits[0]) - 2
	lines := []string{
		st.Countdown.Render(digits[0]) + "  " + arrange([]seg{event, next, paused}, rw),
		st.Countdown.Render(digits[1]) + "  " + arrange([]seg{phase, since, window}, rw),
		st.Countdown.Render(digits[2]) + "  " + arrange([]seg{state, unacked, clock}, rw),
	}
	return block(lines, m.w, m.h)
}

// countdown is the time to the next stage end, and what that end is.
func (m Header) countdown() (string, string) {
	s := m.snap
	if s.Next == nil {
		return "--:--:--", "no further stage end"
	}
	what := "stage end"
	if s.Next.Stage != "" {
		what = clean(s.Next.Stage) + " ends"
	}
	return Clock(s.Next.At.Sub(s.At)), fmt.Sprintf("to %s %s", what, s.Next.At.In(zone(s)).Format("01-02 15:04"))
}

func (m Header) eventText() string {
	s := m.snap
	ev := clean(s.Event)
	if s.Current != nil && s.Current.Stage != "" {
		ev += " · " + clean(s.Current.Stage)
	} else if s.Next != nil && s.Next.Stage != "" {
		ev += " · " + clean(s.Next.Stage)
	}
	return m.opts.st().Value.Render(strings.TrimPrefix(ev, " · "))
}

// sinceText counts up from the stage end while HOT or cooling: that is the
// clock the engineer watches during the flood.
func (m Header) sinceText() string {
	s := m.snap
	if s.Current == nil || !s.At.After(s.Current.At) {
		return ""
	}
	return m.opts.st().Dim.Render("+" + Clock(s.At.Sub(s.Current.At)) + " since end")
}

func (m Header) phaseBadge() string {
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

func (m Header) pausedBadge() string {
	if !m.paused {
		return ""
	}
	if m.pausedAt.IsZero() {
		return badge(m.opts.st().Paused, "PAUSED")
	}
	return badge(m.opts.st().Paused, "PAUSED "+m.pausedAt.In(zone(m.snap)).Format("15:04:05"))
}

func (m Header) stateText() string {
	st := m.opts.st()
	w := m.snap.Worst()
	return st.StateStyle(w).Render(Symbol(w, m.opts.ASCII) + " " + strings.ToUpper(w.String()))
}

// unackedText keeps the header red while a crit has not been acknowledged
// (with `a`), even after the indicator recovered.
func (m Header) unackedText() string {
	if m.snap.Unacked == 0 {
		return ""
	}
	return m.opts.st().Unacked.Render(fmt.Sprintf("%d unacked", m.snap.Unacked))
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
	keep := make([]seg, 0, len(segs))
	for _, s := range segs {
		if s.text != "" {
			keep = append(keep, s)
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
		if total <= w || len(keep) <= 1 {
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
		keep = append(keep[:worst], keep[worst+1:]...)
	}
}
