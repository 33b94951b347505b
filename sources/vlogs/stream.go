// Package vlogs reads access and application logs shipped from many
// machines to VictoriaLogs, and gives the same indicators as the access
// and application logs read from files: <name>.qps, .slow_ratio,
// .499_rate, .5xx_ratio, .304_rate for an access stream, <name>.db (and
// any pack or pattern) for an app stream — so the same rules, panes,
// overlays and reports apply, with a hosts table that says which machine
// is bad.
//
// Each stream keeps per-second counts in memory (a ring of the last day)
// and polls incrementally, as Prometheus range queries are: one LogsQL
// stats_query_range per refresh over the seconds since the last answer
// (and the minute before it, which late lines may still change), then,
// until the view's window is covered, one older chunk. A second is held
// only once a query covering it succeeded: VictoriaLogs leaves out
// buckets without lines, and those read as 0 only then. Top tables,
// drivers and an app stream's latest lines are fetched on their own
// slower schedule. Nothing a snapshot reads waits for the network.
//
// Health is honest: a server that cannot be reached or does not answer
// in time is unreachable, an answer that is not one (an HTML page, a 5xx,
// a bad query) is an error with the server's reason, sanitized and cut
// short; an answer older than two refreshes (and the time a request may
// take) is stale, never current. Every poll tries again: it recovers by
// itself.
package vlogs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/units"
)

// Polling.
const (
	// Settle is how far back a poll asks again every SettleEvery: lines
	// reach VictoriaLogs late (nginx's buffer, the shipper's batches),
	// and a second counted before they arrived is counted again. Lines
	// later than this are not counted in seconds already held.
	Settle = time.Minute
	// SettleEvery is how often a poll asks for the Settle before the
	// newest seconds; the others ask for the Recent before them, which
	// covers what current values are judged on (the 10 s span and its
	// 2 s lag): asking the whole minute every second cost a third of
	// warroom's CPU with a few streams, and VictoriaLogs a minute of
	// lines a stream every second.
	SettleEvery = 10 * time.Second
	Recent      = 15 * time.Second
	// Chunk is the most one request asks for: a longer window is filled
	// in chunks, newest first, one a poll.
	Chunk = time.Hour
	// Retention is how long per-second counts are kept.
	Retention = 24 * time.Hour
	// DefaultWindow is what is filled before a screen says its window.
	DefaultWindow = 15 * time.Minute
	// DefaultDetailEvery is how often top tables, drivers and an app
	// stream's lines are fetched (at least every refresh).
	DefaultDetailEvery = 5 * time.Second
)

// Options are the streams' run-time settings.
type Options struct {
	Now     func() time.Time // the clock; required
	Refresh time.Duration    // poll interval; default 1s
	// Zone, optional, is the event's zone for the times in reasons; nil:
	// this machine's.
	Zone func() *time.Location
	// KeyAccess gives the first access stream the key indicators (QPS,
	// slow, 499s) and untitled names, as the first access log has: set
	// when no access log is configured. KeyApp does the same for the
	// first app stream's db pack.
	KeyAccess, KeyApp bool
	DetailEvery       time.Duration // default DefaultDetailEvery
	// Wall, optional, is the wall clock when Now is a replay's: a replay
	// never fetches ahead of its Settle before it (see ReplayPoll).
	Wall func() time.Time
	// WrapTransport, when set, wraps each server's HTTP transport (for
	// instrumentation and tests).
	WrapTransport func(server string, rt http.RoundTripper) http.RoundTripper
}

