// Package ui is warroom's terminal screen: a bubbletea v2 root model that
// asks the data layer (a sources.Provider) for one immutable snapshot per
// refresh tick and lays the panes of ui/pane out for whatever size the
// terminal (often half a tmux window) has. The model reads no clock and
// does no IO outside tea.Cmds; the time it shows comes from the snapshot.
// Around it, a Shell writes each new frame to the terminal with a
// FrameWriter the moment it is made.
package ui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"warroom/sources"
	"warroom/ui/pane"
)

// Styles is every colour the screen uses; see pane.DefaultStyles.
type Styles = pane.Styles

// DefaultStyles returns colours for a dark or light terminal background.
func DefaultStyles(isDark bool) *Styles { return pane.DefaultStyles(isDark) }

// PlainStyles has no colour or attribute at all (NO_COLOR, --no-color):
// states stay distinguishable by their symbols.
func PlainStyles() *Styles { return pane.PlainStyles() }

// DefaultWindows are the time windows `+` and `-` step through.
var DefaultWindows = []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// Options configures the screen. The zero value is usable.
type Options struct {
	Refresh time.Duration // snapshot period; 0: 1s
	// Ticked: the data layer pushes a snapshot on each of its ticks (a
	// SnapshotMsg sent to the program) instead of the screen fetching one
	// on a timer of its own: one wake-up a second instead of two.
	Ticked  bool
	Window  time.Duration // initial window; 0: 15m (snapped to Windows)
	Windows []time.Duration
	Layout  LayoutConfig // empty: DefaultLayout from the snapshot
	ASCII   bool         // no braille, no box drawing
	NoColor bool         // NO_COLOR / --no-color: symbols only
	Mouse   bool         // click to focus, wheel on a chart to change the window (steals tmux's mouse selection)
	Styles  *Styles      // nil: DefaultStyles, adapted to the terminal background
	KeyMap  *KeyMap      // nil: DefaultKeyMap
}

