package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"warroom/sources"
	"warroom/ui/internal/fixture"
)

// settle runs cmd and feeds what it returns back into the model, as the
// program would, except ticks (the test decides when time passes). It
// reports whether a quit came out.
func settle(t *testing.T, m Model, cmd tea.Cmd) (Model, bool) {
	t.Helper()
	quit := false
	var run func(c tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, sub := range msg {
				run(sub)
			}
		case tea.QuitMsg:
			quit = true
		case tickMsg, nil:
		default:
			next, c2 := m.Update(msg)
			m = next.(Model)
			run(c2)
		}
	}
	run(cmd)
	return m, quit
}

func press(t *testing.T, m Model, keys ...string) (Model, bool) {
	t.Helper()
	quit := false
	for _, k := range keys {
		next, cmd := m.Update(keyMsg(k))
		var q bool
		m, q = settle(t, next.(Model), cmd)
		quit = quit || q
	}
	return m, quit
}

// tickOnce delivers the current tick, as tea.Tick would after Refresh.
func tickOnce(t *testing.T, m Model) Model {
	t.Helper()
	next, cmd := m.Update(tickMsg{tag: m.tickTag})
	m, _ = settle(t, next.(Model), cmd)
	return m
}

func plain(m Model) string { return ansi.Strip(m.View().Content) }

func TestPauseFreezesPanesWhileDataFlows(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{Refresh: time.Millisecond}, 120, 40)
	m = tickOnce(t, m)
	if !strings.Contains(plain(m), "1k/s") { // 1000+calls: the newest value shows
		t.Fatalf("live value missing:\n%s", plain(m))
	}
	m, _ = press(t, m, "p")
	frozen := m.shown
	before := p.Calls
	for range 3 {
		m = tickOnce(t, m)
	}
	if p.Calls != before+3 {
		t.Fatalf("provider asked %d times while paused, want 3: data must keep flowing", p.Calls-before)
	}
	if m.shown != frozen {
		t.Fatal("the panes' snapshot changed while paused")
	}
	if m.latest == frozen {
		t.Fatal("the newest snapshot was not kept while paused")
	}
	if !strings.Contains(plain(m), "PAUSED") {
		t.Fatalf("no PAUSED badge:\n%s", plain(m))
	}
	m, _ = press(t, m, "p")
	if m.shown != m.latest || strings.Contains(plain(m), "PAUSED") {
		t.Fatal("unpausing did not show the newest snapshot")
	}
}

func TestTickIsReArmedOnlyByItsOwnMessage(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{Refresh: time.Millisecond}, 80, 24)
	stale := tickMsg{tag: m.tickTag}
	m = tickOnce(t, m)
	calls := p.Calls
	next, cmd := m.Update(stale)
	if cmd != nil || p.Calls != calls {
		t.Fatal("a stale tick started a second refresh loop")
	}
	m = next.(Model)
	if m.tickTag != stale.tag+1 {
		t.Fatalf("tick tag %d, want %d", m.tickTag, stale.tag+1)
	}
}

func TestOlderSnapshotDoesNotReplaceNewer(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 80, 24)
	newer := p.Snapshot()
	older := p.Snapshot()
	m = update(t, m, snapshotMsg{seq: 5, snap: newer})
	m = update(t, m, snapshotMsg{seq: 4, snap: older})
	if m.latest != newer {
		t.Fatal("a late answer to an older fetch replaced a newer snapshot")
	}
}

func TestWindowKeysChangeTheView(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 120, 40)
	if got := p.LastView().Window; got != 15*time.Minute {
		t.Fatalf("first window %v, want 15m", got)
	}
	m, _ = press(t, m, "+")
	if got := p.LastView().Window; got != time.Hour {
		t.Fatalf("after +: window %v, want 1h", got)
	}
	m, _ = press(t, m, "+", "+", "+") // clamps at 24h
	if got := p.LastView().Window; got != 24*time.Hour {
		t.Fatalf("after ++++: window %v, want 24h", got)
	}
	m, _ = press(t, m, "-", "-", "-", "-", "-")
	if got := p.LastView().Window; got != 5*time.Minute {
		t.Fatalf("after -----: window %v, want 5m", got)
	}
	if pts := p.LastView().Points; pts <= 0 {
		t.Fatalf("View.Points %d: charts should ask for their resolution", pts)
	}
	if !strings.Contains(plain(m), "LIVE 5m") {
		t.Fatalf("window badge missing:\n%s", plain(m))
	}
}

