package collect

import (
	"context"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/report"
)

// Source is one input the collector runs and judges. Access logs,
// application logs and Prometheus are built in (Options.Nginx, Apps and
// Prom are wrapped into Sources); another kind implements Source, and
// whichever optional interfaces below fit it, and is given in
// Options.Sources: neither the collector nor the screen has a case for
// any kind.
type Source interface {
	// Name is the source's name: in the status bar, and the name its
	// error goes by when Run fails.
	Name() string
	// Run reads the source until ctx ends.
	Run(ctx context.Context) error
	// Indicators lists what the source provides, fixed once it is built.
	Indicators() []IndicatorSpec
	// Values reads every indicator's current value at a tick, aligned
	// with Indicators. A value no longer true at t.End says so through
	// its Health (stale, unknown): it is never shown as current.
	Values(t TickInfo) []sources.Value
	// Series is indicator i over [q.From, q.End) at q.Step, buckets
	// aligned to multiples of the step.
	Series(i int, q SeriesQuery) sources.Series
	// Status is the source's entries for the status bar.
	Status(t TickInfo) []sources.SourceStatus
}

// IndicatorSpec is one indicator a source provides.
type IndicatorSpec struct {
	Name  string // stable id: <source>.<metric>
	Title string // what a person reads: "QPS", "DB err/min"
	Unit  sources.Unit
	Show  bool // shown without a rule naming it
	// Key: the source puts it among the key indicators (see
	// keyIndicators): requests, slow responses, 499s, database errors.
	Key bool
}

// TickInfo is what a source is told when it is read.
type TickInfo struct {
	At     time.Time      // the instant judged
	End    time.Time      // where current values end: At less the lag
	Span   time.Duration  // the trailing span a current rate covers
	Lag    time.Duration  // how far End lags the clock (lines still in nginx's buffer)
	Zone   *time.Location // the event's zone, for any time a reason names
	RunErr string         // why the source's Run failed; "" while it runs
}

// SeriesQuery is the span a series covers.
type SeriesQuery struct {
	From, End time.Time
	Step      time.Duration
	At        time.Time // the snapshot's instant
	Live      bool      // the view follows the clock (End is At less the lag)
}

// Versioned is a Source whose series change only when Version does: the
// collector then reuses the last second's while it stays the same.
type Versioned interface {
	Version() uint64
}

// Overlaid is a Source whose indicators can be read over an earlier span,
// for the previous milestone's overlay. Shifted only reads what the
// source holds: a snapshot never waits or asks a server.
type Overlaid interface {
	Shifted(i int, q ShiftedQuery) sources.Series
}

// ShiftedFetcher is an Overlaid source that must ask a server for an
// earlier span: FetchShifted starts that request (and returns at once)
// when what it holds does not cover q. The collector calls it when the
// view is set and on every tick.
type ShiftedFetcher interface {
	FetchShifted(i int, q ShiftedQuery)
}

// ShiftedQuery is an earlier span: [From, End) at Step, for the overlay
// named Key (the same key, the same overlay); At is the snapshot's
// instant.
type ShiftedQuery struct {
	Key       string
	From, End time.Time
	Step      time.Duration
	At        time.Time
}

// Tabled is a Source that knows its heaviest keys (top talkers) and what
// drives its indicators.
type Tabled interface {
	// Tops are its top tables over [from, end), n rows each; version is
	// read before, for the collector's cache (see Versioned).
	Tops(from, end time.Time, n int) []sources.TopTable
	// Drivers is what drives each indicator's requests over [from, end),
	// aligned with Indicators: nil where an indicator has none.
	Drivers(from, end time.Time) []*sources.Driver
}

// Totaled is a Source that counts its requests, 499s, slow requests and
// 5xx answers over a span (an access log; one per host when each host's
// log is its own source): with two or more, the collector ranks them in a
// table — which host is the bad one. ok false: no count for the span.
type Totaled interface {
	Totals(from, end time.Time) (r sources.TopRow, ok bool)
}

// Summed is a Source kept as per-second counts rather than a log's
// counters (a VictoriaLogs stream): a milestone report sums it like an
// access log — totals, peaks, slow ratios, the worst minute. ok false when
// it does not hold every second of [from, to).
type Summed interface {
	Sum(from, to time.Time) (b nginx.Bucket, ok bool)
}

// ReportTabled is a Source whose top tables over a milestone's window
// are asked of a server when the report is written, as an access log's
// are read from its rings: a VictoriaLogs access stream's clients, paths
// and hosts, Prometheus presets' hosts. ReportTops is called on the
// goroutine writing the report, never on a tick, with a ctx that ends
// within Options.ReportTimeout; it returns each set of tables it has (n
// rows each) or why one is missing, and nil when it has none.
type ReportTabled interface {
	ReportTops(ctx context.Context, from, to time.Time, n int) []report.Fetched
}

// AppCounted is a Source that counts an application log's patterns and
// packs beside the built-in app logs (a VictoriaLogs app stream), for the
// milestone report's DB errors: ok false for a name it does not count or
// a span it does not hold whole.
type AppCounted interface {
	Count(name string, from, to time.Time) (uint64, bool)
}

// Logged is a Source with lines to show (an application log's errors).
type Logged interface {
	LogView(end time.Time) sources.LogView
}

// Viewed is a Source told the screen's view: its window and the points
// a chart wants (Prometheus sizes its range queries to it).
type Viewed interface {
	SetView(window time.Duration, points int)
}

// Refreshable is a Source that can be polled at once (the `r` key).
type Refreshable interface {
	Refresh(ctx context.Context)
}

// Replayed is a Source that keeps its history where a replay can read it
// (a Prometheus server): before each of a replay's ticks it is told the
// replay clock's instant and polls, synchronously, what is due at that
// instant by its own intervals — on the replay clock, not the wall's.
//
// An error says the source cannot read the night at `at` (its server
// does not answer now): the replay holds there (ReplayHeld) rather than
// judge the night on it, and the same tick is tried again when asked.
type Replayed interface {
	ReplayPoll(ctx context.Context, at time.Time) error
}

// ReplayDrivers is a Replayed source that can fetch what drove its
// indicators over a span at once: in a replay, a transition's driver is
// fetched at its tick (not taken from the last periodic fetch, which a
// screen's pace would decide).
type ReplayDrivers interface {
	DriversAt(ctx context.Context, from, end time.Time) []*sources.Driver
}
