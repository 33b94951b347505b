package collect

import (
	"context"
	"math"
	"sync"
	"time"

	"warroom/sources"
	"warroom/sources/prom"
)

// promSource is the Prometheus querier as the collector reads it: one
// indicator per query, prom.<name>.
type promSource struct {
	q     *prom.Querier
	specs []spec
	now   func() time.Time

	mu      sync.Mutex
	ctx     context.Context            // Run's, for the fetches it starts
	crashed string                     // a fetch of its own panicked (see guard)
	hist    map[string][]sources.Point // instant queries' answers, for their charts
	over    overlayState
}

func newPromSource(q *prom.Querier, now func() time.Time) *promSource {
	var names []string
	for _, r := range q.Snapshot().Results {
		names = append(names, r.Name)
	}
	return &promSource{q: q, specs: promCatalog(names), now: now, hist: map[string][]sources.Point{}}
}

func (p *promSource) Name() string                { return "prom" }
func (p *promSource) Indicators() []IndicatorSpec { return publicSpecs(p.specs) }

func (p *promSource) Run(ctx context.Context) error {
	p.mu.Lock()
	p.ctx = ctx
	p.mu.Unlock()
	return p.q.Run(ctx)
}

// runCtx is Run's context, or a background one before Run.
func (p *promSource) runCtx() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx == nil {
		return context.Background()
	}
	return p.ctx
}

// guard runs f (a fetch outside the querier's own goroutines); a panic
// there (a server answer tripping a bug) marks Prometheus crashed, as a
// panic in the querier itself would.
func (p *promSource) guard(f func(context.Context)) {
	ctx := p.runCtx()
	if err := guard(ctx, func(ctx context.Context) error { f(ctx); return nil }); err != nil {
		p.mu.Lock()
		p.crashed = err.Error()
		p.mu.Unlock()
	}
}

// runErr is why Prometheus stopped: its Run's error, or a crashed fetch.
func (p *promSource) runErr(t TickInfo) string {
	if t.RunErr != "" {
		return t.RunErr
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.crashed
}

// Values are the latest answers, each with its health; a fresh answer of
// an instant query is remembered for its chart.
func (p *promSource) Values(t TickInfo) []sources.Value {
	ps := p.q.Snapshot()
	out := make([]sources.Value, len(p.specs))
	for i, sp := range p.specs {
		v := sources.Value{Name: sp.name, Unit: sp.unit, Value: math.NaN(), Health: sources.HealthUnknown}
		if r, ok := ps.Get(sp.query); ok {
			v = r.Value
			v.Name, v.Unit, v.Health, v.Err = sp.name, r.Unit, r.Health, r.Err
		}
		out[i] = v
	}
	p.record(out)
	return out
}

// maxPromHist bounds the remembered answers of each instant query: a day
// at one answer every 30 s, or four hours at one every 5 s.
const maxPromHist = 3000

// record remembers each new fresh answer of an instant query, so a chart
// can show its recent history (a range query brings its own).
func (p *promSource) record(values []sources.Value) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, sp := range p.specs {
		v := values[i]
		if v.Health != sources.HealthOK || math.IsNaN(v.Value) {
			continue
		}
		h := p.hist[sp.name]
		if n := len(h); n > 0 && !v.At.After(h[n-1].At) {
			continue
		}
		if len(h) >= maxPromHist {
			// a new array: snapshots may still be reading the old one
			h = append([]sources.Point(nil), h[len(h)-maxPromHist/2:]...)
		}
		p.hist[sp.name] = append(h, sources.Point{At: v.At, V: v.Value})
	}
}

// Series is a range query's answer while the view is live, or an instant
// query's remembered answers over the span (up to the snapshot's instant
// when live: answers are true when fetched, not lagged).
func (p *promSource) Series(i int, q SeriesQuery) sources.Series {
	sp := p.specs[i]
	r, ok := p.q.Snapshot().Get(sp.query)
	var s sources.Series
	switch {
	case ok && r.Kind == prom.KindRange && len(r.Series) > 0 && q.Live:
		s = r.Series[0] // already a copy
	case ok && r.Kind == prom.KindInstant:
		upTo := q.End
		if q.Live {
			upTo = q.At
		}
		p.mu.Lock()
		h := p.hist[sp.name] // appended to, never changed in place below len
		p.mu.Unlock()
		s = sources.Series{Name: sp.title, Points: pointsBetween(h, q.From, upTo)}
	}
	if ok {
		s.Unit = r.Unit
	}
	return s
}

func (p *promSource) SetView(window time.Duration, points int) { p.q.SetWindow(window, points) }

func (p *promSource) Refresh(ctx context.Context) {
	p.guard(func(context.Context) { p.q.EvaluateAll(ctx) })
}

func (p *promSource) Status(t TickInfo) []sources.SourceStatus {
	crash := p.runErr(t)
	var out []sources.SourceStatus
	for _, r := range p.q.Snapshot().Results {
		st := sources.SourceStatus{Name: "prom." + r.Name, Kind: "prom", Health: r.Health,
			Detail: sources.Sanitize(r.Err), LastData: r.FetchedAt}
		if crash != "" {
			st.Health, st.Detail = sources.HealthError, sources.Sanitize(crash)
		}
		out = append(out, st)
	}
	return out
}
