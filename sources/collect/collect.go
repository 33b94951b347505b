// Package collect is the data layer's heart: it runs every configured
// source (access logs, application logs, Prometheus), judges their current
// indicators against the rules on every refresh tick — whether or not a
// screen is looking — and hands consumers (the TUI, `warroom snapshot`,
// `warroom watch`, `demo`) immutable snapshots through sources.Provider.
//
// Current values are computed over a short trailing span of complete
// seconds that lags the clock a little, because nginx writes lines late
// (access_log buffer=32k flush=5s): the second being written now would
// always read low. A value carries the time it was true — the newest line's
// time for an access log — so a silent log keeps an old At and the rules'
// `absent` fires; nothing old is ever presented as current.
package collect

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// Defaults for Options fields left zero.
const (
	DefaultRefresh  = time.Second
	DefaultTimeline = 1000
	// DefaultLag is how far behind the clock current values end: lines of
	// the last seconds may still sit in nginx's write buffer.
	DefaultLag = 2 * time.Second
	// DefaultSpan is the trailing span a current rate or ratio covers.
	DefaultSpan = 10 * time.Second
	// DefaultTopSpan caps the window of the top-talker tables: the
	// widest the screen offers.
	DefaultTopSpan = 24 * time.Hour
	// DefaultTopN is how many rows a top table keeps.
	DefaultTopN = 10
	// DefaultReportTimeout is how long a report waits for the fleet
	// sources' top tables: a VictoriaLogs table over a big fleet's
	// window takes seconds (see vlogs.MinDetailTimeout).
	DefaultReportTimeout = time.Minute
)

// Options configure a Collector. Sources are built by the caller (they do
// no IO until Run); the collector runs and reads them.
type Options struct {
	Nginx []*nginx.Source
	Apps  []*applog.Source
	Prom  *prom.Querier // nil: none
	// Sources are further inputs of kinds not built in (see Source),
	// after the access logs, application logs and Prometheus.
	Sources  []Source
	Schedule func() *schedule.Schedule // nil or returns nil: no schedule (phase normal)
	// ScheduleErr reports a problem with the schedule file (a Loader's Err)
	// for the status bar; optional.
	ScheduleErr func() error
	Rules       watch.Rules // the caller applies watch.WithDefaults
	// Format, optional, writes a value in its unit as the screen does
	// (units.Format), for the thresholds in rules' reasons; nil: %g.
	Format   func(v float64, u sources.Unit) string
	Refresh  time.Duration // tick; default 1s
	Now      func() time.Time
	Timeline int // transitions kept; default 1000
	// Sinks are the outputs (timeline file, `watch`'s JSON lines, the
	// notifier): each is given every tick's transitions, and a failing one
	// shows in the snapshot's Sources like a failing source.
	Sinks []sources.Sink
	Self  func() sources.ProcessStats // optional; nil: zero
	// OnTick, optional, is called on Run's goroutine after each tick, so
	// a screen can fetch right after the values it shows were judged
	// (one wake-up a second instead of two); it must not block.
	OnTick func()

	Lag     time.Duration // default DefaultLag
	Span    time.Duration // default DefaultSpan
	TopSpan time.Duration // default DefaultTopSpan
	TopN    int           // default DefaultTopN

	// ReplayFrom and ReplayTo are a replay's clock when the config reads
	// no log file (engines alone: VictoriaLogs, Prometheus): it ticks
	// every second of [ReplayFrom, ReplayTo]. Unused when there are
	// files: their lines are the clock.
	ReplayFrom, ReplayTo time.Time

	// ReportsDir, when set, receives a Markdown report of each milestone
	// window when a tick passes its end (plus Lag): <event>-<stage>.md,
	// see report.FileName. Created when missing.
	ReportsDir string
	// OnReport, optional, is told of each report written (path) or not
	// (err), on the goroutine that wrote it. A report that could not be
	// written also shows in the snapshot's Sources until one is.
	OnReport func(path string, err error)
	// ReportTimeout bounds the asking of fleet sources for a report's top
	// tables (ReportTabled); default DefaultReportTimeout. A source that
	// has not answered by then is named in the report as missing.
	ReportTimeout time.Duration
}