// New builds a source for every stream (no IO until Run): *Access or
// *App.
func New(cfg Config, o Options) ([]collect.Source, error) {
	if o.Now == nil {
		return nil, errors.New("vlogs: Options.Now (the clock) is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("vlogs: config: %w", err)
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Second
	}
	if o.DetailEvery <= 0 {
		o.DetailEvery = DefaultDetailEvery
	}
	o.DetailEvery = max(o.DetailEvery, o.Refresh)
	if o.Zone == nil {
		o.Zone = func() *time.Location { return time.Local }
	}
	servers := map[string]*server{}
	for _, s := range cfg.Servers {
		servers[s.Name] = newServer(s, o.WrapTransport)
	}
	specs := Indicators(cfg, o.KeyAccess, o.KeyApp)
	var out []collect.Source
	for _, sc := range cfg.Streams {
		mine := specsOf(specs, sc.Name)
		switch sc.Kind {
		case KindAccess:
			out = append(out, newAccess(sc, servers[sc.Server], o, mine))
		case KindApp:
			a, err := newApp(sc, servers[sc.Server], o, mine)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// base is what both kinds of stream share: the server, the counts, the
// polling and the health.
type base struct {
	cfg   StreamConfig
	srv   *server
	o     Options
	specs []collect.IndicatorSpec
	query string         // the per-step counts
	cols  map[string]int // the query's series names → ring columns
	width int

	detail     func(context.Context) // fetches the kind's tables or lines
	wanted     func() bool           // a screen asked for them (replays fetch them only then)
	run        sync.Mutex            // held while polling: polls never overlap
	settledAt  time.Time             // the last poll that asked for the Settle before (guarded by run)
	rp         replayState           // a replay's (guarded by run; see ReplayPoll)
	wake       chan struct{}         // the view changed
	detailWake chan struct{}         // the tables wanted changed

	mu         sync.Mutex // guards the fields below
	ring       *ring
	contigFrom int64 // held without a gap over [contigFrom, knownEnd); 0: nothing
	knownEnd   int64
	window     time.Duration
	fetchedAt  time.Time // the last answer of the newest seconds
	triedAt    time.Time
	fail       *failure // the last attempt's, nil when it succeeded
	backfill   string   // why the last older chunk could not be fetched
	detailErr  string   // why the last tables or lines could not be fetched
	version    uint64
	ctx        context.Context
	over       overlayState
}

func newBase(cfg StreamConfig, srv *server, o Options, specs []collect.IndicatorSpec, query string, names []string) base {
	cols := make(map[string]int, len(names))
	for i, n := range names {
		cols[n] = i
	}
	return base{cfg: cfg, srv: srv, o: o, specs: specs, query: query, cols: cols, width: len(names),
		wake: make(chan struct{}, 1), detailWake: make(chan struct{}, 1), ring: newRing(int(Retention/time.Second), len(names)), window: DefaultWindow}
}

func (b *base) Name() string                        { return b.cfg.Name }
func (b *base) Indicators() []collect.IndicatorSpec { return b.specs }

// Version changes with every answer folded in: series and tables are
// recomputed only then.
func (b *base) Version() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version
}

// SetView sizes what is filled: the window a screen shows (at most
// Retention).
func (b *base) SetView(window time.Duration, _ int) {
	b.mu.Lock()
	changed := window > 0 && window != b.window
	if changed {
		b.window = window
	}
	b.mu.Unlock()
	if changed {
		b.poke()
	}
}

func (b *base) poke() { wakeUp(b.wake) }

func wakeUp(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// runCtx is Run's context, or a background one before Run.
func (b *base) runCtx() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil {
		return context.Background()
	}
	return b.ctx
}

// loop runs poll every Refresh and detail every DetailEvery until ctx
// ends; a slow answer delays the next poll instead of stacking requests.
func (b *base) loop(ctx context.Context) error {
	b.mu.Lock()
	b.ctx = ctx
	b.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() {
		every(ctx, b.o.DetailEvery, b.o.Now, b.detailWake, func() { b.detail(ctx) })
	})
	every(ctx, b.o.Refresh, b.o.Now, b.wake, func() { b.poll(ctx) })
	wg.Wait()
	return nil
}

// every runs f, then waits out the rest of d (or a wake), until ctx ends.
func every(ctx context.Context, d time.Duration, now func() time.Time, wake <-chan struct{}, f func()) {
	for {
		start := now()
		f()
		t := time.NewTimer(max(d-now().Sub(start), 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-wake:
			t.Stop()
		}
	}
}

// Refresh polls at once, tables and lines too, and returns when all
// answered (the `r` key, and `warroom snapshot`'s one read).
func (b *base) Refresh(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { b.poll(ctx) })
	wg.Go(func() { b.detail(ctx) })
	wg.Wait()
}

// poll fetches the newest seconds, then one older chunk while the
// window is not covered.
func (b *base) poll(ctx context.Context) {
	b.run.Lock()
	defer b.run.Unlock()
	now := b.o.Now()
	end := now.Unix() // the second under way is not asked for
	b.mu.Lock()
	want := int64(min(max(b.window, DefaultWindow), Retention) / time.Second)
	known, contig := b.knownEnd, b.contigFrom
	b.mu.Unlock()
	chunk, settle := int64(Chunk/time.Second), int64(Settle/time.Second)
	settling := now.Sub(b.settledAt) >= SettleEvery
	if !settling {
		settle = int64(Recent / time.Second)
	}
	target := end - want
	// a new run of held seconds, unless the last one ends close enough
	// to be carried on from the seconds before its end
	from, fresh := max(end-min(chunk, want), target), true
	if known != 0 && known > end-chunk && known <= end {
		from, fresh = max(known-settle, target), false
	}
	if from >= end {
		return
	}
	c, err := b.fetch(ctx, from, end)
	if errors.Is(err, errCanceled) {
		return
	}
	b.mu.Lock()
	b.triedAt = b.o.Now()
	if err != nil {
		b.fail = b.srv.failureOf(err)
		b.mu.Unlock()
		return
	}
	b.fail = nil
	if settling {
		b.settledAt = now
	}
	b.fetchedAt = b.triedAt
	b.store(c)
	if fresh || b.contigFrom == 0 || from < b.contigFrom {
		b.contigFrom = from
	}
	b.knownEnd = end
	contig = b.contigFrom
	b.mu.Unlock()

	if contig <= target {
		return
	}
	bf := max(contig-chunk, target)
	c, err = b.fetch(ctx, bf, contig)
	if errors.Is(err, errCanceled) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.backfill = "older seconds: " + b.srv.failureOf(err).msg
		return
	}
	b.backfill = ""
	b.store(c)
	if b.contigFrom == contig {
		b.contigFrom = bf
	}
}

// fetch asks for the counts of [from, to) per second.
func (b *base) fetch(ctx context.Context, from, to int64) (*counts, error) {
	return b.fetchStep(ctx, from, to, 1)
}

// store holds an answer's seconds; b.mu is held.
func (b *base) store(c *counts) {
	for i := 0; i < c.n; i++ {
		b.ring.set(c.from+int64(i)*c.step, c.row(i))
	}
	b.version++
}

// health is the stream's at instant at, with the end of what it holds
// (0: nothing); b.mu is held.
func (b *base) healthLocked(at time.Time) (sources.Health, string) {
	switch {
	case b.fail != nil:
		return b.fail.health, b.fail.msg
	case b.fetchedAt.IsZero():
		return sources.HealthUnknown, "no answer yet"
	}
	if age := at.Sub(b.fetchedAt); age > b.staleAfter() {
		return sources.HealthStale, fmt.Sprintf("no fresh answer since %s (%s ago)",
			units.Clock(b.fetchedAt.In(b.o.Zone())), model.Duration(age.Truncate(time.Second)))
	}
	return sources.HealthOK, ""
}

// staleAfter is how old the last answer may be and still be current: two
// polls, each of which may wait out a request for older seconds and one
// for the newest.
func (b *base) staleAfter() time.Duration {
	return 2 * (b.o.Refresh + b.srv.timeout())
}

// Status is the stream's status-bar entry: its health, what the server
// said when it failed, a failing table or older chunk as a note.
func (b *base) Status(t collect.TickInfo) []sources.SourceStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, msg := b.healthLocked(t.At)
	if t.RunErr != "" {
		h, msg = sources.HealthError, sources.Sanitize(t.RunErr)
	}
	if h == sources.HealthOK {
		msg = b.backfill
		if b.detailErr != "" {
			msg = b.detailErr
		}
	}
	st := sources.SourceStatus{Name: b.cfg.Name, Kind: "victorialogs", Health: h, Detail: msg, Polled: true,
		Note: sources.Sanitize(b.srv.cfg.Name + " " + b.cfg.Filter)}
	if b.ring.newest != noSecond {
		st.LastData = time.Unix(b.ring.newest, 0)
	}
	return []sources.SourceStatus{st}
}

// setDetail records the fate of the last tables or lines fetch.
func (b *base) setDetail(what string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.detailErr = ""
	if err != nil {
		b.detailErr = what + ": " + b.srv.failureOf(err).msg
	}
}

// heldEnd is where current values end at tick t: its End, or the end of
// what is held when the newest seconds are not in yet; b.mu is held.
func (b *base) heldEnd(t collect.TickInfo) int64 {
	return min(t.End.Unix(), b.knownEnd)
}

func specsOf(all []collect.IndicatorSpec, stream string) []collect.IndicatorSpec {
	var out []collect.IndicatorSpec
	for _, s := range all {
		if len(s.Name) > len(stream) && s.Name[:len(stream)+1] == stream+"." {
			out = append(out, s)
		}
	}
	return out
}
