// Package prom is warroom's Prometheus source: it evaluates the configured
// PromQL queries against one or more servers speaking the Prometheus HTTP
// API, on each query's own schedule, and keeps the answers as sources types
// (panes never see prometheus/common/model values).
//
// It is built to be honest overnight: every answer carries the time its
// values are true for, health is judged against an injected clock (an old
// value is stale, never current), server errors keep the server's words,
// range queries fetch only the new tail after one backfill, and no request
// can hang (deadlines, a body size cap, at most four requests in flight per
// server).
package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/config"
)

// Defaults for Options fields left zero.
const (
	DefaultRefresh      = 5 * time.Second
	DefaultWindow       = time.Hour
	DefaultWidth        = 120
	DefaultMaxInflight  = 4
	DefaultMaxBodyBytes = 32 << 20
	// MaxDeadline bounds every request, whatever the interval.
	MaxDeadline = 10 * time.Second
)

// Options are the querier's run-time settings.
type Options struct {
	// Now is the clock; required. Health and result times come from it.
	Now func() time.Time
	// Refresh is the interval for queries that configure none.
	Refresh time.Duration
	// Window and Width size range queries until SetWindow changes them:
	// Width is how many points across the chart draws.
	Window time.Duration
	Width  int
	// MaxInflight bounds concurrent requests per server (at most 4).
	MaxInflight int
	// MaxBodyBytes caps each response body.
	MaxBodyBytes int64
	// Zone, optional, is the event's zone: the times in health reasons
	// ("cached answer from 23:55:10 CST") are written in it. nil: this
	// machine's.
	Zone func() *time.Location
	// Logger receives health changes; secrets are scrubbed. Default: none.
	Logger *slog.Logger
	// WrapTransport, when set, wraps each server's HTTP transport (for
	// instrumentation and tests). It sees requests before the configured
	// credentials and headers are added, and bodies after the size cap.
	WrapTransport func(server string, rt http.RoundTripper) http.RoundTripper
}

// Querier evaluates the configured queries. Create it with New, start it
// with Run, read it with Snapshot.
type Querier struct {
	opts    Options
	queries []*query
	byName  map[string]*query
	presets []PresetConfig // defaults applied

	mu      sync.Mutex // guards every query's st, and running
	running bool
}

// query is one configured query at run time.
type query struct {
	cfg      QueryConfig
	srv      *server
	scrub    config.Scrubber
	legend   legend
	interval time.Duration
	deadline time.Duration

	run  sync.Mutex    // held while polling: a query never overlaps itself
	wake chan struct{} // SetWindow asks the loop to refetch now

	st queryState // guarded by Querier.mu
}

// queryState is what polling has learned so far.
type queryState struct {
	series          []keyedSeries // ranked and capped
	more            int
	warnings, infos []string
	at              time.Time // the time asked for: an instant query's, a range's last step
	evalAt          time.Time // the time an instant answer says it was evaluated for (converted.evalAt)
	fetchedAt       time.Time // last successful answer
	triedAt         time.Time // last attempt
	failHealth      sources.Health
	failMsg         string

	// range queries
	window  time.Duration
	width   int
	step    time.Duration
	lastEnd time.Time // last step fetched; zero means backfill next
	gen     uint64    // bumped by SetWindow so late answers are dropped
}