// Collector runs the sources and the rules. Tick, Snapshot, Ack and
// Refresh are safe to call from any goroutine.
type Collector struct {
	o      Options
	srcs   []Source // every source: the built-in kinds wrapped, then Options.Sources
	specs  []spec   // every indicator the sources provide, in source order
	nind   []int    // indicators of each source
	byName map[string]int
	shown  []int // indexes into specs, in display order

	tickMu sync.Mutex // serializes Tick (the engine is not concurrent)
	// replaying: a ReplayCursor ticks this collector (transitions' drivers
	// are fetched at their tick, see ReplayDrivers)
	replaying bool
	engine    *watch.Engine
	tl        *watch.Timeline

	mu       sync.Mutex // guards the fields below
	lastAt   time.Time
	values   []sources.Value // aligned with specs, as of lastAt
	status   map[string]watch.Status
	runErrs  map[string]string // source name → error its Run returned
	runCtx   context.Context
	view     sources.View  // as set (SetView)
	viewSet  bool          // a consumer set one: ticks prefetch for it
	win      time.Duration // the view the sources were last told (Viewed)
	winWidth int
	// trDrivers are what drove the timeline's changes into warn or crit
	// of access-log indicators, taken on the tick they happened.
	trDrivers map[trDriverKey]*sources.Driver

	refreshing atomic.Bool
	cache      snapCache // see snapshot.go

	// reports: guarded by tickMu
	reportTick time.Time
	reported   map[reportKey]bool
	reports    sync.WaitGroup     // reports being written
	reportSink *sources.SinkState // the latest report's fate, for the status bar
}

// New checks the options and prepares a collector; it does no IO.
func New(o Options) (*Collector, error) {
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeline <= 0 {
		o.Timeline = DefaultTimeline
	}
	if o.Lag < 0 {
		return nil, errors.New("collect: negative lag")
	}
	if o.Lag == 0 {
		o.Lag = DefaultLag
	}
	if o.Span <= 0 {
		o.Span = DefaultSpan
	}
	o.Span = max(o.Span.Truncate(time.Second), time.Second)
	if o.TopSpan <= 0 {
		o.TopSpan = DefaultTopSpan
	}
	if o.TopN <= 0 {
		o.TopN = DefaultTopN
	}
	if o.ReportTimeout <= 0 {
		o.ReportTimeout = DefaultReportTimeout
	}
	c := &Collector{o: o, runErrs: map[string]string{}, reported: map[reportKey]bool{}, status: map[string]watch.Status{},
		reportSink: sources.NewSinkState("reports", "reports")}
	var logs []*nginxSource
	for i, s := range o.Nginx {
		if len(o.Nginx) > 1 && s.Name() == AllName {
			return nil, fmt.Errorf("collect: access log %q: with several access logs %q is their sum (all.qps, ...): give this one another name", s.Name(), AllName)
		}
		logs = append(logs, newNginxSource(i, s, len(o.Nginx) > 1))
	}
	if len(logs) > 1 {
		c.srcs = append(c.srcs, newAllSource(logs))
	}
	for _, l := range logs {
		c.srcs = append(c.srcs, l)
	}
	for i, s := range o.Apps {
		c.srcs = append(c.srcs, newAppSource(i, s, len(o.Apps) > 1))
	}
	if o.Prom != nil {
		c.srcs = append(c.srcs, newPromSource(o.Prom, o.Now, o.Refresh))
	}
	c.srcs = append(c.srcs, o.Sources...)
	for p, src := range c.srcs {
		c.nind = append(c.nind, len(src.Indicators()))
		for i, is := range src.Indicators() {
			c.specs = append(c.specs, spec{name: is.Name, title: is.Title, unit: is.Unit, show: is.Show, key: is.Key, plug: p, own: i})
		}
	}
	c.byName = make(map[string]int, len(c.specs))
	for i, s := range c.specs {
		if _, dup := c.byName[s.name]; dup {
			return nil, fmt.Errorf("collect: two sources provide indicator %q: give them different names", s.name)
		}
		c.byName[s.name] = i
	}
	names := make([]string, len(c.specs))
	for i, sp := range c.specs {
		names[i] = sp.name
	}
	if err := o.Rules.CheckIndicators(c.Known, names); err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	o.Rules = o.Rules.Expand(names) // the caller's, usually, already
	c.o.Rules = o.Rules
	e, err := watch.NewEngine(o.Rules)
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	if o.Format != nil {
		e.SetFormat(func(indicator string, v float64) string {
			if i, ok := c.byName[indicator]; ok {
				return o.Format(v, c.specs[i].unit)
			}
			return o.Format(v, "")
		})
	}
	c.engine, c.tl = e, watch.NewTimeline(o.Timeline)
	c.shown = displayOrder(c.specs, o.Rules)
	return c, nil
}