func (o Options) withDefaults() Options {
	if o.Refresh <= 0 {
		o.Refresh = time.Second
	}
	if len(o.Windows) == 0 {
		o.Windows = DefaultWindows
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	return o
}

// Model is the root of the screen.
type Model struct {
	p      sources.Provider
	o      Options
	keys   KeyMap
	styles *Styles // shared by every pane
	help   help.Model

	w, h     int
	bigClock bool // the header has its three rows for the big clock (a stage end ahead, or one just passed)

	latest    *sources.Snapshot // newest snapshot: header and status show it
	shown     *sources.Snapshot // what the panes show (frozen while paused)
	shownView sources.View

	paused     bool
	windowIdx  int
	end        time.Time // zero: live
	tickTag    int
	fetchSeq   int          // last fetch asked for
	setView    sources.View // the view last given to the provider
	viewSet    bool
	noticeLeft int     // refreshes the notice in the status bar has left (see say)
	noticeSeq  int     // a replay's notices said (see say)
	later      tea.Cmd // a Cmd made while applying a snapshot, run after the Update
	gotSeq     int     // newest fetch applied

	shape      string      // shapeKey of the snapshot the slots were built for
	rows       []RowConfig // the layout in use, header and status included
	slots      []slot
	header     *pane.Header // the bars, kept across layouts; in slots too
	status     *pane.Status
	bars       map[string]pane.Pane // by kind
	rects      []rect
	bands      []band
	focus      int // index into slots; -1: none
	zoomed     bool
	showHelp   bool
	milestones []time.Time // every stage end seen, sorted, bounded

	// a replay: the provider's keys (nil live), and the go-to prompt
	replayer  sources.Replayer
	prompting bool
	typed     []rune

	frame string // the rendered screen, rebuilt only when something changed
	dirty bool
}

// Messages. Each carries what it needs to be judged stale.
type (
	tickMsg     struct{ tag int }
	snapshotMsg struct {
		seq  int
		view sources.View
		snap *sources.Snapshot
	}
	ackedMsg struct{}
)

// SnapshotMsg hands a screen with Options.Ticked the snapshot of a new
// tick, taken over the view the screen last set (see
// sources.Provider).
type SnapshotMsg struct{ Snap *sources.Snapshot }

// New returns the screen for p. It does no IO: the first snapshot is
// fetched by the Cmd Init returns.
func New(p sources.Provider, o Options) Model {
	o = o.withDefaults()
	m := Model{p: p, o: o, focus: -1, help: help.New(), fetchSeq: 1, bigClock: true}
	m.replayer, _ = p.(sources.Replayer)
	m.keys = DefaultKeyMap()
	if o.KeyMap != nil {
		m.keys = *o.KeyMap
	}
	m.windowIdx = 0
	for i, d := range o.Windows {
		if d <= o.Window {
			m.windowIdx = i
		}
	}
	po := pane.Options{ASCII: o.ASCII}
	m.header = pane.NewHeader(po)
	m.status = pane.NewStatus(po)
	m.bars = map[string]pane.Pane{KindHeader: m.header, KindStatus: m.status}
	m.setStyles(true)
	if len(o.Layout.Rows) > 0 {
		m.buildSlots(o.Layout, nil)
	}
	return m
}

// setStyles picks the styles for the background (dark unless the terminal
// says otherwise) and hands them to every pane.
func (m *Model) setStyles(isDark bool) {
	switch {
	case m.o.Styles != nil:
		m.styles = m.o.Styles
	case m.o.NoColor:
		m.styles = pane.PlainStyles()
	default:
		m.styles = pane.DefaultStyles(isDark)
	}
	if m.o.NoColor {
		m.help.Styles = help.Styles{}
	} else {
		m.help.Styles = help.DefaultStyles(isDark)
	}
	for _, b := range m.bars {
		b.SetStyles(m.styles)
	}
	for _, s := range m.slots {
		if s.kind.bar == noBar {
			s.pane.SetStyles(m.styles)
		}
	}
	m.dirty = true
}

// buildSlots makes the panes of a layout; the bars (header, status) are
// added at their edge when the layout does not place them.
func (m *Model) buildSlots(c LayoutConfig, snap *sources.Snapshot) {
	keyNames := map[string]bool{}
	if snap != nil {
		for _, in := range snap.Indicators {
			keyNames[in.Name] = in.Key
		}
	}
	placed := map[string]bool{}
	for _, r := range c.Rows {
		for _, p := range r.Panes {
			placed[p.Kind] = true
		}
	}
	rows := c.Rows
	for _, k := range Kinds {
		if placed[k] {
			continue
		}
		bar := []RowConfig{{Panes: []PaneConfig{{Kind: k}}}}
		switch registry[k].bar {
		case topBar:
			rows = append(bar, rows...)
		case bottomBar:
			rows = append(slices.Clip(rows), bar...)
		}
	}
	var focusedCfg *PaneConfig
	if m.focus >= 0 && m.focus < len(m.slots) {
		c := m.slots[m.focus].cfg
		focusedCfg = &c
	}
	po := pane.Options{Styles: m.styles, ASCII: m.o.ASCII}
	m.slots = m.slots[:0:0]
	m.rows = rows
	m.focus = -1
	for _, r := range rows {
		for _, p := range r.Panes {
			s := slot{cfg: p, kind: registry[p.Kind], pane: m.bars[p.Kind]}
			if s.pane == nil {
				s.pane = s.kind.new(p, po)
			}
			for _, n := range p.names() {
				s.key = s.key || keyNames[n]
			}
			if focusedCfg != nil && m.focus < 0 && equalPane(*focusedCfg, p) {
				m.focus = len(m.slots)
			}
			m.slots = append(m.slots, s)
		}
	}
	if m.shown != nil {
		m.feed(m.shown)
	}
	m.relayout()
}

func equalPane(a, b PaneConfig) bool {
	return a.Kind == b.Kind && a.Indicator == b.Indicator && slices.Equal(a.Indicators, b.Indicators) &&
		a.Table == b.Table && a.Source == b.Source
}

// Init fetches the first snapshot, starts the refresh tick and asks the
// terminal for its background colour.
func (m Model) Init() tea.Cmd {
	if m.o.Ticked {
		return tea.Batch(m.fetchCmd(1), tea.RequestBackgroundColor)
	}
	return tea.Batch(m.fetchCmd(1), tick(m.o.Refresh, m.tickTag), tea.RequestBackgroundColor)
}

// view is what the next snapshot should cover.
//
// A jump to a milestone anchors the view on it (m.end) but shows the window
// with a third before the stage end and two thirds after: the run-up and
// the flood that follows, which is what one looks back at. Past "now" the
// window is cut at now.
func (m Model) view() sources.View {
	w := m.o.Windows[m.windowIdx]
	end := m.end
	if !end.IsZero() {
		end = end.Add(w * 2 / 3)
		if m.latest != nil && end.After(m.latest.At) {
			end = m.latest.At
		}
	}
	return sources.View{Window: w, End: end, Points: m.points(), Rows: m.topRows()}
}

// topRows is how many rows a zoomed top table shows (its height less the
// border and the column heads); 0 when no top table is zoomed.
func (m Model) topRows() int {
	if m.zoomed && m.focus >= 0 && m.focus < len(m.rects) && m.slots[m.focus].kind.tableRows {
		return max(m.rects[m.focus].h-3, 0)
	}
	return 0
}

// points is the widest chart's resolution in dots, so a chart gets one
// point per dot column and no more.
func (m Model) points() int {
	n := 0
	for i, s := range m.slots {
		if s.kind.timeAxis && i < len(m.rects) && m.rects[i].w > 0 {
			per := 2
			if m.o.ASCII {
				per = 1
			}
			n = max(n, (m.rects[i].w-2)*per)
		}
	}
	return n
}

func (m *Model) fetch() tea.Cmd {
	m.fetchSeq++
	return m.fetchCmd(m.fetchSeq)
}

// fetchCmd tells the provider the view when it changed, and returns the
// Cmd that reads a snapshot: it captures the provider and the view by
// value, as it runs on another goroutine and must not read the model.
func (m *Model) fetchCmd(seq int) tea.Cmd {
	p, v := m.p, m.syncView()
	return func() tea.Msg { return snapshotMsg{seq: seq, view: v, snap: p.Snapshot()} }
}

// syncView gives the provider the view when it is not the one last given,
// and returns it.
func (m *Model) syncView() sources.View {
	v := m.view()
	if !m.viewSet || !equalView(v, m.setView) {
		m.p.SetView(v)
		m.setView, m.viewSet = v, true
	}
	return v
}

func equalView(a, b sources.View) bool {
	return a.Window == b.Window && a.End.Equal(b.End) && a.Points == b.Points && a.Rows == b.Rows
}

func tick(d time.Duration, tag int) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{tag: tag} })
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := m.update(msg)
	return m, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width != m.w || msg.Height != m.h {
			m.w, m.h = msg.Width, msg.Height
			m.relayout()
		}
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark())
	case tickMsg:
		if msg.tag != m.tickTag {
			break // a tick from a loop that was replaced
		}
		m.tickTag++
		m.ageNotice()
		cmd = tea.Batch(m.fetch(), tick(m.o.Refresh, m.tickTag))
	case SnapshotMsg:
		if !m.o.Ticked || msg.Snap == nil {
			break
		}
		m.ageNotice()
		switch {
		case !m.viewSet || !equalView(msg.Snap.View, m.setView):
			// taken over a view no longer shown: read one over the new
			cmd = m.fetch()
		case m.latest != nil && msg.Snap.At.Before(m.latest.At) && sameEpoch(msg.Snap, m.latest):
			// older than what a fetch brought meanwhile (a replay's clock
			// goes back only with a new epoch)
		default:
			m.applySnapshot(snapshotMsg{seq: m.gotSeq, view: msg.Snap.View, snap: msg.Snap})
			if !equalView(m.view(), m.setView) {
				cmd = m.fetch() // a view anchored on now moved on with it
			}
		}
	case snapshotMsg:
		m.applySnapshot(msg)
	case ackedMsg:
		cmd = m.fetch()
	case noticeExpiredMsg:
		if msg.seq == m.noticeSeq {
			m.status.SetNotice("")
			m.dirty = true
		}

	case tea.KeyPressMsg:
		cmd = m.handleKey(msg)
	case tea.MouseClickMsg:
		if m.o.Mouse {
			m.click(msg.X, msg.Y)
		}
	case tea.MouseWheelMsg:
		if m.o.Mouse {
			cmd = m.wheel(msg)
		}
	}
	if m.later != nil {
		cmd, m.later = tea.Batch(cmd, m.later), nil
	}
	if m.dirty {
		m.frame = m.render()
		m.dirty = false
	}
	return m, cmd
}

