package ui

import "warroom/ui/pane"

// Pane kinds a layout may name.
const (
	KindHeader   = "header"
	KindStat     = "stat"
	KindWhere    = "where"
	KindChart    = "chart"
	KindTop      = "top"
	KindLog      = "log"
	KindTimeline = "timeline"
	KindStatus   = "status"
)

// Kinds lists every pane kind, in the order error messages and docs name
// them.
var Kinds = []string{KindHeader, KindStat, KindWhere, KindChart, KindTop, KindLog, KindTimeline, KindStatus}

// paneKind is what the root model knows of one kind of pane: how to build
// one from its config, which config fields it takes, and how it gives way
// on a small screen. Everything else is the pane's own.
type paneKind struct {
	// new builds a pane; nil for the bars, which the root keeps across
	// layouts (they hold the notice, the key hints, the paused badge).
	new func(c PaneConfig, o pane.Options) pane.Pane
	// takes lists the config fields the kind reads besides kind and weight.
	takes []string
	// check says what is missing or wrong in a config of this kind; nil
	// when it needs nothing.
	check func(c PaneConfig) *configProblem

	// Layout: the smallest size it is still useful at, the most rows it
	// uses (0: no limit), and its importance when rows must give way —
	// keyMinH and keyPrio when it shows a key indicator (0: the same).
	minW, minH, maxH int
	keyMinH          int
	prio, keyPrio    int

	// bar: a line across the screen (header, status): never focused or
	// dropped, alone in its row, one of a kind, fed the newest snapshot
	// even while the panes are paused, and placed at its edge when the
	// layout leaves it out. rows is its height, bigRows its height when the
	// screen has room for the big countdown.
	bar           edge
	rows, bigRows int

	// timeAxis: it draws the window left to right, so it asks for a point
	// per dot column, and the mouse wheel over it widens or narrows the
	// window.
	timeAxis bool
	// tableRows: zoomed, it asks for as many rows as it has room for.
	tableRows bool
}

// edge is where a bar belongs; noBar for the panes of the body.
type edge int

const (
	noBar edge = iota
	topBar
	bottomBar
)

// registry is every pane kind. A new kind is a pane in ui/pane and an
// entry here.
var registry = map[string]paneKind{
	KindHeader: {bar: topBar, rows: 1, bigRows: 3},
	KindStatus: {bar: bottomBar, rows: 1, bigRows: 1},
	KindStat: {
		new:   func(c PaneConfig, o pane.Options) pane.Pane { return pane.NewStat(c.Indicator, o) },
		takes: []string{"indicator"}, check: checkStat,
		// a key stat keeps its sparkline (4 rows); the others may show
		// just their value (3), so a second row of stats — Prometheus
		// among them — still fits 80×24 under the where line
		minW: 14, minH: 3, maxH: 5, keyMinH: 4, prio: 42, keyPrio: prioKey,
	},
	// The where line is as important as the key stats it explains: never
	// dropped for another pane, and one line at most unless zoomed.
	KindWhere: {
		new:  func(_ PaneConfig, o pane.Options) pane.Pane { return pane.NewWhere(o) },
		minW: 20, minH: 1, maxH: 1, prio: prioKey,
	},
	KindChart: {
		new:   func(c PaneConfig, o pane.Options) pane.Pane { return pane.NewChart(c.names(), o) },
		takes: []string{"indicator", "indicators"}, check: checkChart,
		minW: 30, minH: 7, prio: 40, keyPrio: 50,
		timeAxis: true,
	},
	KindTop: {
		new:   func(c PaneConfig, o pane.Options) pane.Pane { return pane.NewTop(c.Table, o) },
		takes: []string{"table"},
		minW:  28, minH: 5, prio: 30,
		tableRows: true,
	},
	KindLog: {
		new:   func(c PaneConfig, o pane.Options) pane.Pane { return pane.NewLog(c.Source, o) },
		takes: []string{"source"},
		minW:  30, minH: 5, prio: 45,
	},
	KindTimeline: {
		new:  func(_ PaneConfig, o pane.Options) pane.Pane { return pane.NewTimeline(o) },
		minW: 30, minH: 5, prio: 45,
	},
}

// slot holds one pane of the layout.
type slot struct {
	cfg  PaneConfig
	kind paneKind
	pane pane.Pane
	key  bool // shows a key indicator
}

// item describes the slot to the arranger: minimum size, importance.
func (s *slot) item(i, weight int) item {
	k := s.kind
	it := item{slot: i, weight: max(weight, 1), minW: k.minW, minH: k.minH, maxH: k.maxH, prio: k.prio}
	if s.key && k.keyPrio > 0 {
		it.prio = k.keyPrio
	}
	if s.key && k.keyMinH > 0 {
		it.minH = k.keyMinH
	}
	return it
}

// focusable is false for the bars.
func (s *slot) focusable() bool { return s.kind.bar == noBar }

func (s *slot) setFocus(f bool) {
	if f {
		s.pane.Focus()
	} else {
		s.pane.Blur()
	}
}