// Known reports whether name is an indicator the collector's sources
// provide (for rules.CheckIndicators and watch.WithDefaults).
func (c *Collector) Known(name string) bool {
	_, ok := c.byName[name]
	return ok
}

// Indicators lists the names of the indicators a snapshot shows, in
// display order (the key indicators first).
func (c *Collector) Indicators() []string {
	out := make([]string, len(c.shown))
	for i, k := range c.shown {
		out[i] = c.specs[k].name
	}
	return out
}

// Run starts every source and the Prometheus querier, and ticks every
// Refresh until ctx ends. A source whose Run fails is reported in the
// snapshot's Sources; the others go on. Run returns nil when ctx ends.
func (c *Collector) Run(ctx context.Context) error {
	c.mu.Lock()
	c.runCtx = ctx
	c.mu.Unlock()
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Go(func() {
			if err := guard(ctx, f); err != nil && ctx.Err() == nil {
				c.mu.Lock()
				c.runErrs[name] = err.Error()
				c.mu.Unlock()
			}
		})
	}
	for _, s := range c.srcs {
		run(s.Name(), s.Run)
	}
	t := time.NewTicker(c.o.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			c.reports.Wait()
			return nil
		case <-t.C:
			c.Tick(c.o.Now())
			if c.o.OnTick != nil {
				c.o.OnTick()
			}
		}
	}
}

// guard runs a source, turning a panic into its error: a bug that one
// log line or server answer trips stops that source — its indicators and
// its status-bar entry say so — while the screen and the other sources go
// on. The error keeps the panic's place in the code for the bug report.
func guard(ctx context.Context, f func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("crashed: %v (a warroom bug, at %s)", r, panicSite())
		}
	}()
	return f(ctx)
}

// panicSite is where the panic being recovered was raised, as
// package-dir/file.go:line: called from the deferred recover, the first
// frame past the runtime's panic machinery.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	inPanic := false
	for {
		fr, more := frames.Next()
		switch {
		case fr.Function == "runtime.gopanic":
			inPanic = true
		case inPanic && !strings.HasPrefix(fr.Function, "runtime."):
			return filepath.Base(filepath.Dir(fr.File)) + "/" + filepath.Base(fr.File) + ":" + strconv.Itoa(fr.Line)
		}
		if !more {
			return "an unknown place"
		}
	}
}

// Ack acknowledges every transition so far.
func (c *Collector) Ack() { c.tl.AckAll() }

// Refresh polls every source that can be polled (Prometheus) now,
// without waiting for the answers (they show in a later snapshot). A
// refresh already under way makes this a no-op.
func (c *Collector) Refresh() {
	var rs []Refreshable
	for _, s := range c.srcs {
		if r, ok := s.(Refreshable); ok {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 || !c.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.mu.Lock()
	ctx := c.runCtx
	c.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	go func() {
		defer c.refreshing.Store(false)
		ctx, cancel := context.WithTimeout(ctx, prom.MaxDeadline)
		defer cancel()
		var wg sync.WaitGroup
		for _, r := range rs {
			wg.Go(func() { r.Refresh(ctx) })
		}
		wg.Wait()
	}()
}