func TestMilestoneJumps(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 120, 40)
	m, _ = press(t, m, "m")
	// the 15m window shows a third before the stage end, two thirds after
	after := 10 * time.Minute
	if got := p.LastView().End; !got.Equal(fixture.PrevEnd.Add(after)) {
		t.Fatalf("m: View.End %v, want the previous milestone %v", got, fixture.PrevEnd)
	}
	if !strings.Contains(plain(m), "at 00:00 Dec 01") {
		t.Fatalf("no 'at' badge:\n%s", plain(m))
	}
	m, _ = press(t, m, "m")
	if got := p.LastView().End; !got.Equal(fixture.EarlyEnd.Add(after)) {
		t.Fatalf("m m: View.End %v, want %v (from the markers)", got, fixture.EarlyEnd)
	}
	m, _ = press(t, m, "M")
	if got := p.LastView().End; !got.Equal(fixture.PrevEnd.Add(after)) {
		t.Fatalf("m m M: View.End %v, want %v", got, fixture.PrevEnd)
	}
	m, _ = press(t, m, "M") // the next one is in the future: live
	if got := p.LastView().End; !got.IsZero() {
		t.Fatalf("M past now: View.End %v, want live", got)
	}
	m, _ = press(t, m, "m", "esc")
	if got := p.LastView().End; !got.IsZero() || !strings.Contains(plain(m), "LIVE") {
		t.Fatalf("esc: View.End %v, want live", got)
	}
	m, _ = press(t, m, "m", "0")
	if got := p.LastView().End; !got.IsZero() {
		t.Fatalf("0: View.End %v, want live", got)
	}
}

func TestAckRefreshQuit(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 80, 24)
	calls := p.Calls
	m, _ = press(t, m, "a")
	if p.Acks != 1 {
		t.Fatalf("a: %d acks, want 1", p.Acks)
	}
	if p.Calls != calls+1 {
		t.Fatal("a: no fresh snapshot after the ack (the unacked count would lag)")
	}
	m, _ = press(t, m, "r")
	if p.Refreshes != 1 {
		t.Fatalf("r: %d refreshes, want 1", p.Refreshes)
	}
	if _, quit := press(t, m, "q"); !quit {
		t.Fatal("q did not quit")
	}
	if _, quit := press(t, m, "ctrl+c"); !quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestFocusZoomHelp(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 80, 24)
	m, _ = press(t, m, "tab", "tab", "tab")
	if m.focus < 0 || m.slots[m.focus].cfg.Indicator != "nginx.499_rate" {
		t.Fatalf("three tabs focus %+v, want the 499 stat", m.slots[max(m.focus, 0)].cfg)
	}
	m, _ = press(t, m, "shift+tab")
	if m.slots[m.focus].cfg.Indicator != "nginx.slow_ratio" {
		t.Fatalf("shift+tab focus %+v, want the slow stat", m.slots[m.focus].cfg)
	}
	t.Run("focused", func(t *testing.T) { golden.RequireEqual(t, plain(m)) })
	m, _ = press(t, m, "enter")
	t.Run("zoomed", func(t *testing.T) { golden.RequireEqual(t, plain(m)) })
	m, _ = press(t, m, "?")
	t.Run("help", func(t *testing.T) { golden.RequireEqual(t, plain(m)) })
	m, _ = press(t, m, "esc")
	if m.showHelp || !m.zoomed {
		t.Fatal("esc should close help first")
	}
	m, _ = press(t, m, "esc")
	if m.zoomed {
		t.Fatal("esc should unzoom")
	}
	m, _ = press(t, m, "p", "m")
	t.Run("paused_at_milestone", func(t *testing.T) { golden.RequireEqual(t, plain(m)) })
}

