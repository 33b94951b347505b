package sources

import (
	"math"
	"time"
)

// Phase is where an instant sits relative to the stage-milestone schedule.
type Phase string

const (
	PhaseNormal      Phase = "normal"      // far from any stage end
	PhaseApproaching Phase = "approaching" // within the window before a stage end
	PhaseHot         Phase = "hot"         // the first minutes after a stage end: the flood
	PhaseCooling     Phase = "cooling"     // after HOT until the window closes
)

// Milestone is one stage end with its window.
type Milestone struct {
	Event  string
	Stage  string
	At     time.Time     // the stage end
	Before time.Duration // approaching starts at At-Before
	Hot    time.Duration // HOT lasts [At, At+Hot)
	After  time.Duration // cooling lasts until At+After
}

// Indicator is one judged number: a stat pane shows Value, State and Spark;
// a chart shows Series with Warn/Crit lines.
type Indicator struct {
	Name  string // stable id, e.g. nginx.qps, app.db, prom.db_conn
	Title string // what a person reads, e.g. "QPS", "slow ‱", "499/s"
	// Key marks the indicators that go wrong first when users flood in
	// (requests, slow responses, 499s, database errors): the screen keeps
	// them in sight at any size and charts them.
	Key    bool
	Value  Value // the current reading (Health says whether it is current)
	State  State
	Reason string  // the rule's short why for the state (e.g. "above crit 5/s")
	Warn   float64 // NaN when the rule has none
	Crit   float64
	Below  bool // trouble is under Warn and Crit (the rule's direction), not over
	// Pending is the worse state the indicator is on its way to: its
	// rule's condition holds but has not lasted the rule's `for` yet;
	// StateUnknown when none. PendingAt is when it fires if the condition
	// keeps holding.
	Pending   State
	PendingAt time.Time
	Series    Series // the window, oldest first
	Secondary Series // optional overlay (e.g. the same window at the previous milestone)
	// Driver, for an access log's indicator whose requests can be told
	// apart by path and client (QPS, slow, 499, 5xx), is what drives them
	// now (see Driver); nil for the others and for a log kept without
	// detail.
	Driver *Driver
}

// PendingIn is how long until Pending fires, seen at instant at, rounded
// up to a whole second (a count-down never says 0s before it fires);
// false when nothing is pending.
func (in Indicator) PendingIn(at time.Time) (time.Duration, bool) {
	if in.Pending == StateUnknown {
		return 0, false
	}
	d := in.PendingAt.Sub(at)
	if r := d % time.Second; r > 0 {
		d += time.Second - r
	}
	return max(d, 0), true
}

// Beyond is the worst threshold the current value is past, on the
// rule's side of it: StateCrit, StateWarn, or StateOK when neither (or
// there is no value). A value judged ok while Beyond says otherwise is
// held by something — a pending `for`, a noise floor — and must not look
// fine.
func (in Indicator) Beyond() State {
	v := in.Value.Value
	past := func(t float64) bool {
		if in.Below {
			return v < t
		}
		return v > t
	}
	switch {
	case math.IsNaN(v):
		return StateOK
	case !math.IsNaN(in.Crit) && past(in.Crit):
		return StateCrit
	case !math.IsNaN(in.Warn) && past(in.Warn):
		return StateWarn
	}
	return StateOK
}

// TopRow is one heavy talker.
type TopRow struct {
	Key     string // already sanitized
	Count   uint64
	AtLeast bool // Count is a lower bound: the window had more keys than its tables hold exactly
	// Max, with AtLeast, is the most the key can have made; its 499s and
	// slow requests may be up to Max − Count above theirs too. 0: unknown.
	Max  uint64
	S499 uint64
	Slow uint64
	S5xx uint64
}

// SetColumn sets the count a hosts table's query column gives: "req"
// (requests), "499", "slow" or "5xx"; another name is left alone.
func (r *TopRow) SetColumn(col string, n uint64) {
	switch col {
	case "req":
		r.Count = n
	case "499":
		r.S499 = n
	case "slow":
		r.Slow = n
	case "5xx":
		r.S5xx = n
	}
}

// TopTable is a top-K list over a window.
type TopTable struct {
	Title    string // "IPs", "paths"
	Window   time.Duration
	Rows     []TopRow
	Distinct uint64 // distinct keys in the window (estimate); 0 when unknown
	Exact    bool
}

// LogLine is one matching application-log message, already sanitized:
// the latest of Count entries that read alike (see applog's fold).
type LogLine struct {
	At      time.Time // the latest entry's
	Pattern string    // the patterns it matched, comma-separated
	Text    string
	// Msg is the byte offset in Text where the message starts: the error
	// class or the matched words, past the stamp, level, logger and ids
	// a line cut to a narrow pane can do without.
	Msg int
	// KeyFrom and KeyTo (byte offsets, Msg ≤ KeyFrom ≤ KeyTo ≤ len(Text))
	// span the pattern's match, widened to whole words — what a cut line
	// keeps in sight ("read ECONNRESET"). KeyTo 0: not found in Text (the
	// match was in a stack frame not shown).
	KeyFrom, KeyTo int
	Count          uint64 // entries folded into the line; 0 reads as 1
	// Lead is how many bytes at the start of Text a cut line keeps
	// whatever else it drops: the host a fleet's line came from ("api-2 ").
	// Msg, KeyFrom and KeyTo are at or past it.
	Lead int
}