func (m *Model) applySnapshot(msg snapshotMsg) {
	if msg.snap == nil || msg.seq < m.gotSeq {
		return // an older fetch finished after a newer one
	}
	m.gotSeq = msg.seq
	m.noteReplay(m.latest, msg.snap)
	m.latest = msg.snap
	m.learnMilestones(msg.snap)
	if k := shapeKey(msg.snap); k != m.shape {
		// First snapshot, or an indicator or source appeared: the default
		// layout follows the data, and a configured one learns which
		// indicators are the key ones.
		m.shape = k
		c := m.o.Layout
		if len(c.Rows) == 0 {
			c = DefaultLayout(msg.snap)
		}
		m.buildSlots(c, msg.snap)
	}
	if big := pane.BigClock(msg.snap); big != m.bigClock {
		// the big clock's rows go to the panes while it has nothing to
		// count (no schedule, or the last stage's window closed)
		m.bigClock = big
		m.relayout()
	}
	// the bars always show the newest snapshot
	for _, b := range m.bars {
		if b.SetSnapshot(msg.snap) {
			m.dirty = true
		}
	}
	// Paused, the panes keep their snapshot — unless the person asked for
	// a different view (window, milestone), which they should then see.
	if !m.paused || m.shown == nil || !sameView(msg.view, m.shownView) {
		m.show(msg.snap, msg.view)
	}
}