func TestMouse(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{Mouse: true}, 120, 40)
	// Click into the third key stat (row 4, x 65).
	m = update(t, m, tea.MouseClickMsg{X: 65, Y: 4, Button: tea.MouseLeft})
	if m.focus < 0 || m.slots[m.focus].cfg.Indicator != "nginx.499_rate" {
		t.Fatalf("click focused %d", m.focus)
	}
	var chart int
	for i, s := range m.slots {
		if s.cfg.Kind == KindChart && m.rects[i].w > 0 {
			chart = i
			break
		}
	}
	r := m.rects[chart]
	next, cmd := m.Update(tea.MouseWheelMsg{X: r.x + 3, Y: r.y + 3, Button: tea.MouseWheelDown})
	settle(t, next.(Model), cmd)
	if got := p.LastView().Window; got != time.Hour {
		t.Fatalf("wheel down on a chart: window %v, want 1h", got)
	}
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse mode not requested")
	}
}

// With Ticked the screen keeps no timer of its own and reads nothing on
// a tick: the data layer pushes the tick's snapshot, taken over the view
// the screen set; one over a view it no longer shows makes it read one
// over the new view. The view is set when it changes, not on every tick.
func TestTickedShowsTheSnapshotsPushed(t *testing.T) {
	p := &fixture.Provider{}
	m := New(p, Options{Ticked: true, Refresh: time.Hour})
	done := make(chan *Model)
	go func() { // a timer of an hour in Init's Cmds would block here
		m, _ := settle(t, m, m.Init())
		done <- &m
	}()
	select {
	case mp := <-done:
		m = *mp
	case <-time.After(30 * time.Second):
		t.Fatal("Init started a timer of its own")
	}
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m, _ = settle(t, m, m.fetch()) // the new size's view
	views, calls := len(p.Views), p.Calls
	for i := 0; i < 3; i++ {
		pushed := p.Snapshot() // as the data layer takes it on its tick
		next, cmd := m.Update(SnapshotMsg{Snap: pushed})
		m, _ = settle(t, next.(Model), cmd)
		if m.latest != pushed {
			t.Fatalf("tick %d: the pushed snapshot is not shown", i)
		}
	}
	if p.Calls != calls+3 || len(p.Views) != views {
		t.Fatalf("three ticks: %d snapshots read, %d views set; want only the 3 pushed, none set", p.Calls-calls, len(p.Views)-views)
	}
	// a snapshot over another view (taken before a resize reached the
	// provider) is not shown: the screen reads one over its own
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	stale := p.Snapshot()
	next, cmd := m.Update(SnapshotMsg{Snap: stale})
	m, _ = settle(t, next.(Model), cmd)
	if m.latest == stale || len(p.Views) != views+1 || !equalView(m.latest.View, m.view()) {
		t.Fatalf("a snapshot over a view no longer shown was shown (views set %d)", len(p.Views)-views)
	}
	// without Ticked the message is ignored: the screen's own tick fetches
	m = New(p, Options{})
	if _, cmd := m.Update(SnapshotMsg{Snap: p.Snapshot()}); cmd != nil || m.latest != nil {
		t.Fatal("SnapshotMsg taken without Options.Ticked")
	}
}

// A key that can do nothing says why in the status bar, for a few
// refreshes, instead of doing nothing silently.
func TestKeysThatCannotActSaySo(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{Refresh: time.Millisecond}, 120, 40)
	m, _ = press(t, m, "enter")
	if !strings.Contains(plain(m), "tab to a pane first, then enter") {
		t.Errorf("enter with nothing focused says nothing:\n%s", plain(m))
	}
	for range len(m.o.Windows) {
		m, _ = press(t, m, "+")
	}
	if !strings.Contains(plain(m), "already the widest window") {
		t.Errorf("+ at the widest window says nothing:\n%s", plain(m))
	}
	for range noticeTicks {
		m = tickOnce(t, m)
	}
	if strings.Contains(plain(m), "widest") || !strings.Contains(plain(m), "? help") {
		t.Errorf("the notice outlived its refreshes:\n%s", plain(m))
	}
}