// New checks cfg (filling defaults left zero, as decoding would) and
// prepares the querier; it does no IO.
func New(cfg Config, opts Options) (*Querier, error) {
	if opts.Now == nil {
		return nil, errors.New("prom: Options.Now (the clock) is required")
	}
	cfg.Servers = append([]ServerConfig(nil), cfg.Servers...)
	cfg.Queries = append([]QueryConfig(nil), cfg.Queries...)
	cfg.Presets = append([]PresetConfig(nil), cfg.Presets...)
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("prom: config: %w", err)
	}
	if err := cfg.expand(nil); err != nil {
		return nil, fmt.Errorf("prom: config: %w", err)
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Width <= 0 {
		opts.Width = DefaultWidth
	}
	if opts.MaxInflight <= 0 || opts.MaxInflight > DefaultMaxInflight {
		opts.MaxInflight = DefaultMaxInflight
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Zone == nil {
		opts.Zone = func() *time.Location { return time.Local }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	servers := map[string]*server{}
	for _, s := range cfg.Servers {
		servers[s.Name] = newServer(s, opts.MaxInflight, opts.MaxBodyBytes, opts.WrapTransport)
	}
	q := &Querier{opts: opts, byName: map[string]*query{}, presets: cfg.Presets}
	for _, qc := range cfg.Queries {
		lg, _ := parseLegend(qc.Legend) // checked by Validate
		srv := servers[qc.Server]
		interval := qc.IntervalOr(opts.Refresh)
		qq := &query{
			cfg:      qc,
			srv:      srv,
			scrub:    config.Scrubber{URL: srv.cfg.URL, HTTP: srv.cfg.HTTP},
			legend:   lg,
			interval: interval,
			deadline: min(interval, MaxDeadline),
			wake:     make(chan struct{}, 1),
			st:       queryState{window: opts.Window, width: opts.Width},
		}
		q.queries = append(q.queries, qq)
		q.byName[qc.Name] = qq
	}
	return q, nil
}

// Run polls every query on its own goroutine and schedule until ctx ends.
func (q *Querier) Run(ctx context.Context) error {
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return errors.New("prom: Run called twice")
	}
	q.running = true
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.running = false
		q.mu.Unlock()
	}()
	var wg sync.WaitGroup
	for _, qq := range q.queries {
		wg.Go(func() { q.loop(ctx, qq) })
	}
	wg.Wait()
	return nil
}

// loop polls, then waits out the rest of the interval. A slow answer
// delays the next poll instead of stacking requests.
func (q *Querier) loop(ctx context.Context, qq *query) {
	for {
		start := q.opts.Now()
		q.poll(ctx, qq)
		wait := qq.interval - q.opts.Now().Sub(start)
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-qq.wake:
			t.Stop()
		}
	}
}

// SetWindow changes what range queries chart: the time window and how many
// points across. Stored series are dropped and refetched at the new step.
func (q *Querier) SetWindow(window time.Duration, width int) {
	if window <= 0 || width <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, qq := range q.queries {
		if qq.cfg.Kind != KindRange {
			continue
		}
		st := &qq.st
		if st.window == window && st.width == width {
			continue
		}
		st.window, st.width = window, width
		st.series, st.more, st.lastEnd = nil, 0, time.Time{}
		st.gen++
		select {
		case qq.wake <- struct{}{}:
		default:
		}
	}
}

// Snapshot returns a deep copy of every query's latest result, with
// health judged at the clock's now.
// Configs are the queries' settings, in order, presets' included.
func (q *Querier) Configs() []QueryConfig {
	out := make([]QueryConfig, len(q.queries))
	for i, qq := range q.queries {
		out[i] = qq.cfg
	}
	return out
}

func (q *Querier) Snapshot() Snapshot {
	now, loc := q.opts.Now(), q.opts.Zone()
	q.mu.Lock()
	defer q.mu.Unlock()
	snap := Snapshot{At: now, Results: make([]Result, len(q.queries))}
	for i, qq := range q.queries {
		snap.Results[i] = qq.resultLocked(now, loc)
	}
	return snap
}

func (qq *query) resultLocked(now time.Time, loc *time.Location) Result {
	st := &qq.st
	h, msg := health(now, st, qq.interval, loc)
	r := Result{
		Name:      qq.cfg.Name,
		Server:    qq.cfg.Server,
		Kind:      qq.cfg.Kind,
		Unit:      qq.cfg.Unit,
		Expr:      qq.cfg.Expr,
		Series:    copySeries(st.series),
		More:      st.more,
		Warnings:  cloneStrings(st.warnings),
		Infos:     cloneStrings(st.infos),
		Health:    h,
		Err:       msg,
		At:        st.at,
		FetchedAt: st.fetchedAt,
		TriedAt:   st.triedAt,
	}
	if qq.cfg.Kind == KindRange {
		r.Window, r.Step = st.window, st.step
	}
	r.Value = judged(headline(qq.cfg.Name, qq.cfg.Unit, st.series, st.at), h, msg)
	return r
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