func sameView(a, b sources.View) bool {
	return a.Window == b.Window && a.End.Equal(b.End) && a.Rows == b.Rows
}

func (m *Model) show(s *sources.Snapshot, v sources.View) {
	m.shown, m.shownView = s, v
	m.feed(s)
	m.updateBadges()
}

// feed hands s to the panes of the body, and marks the frame for
// redrawing when one of them changed.
func (m *Model) feed(s *sources.Snapshot) {
	for _, sl := range m.slots {
		if sl.kind.bar == noBar && sl.pane.SetSnapshot(s) {
			m.dirty = true
		}
	}
}

func (m *Model) updateBadges() {
	var at time.Time
	if m.paused && m.shown != nil {
		at = m.shown.At
	}
	m.header.SetPaused(m.paused, at)
	m.header.SetWindow(m.o.Windows[m.windowIdx], m.end)
	m.dirty = true
}

// learnMilestones remembers every stage end a snapshot mentions, so `m`
// can step back further than the snapshot's own Prev.
func (m *Model) learnMilestones(s *sources.Snapshot) {
	add := func(t time.Time) {
		if t.IsZero() {
			return
		}
		i, found := slices.BinarySearchFunc(m.milestones, t, func(a, b time.Time) int { return a.Compare(b) })
		if !found {
			m.milestones = slices.Insert(m.milestones, i, t)
		}
	}
	for _, ms := range []*sources.Milestone{s.Prev, s.Current, s.Next} {
		if ms != nil {
			add(ms.At)
		}
	}
	for _, mk := range s.Markers {
		add(mk.At)
	}
	const keep = 512
	if len(m.milestones) > keep {
		m.milestones = slices.Delete(m.milestones, 0, len(m.milestones)-keep)
	}
}

// View returns the cached frame; Update rebuilt it if anything changed.
func (m Model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	if m.o.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// sameEpoch says whether a and b are of one run of the clock: live, or
// the same stretch of a replay (a seek back starts a new one).
func sameEpoch(a, b *sources.Snapshot) bool {
	if a.Replay == nil || b.Replay == nil {
		return a.Replay == b.Replay
	}
	return a.Replay.Epoch == b.Replay.Epoch
}