// Help leaves the key indicators on screen when there is room above it,
// and at 40x12 every key still fits, in as many columns as the width
// allows.
func TestHelpKeepsKeyIndicatorsAndFitsSmallScreens(t *testing.T) {
	m := sized(t, &fixture.Provider{}, Options{}, 80, 24)
	m, _ = press(t, m, "?")
	if out := plain(m); !strings.Contains(out, "QPS") || !strings.Contains(out, "DB err/min") || !strings.Contains(out, "keys") {
		t.Errorf("80x24 help hides the key indicators:\n%s", out)
	}
	m = sized(t, &fixture.Provider{}, Options{}, 40, 12)
	m, _ = press(t, m, "?")
	out := plain(m)
	for _, k := range []string{"next pane", "wider window", "pause", "ack alerts", "refresh", "quit"} {
		if !strings.Contains(out, k) {
			t.Errorf("40x12 help lacks %q:\n%s", k, out)
		}
	}
}

// Zooming a top table asks the data layer for as many rows as it shows.
func TestZoomedTopAsksForItsRows(t *testing.T) {
	p := &fixture.Provider{}
	m := sized(t, p, Options{}, 120, 40)
	for range len(m.slots) {
		if m.focus >= 0 && m.slots[m.focus].cfg.Kind == KindTop {
			break
		}
		m, _ = press(t, m, "tab")
	}
	if m.focus < 0 || m.slots[m.focus].cfg.Kind != KindTop {
		t.Fatal("no top table to focus")
	}
	if v := m.view(); v.Rows != 0 {
		t.Errorf("unzoomed view asks for %d rows", v.Rows)
	}
	m, _ = press(t, m, "enter")
	if v := p.LastView(); v.Rows < 30 {
		t.Errorf("zoomed at 120x40, the view asks for %d rows", v.Rows)
	}
}

// Arrows move to the nearest pane that way: down from a key stat is the
// pane below it, not the next in screen order.
func TestArrowsMoveByDirection(t *testing.T) {
	m := sized(t, &fixture.Provider{}, Options{}, 120, 40)
	m, _ = press(t, m, "tab") // the first key stat, top left
	start := m.rects[m.focus]
	m, _ = press(t, m, "down")
	below := m.rects[m.focus]
	if below.y <= start.y || below.x > start.x+start.w/2 {
		t.Errorf("down from %+v went to %+v", start, below)
	}
	m, _ = press(t, m, "up")
	if m.rects[m.focus] != start {
		t.Errorf("up did not come back: %+v", m.rects[m.focus])
	}
	m, _ = press(t, m, "right")
	if r := m.rects[m.focus]; r.x <= start.x || r.y != start.y {
		t.Errorf("right from %+v went to %+v", start, r)
	}
	m, _ = press(t, m, "left", "left") // nothing left of the first pane: stays
	if m.rects[m.focus] != start {
		t.Errorf("left twice from the second stat: %+v", m.rects[m.focus])
	}
}

// A replay's seek back pushes snapshots with an earlier clock but a new
// epoch: they are shown, not taken for stale ones; an earlier clock of
// the same epoch is stale.
func TestReplaySeekBackIsShown(t *testing.T) {
	p := &fixture.Provider{}
	m := New(p, Options{Ticked: true, Refresh: time.Hour})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m, _ = settle(t, m, m.fetch())
	push := func(at time.Time, epoch int) *sources.Snapshot {
		s := p.Snapshot()
		s.At, s.Replay = at, &sources.ReplayState{Speed: 60, Epoch: epoch}
		next, _ := m.Update(SnapshotMsg{Snap: s}) // what it shows before any fetch
		m = next.(Model)
		return s
	}
	late := time.Date(2027, 1, 1, 0, 2, 25, 0, time.UTC)
	if s := push(late, 0); m.latest != s {
		t.Fatal("the first replay snapshot is not shown")
	}
	if s := push(late.Add(-time.Minute), 0); m.latest == s {
		t.Error("an earlier clock of the same epoch was shown")
	}
	if s := push(late.Add(-2*time.Minute), 1); m.latest != s {
		t.Error("the seek back's snapshot (a new epoch, an earlier clock) was not shown")
	}
}