// PatternCount is one named pattern's activity.
type PatternCount struct {
	Name      string
	PerMin    float64 // over the last minute
	Total     uint64
	LastAt    time.Time
	Indicator string // indicator name it feeds
	Pack      bool   // a pack's count: every entry any of its patterns matched, once
	Group     string // the pack a pattern came from ("" for the user's own and for a pack)
}

// LogView is what a log pane shows for one application-log source.
type LogView struct {
	Source   string
	Lines    []LogLine // the latest seen last, bounded
	Patterns []PatternCount
}

// SourceStatus is one source's freshness for the status bar.
type SourceStatus struct {
	Name     string
	Kind     string // nginx, applog, prom, schedule
	Health   Health
	Detail   string // short sanitized reason when not ok; a note when ok
	Note     string // short sanitized label shown when there is room, ok or not (an access log's format)
	Polled   bool   // the source is polled, and can be at once (the r key): Prometheus
	LastData time.Time
}

// Transition is one change of an indicator's state: what the timeline
// keeps and every output (timeline file, notifications, webhooks, reports,
// `watch`) writes. It carries what an output needs to say it as the screen
// does: the unit of Value and Threshold, the rule's reason, and At in the
// event's zone.
type Transition struct {
	At        time.Time // in the event's zone: the schedule's time_zone, else the machine's
	Indicator string
	From, To  State
	Value     float64 // the value judged; NaN when there was none (absent, stale, error)
	Threshold float64 // the level crossed; NaN when none
	Unit      Unit    // of Value and Threshold ("" when the indicator has none)
	Phase     Phase
	Milestone string // the milestone the phase belongs to; "" in normal
	Reason    string // short, for people, thresholds in the unit: "above crit 20‱", "no data for 1m"
	Acked     bool
	// Driver, for a change of an access log's indicator into warn or
	// crit, is what drove it at that instant (see Indicator.Driver).
	Driver *Driver
}

// ProcessStats is warroom's own footprint, shown so the engineer can trust it.
type ProcessStats struct {
	RSSBytes uint64
	CPU      float64 // fraction of one core over the last interval
}

// Snapshot is an immutable copy of everything the screen shows, taken once
// per refresh tick by the data layer. Consumers must not modify it.
type Snapshot struct {
	At         time.Time
	Event      string
	Zone       *time.Location // the event's time zone (nil: local)
	Phase      Phase
	Current    *Milestone // the milestone whose window contains At, if any
	Next       *Milestone
	Prev       *Milestone
	Markers    []Milestone // milestones within the longest window, for charts
	Indicators []Indicator // in display order
	Tops       []TopTable
	Logs       []LogView
	Sources    []SourceStatus
	Timeline   []Transition // newest last, bounded
	Unacked    int          // unacknowledged crit transitions
	Self       ProcessStats
	Window     time.Duration // the time window the series cover
	WindowEnd  time.Time     // end of the window (At unless the view is moved to a milestone)
	View       View          // the view it was taken for, as set (SetView)
	// FirstCrit is the first transition into crit at or after Current's
	// stage end while its window is open (HOT, cooling): where the flood
	// first broke something. nil before the end, outside a window, or
	// when nothing went crit since (as far as Timeline reaches back).
	FirstCrit *Transition
	// Replay is the replay clock's pace when the snapshot is of a past
	// night (`warroom replay`); nil when live.
	Replay *ReplayState
}

// Worst is the worst state among the indicators (crit > error > warn > stale > ok).
func (s *Snapshot) Worst() State {
	rank := map[State]int{StateUnknown: 0, StateOK: 1, StateStale: 2, StateWarn: 3, StateError: 4, StateCrit: 5}
	worst := StateUnknown
	for _, in := range s.Indicators {
		if rank[in.State] > rank[worst] {
			worst = in.State
		}
	}
	return worst
}

// Pending counts the indicators on their way to a worse state (see
// Indicator.Pending) and names the worst state they are heading to.
func (s *Snapshot) Pending() (n int, to State) {
	for _, in := range s.Indicators {
		if in.Pending == StateUnknown {
			continue
		}
		n++
		if in.Pending == StateCrit || to == StateUnknown {
			to = in.Pending
		}
	}
	return n, to
}

// Indicator returns the indicator with the given name.
func (s *Snapshot) Indicator(name string) (Indicator, bool) {
	for _, in := range s.Indicators {
		if in.Name == name {
			return in, true
		}
	}
	return Indicator{}, false
}

// View is what a consumer asks a snapshot to cover.
type View struct {
	Window time.Duration // span of the series; 0: 15m
	End    time.Time     // end of the span; zero: live (the snapshot's At)
	Points int           // points wanted per series (a chart's width); 0: 120
	Rows   int           // rows a top table is shown in (a zoomed one); 0: the default
}

// Provider is the data layer as its consumers (the screen, snapshot,
// watch) see it. Data flows one way: a consumer says what it shows with
// SetView when that changes (its window, zoom or size), never on a tick;
// Snapshot only reads — a fresh immutable copy of the last tick's state
// over the view set — and a screen is pushed one on every tick. All are
// safe from any goroutine and return at once.
type Provider interface {
	SetView(v View)
	Snapshot() *Snapshot
	Ack()     // acknowledge every transition so far
	Refresh() // poll pollable sources (Prometheus) now
}
