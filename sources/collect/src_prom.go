package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/prom"
	"warroom/sources/report"
)

// promSource is the Prometheus querier as the collector reads it: one
// indicator per query, prom.<name>.
type promSource struct {
	q     *prom.Querier
	cfgs  []prom.QueryConfig // presets' hidden queries included
	cfgOf map[string]prom.QueryConfig
	specs []spec
	now   func() time.Time

	mu      sync.Mutex
	ctx     context.Context            // Run's, for the fetches it starts
	last    *prom.Snapshot             // the answers as the last tick read them
	crashed string                     // a fetch of its own panicked (see guard)
	hist    map[string][]sources.Point // instant queries' answers, for their charts
	over    overlayState
	// replayedAt is the replay clock's instant of the last ReplayPoll
	replayedAt time.Time
	refresh    time.Duration // the interval of queries that set none
}

func newPromSource(q *prom.Querier, now func() time.Time, refresh time.Duration) *promSource {
	p := &promSource{q: q, cfgs: q.Configs(), cfgOf: map[string]prom.QueryConfig{}, specs: promCatalog(q.Configs()), now: now,
		hist: map[string][]sources.Point{}, refresh: refresh}
	for _, c := range p.cfgs {
		p.cfgOf[c.Name] = c
	}
	return p
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

// answers are the querier's answers as the last tick read them (what its
// values were judged on), or as they are now before the first tick: one
// copy a tick serves every series, table and status line of a snapshot.
func (p *promSource) answers() prom.Snapshot {
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	if last == nil {
		return p.q.Snapshot()
	}
	return *last
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
// an instant query is remembered for its chart. A preset whose exporter
// has no current series (down, or exporting nothing) has no values: what
// rate() still extrapolates, and the 0 of a status no request has had,
// would read as a quiet site.
func (p *promSource) Values(t TickInfo) []sources.Value {
	ps := p.q.Snapshot()
	p.mu.Lock()
	p.last = &ps
	p.mu.Unlock()
	down := map[string]string{}
	for _, e := range ps.Exporters(p.cfgs) {
		if e.Down {
			down[e.Preset] = sources.Sanitize(e.Msg)
		}
	}
	out := make([]sources.Value, len(p.specs))
	for i, sp := range p.specs {
		v := sources.Value{Name: sp.name, Unit: sp.unit, Value: math.NaN(), Health: sources.HealthUnknown}
		if r, ok := ps.Get(sp.query); ok {
			v = r.Value
			v.Name, v.Unit, v.Health, v.Err = sp.name, r.Unit, r.Health, r.Err
		}
		if msg, ok := down[p.cfgOf[sp.query].Preset]; ok && v.Health == sources.HealthOK {
			v.Value, v.Health, v.Err = math.NaN(), sources.HealthStale, msg
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
	r, ok := p.answers().Get(sp.query)
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

// ReplayPoll implements Replayed: every query is evaluated at the replay
// clock (the querier reads the clock the replay sets) when the shortest
// interval has passed on it, as the querier's loops would have live.
// When no query reaches its server, the replay holds: the night is not
// judged on a server that does not answer now.
func (p *promSource) ReplayPoll(ctx context.Context, at time.Time) error {
	p.mu.Lock()
	due := p.replayedAt.IsZero() || at.Sub(p.replayedAt) >= p.replayEvery() || at.Before(p.replayedAt)
	p.mu.Unlock()
	if !due {
		return nil
	}
	var snap prom.Snapshot
	p.guard(func(context.Context) { snap, _ = p.q.EvaluateAll(ctx) })
	why := ""
	for _, r := range snap.Results {
		if r.Value.Health != sources.HealthUnreachable {
			why = ""
			break
		}
		if why == "" {
			why = r.Server + ": " + r.Value.Err
		}
	}
	if why != "" {
		return fmt.Errorf("Prometheus does not answer now (%s)", sources.Sanitize(why))
	}
	p.mu.Lock()
	p.replayedAt = at
	p.mu.Unlock()
	return nil
}

// replayEvery is the shortest interval of the queries.
func (p *promSource) replayEvery() time.Duration {
	every := time.Duration(0)
	for _, c := range p.cfgs {
		if d := c.IntervalOr(p.refresh); every == 0 || d < every {
			every = d
		}
	}
	return every
}

// Status is an entry per query (a preset's hosts-table queries by table
// and column), and one per preset for its exporter: "nginx exporter:
// exporter down: up==0 for job ingress (10.0.3.7:10254)".
func (p *promSource) Status(t TickInfo) []sources.SourceStatus {
	crash := p.runErr(t)
	var out []sources.SourceStatus
	add := func(st sources.SourceStatus) {
		if crash != "" {
			st.Health, st.Detail = sources.HealthError, sources.Sanitize(crash)
		}
		out = append(out, st)
	}
	ps := p.answers()
	for _, r := range ps.Results {
		c := p.cfgOf[r.Name]
		if c.Check != "" {
			continue
		}
		name := c.IndicatorName()
		if c.Hidden {
			name = c.Table + " " + c.Column
		}
		add(sources.SourceStatus{Name: name, Kind: "prom", Health: r.Health,
			Detail: sources.Sanitize(r.Err), LastData: r.FetchedAt})
	}
	for _, e := range ps.Exporters(p.cfgs) {
		add(sources.SourceStatus{Name: e.Preset + " exporter", Kind: "prom", Health: e.Health,
			Detail: sources.Sanitize(e.Msg), LastData: e.FetchedAt})
	}
	return out
}

// Tops are the presets' hosts tables: a row per host (pod) with its
// requests, 499s, slow requests and 5xx over the last PresetTableWindow,
// ranked by its 499s, slow and 5xx together. The counts are Prometheus's
// estimates (increase() over scraped counters), so a table is never
// exact; one whose answers are not all current is left out.
func (p *promSource) Tops(from, end time.Time, n int) []sources.TopTable {
	tables, _ := p.hostTables()
	var out []sources.TopTable
	for _, t := range tables {
		t.Rows = t.Rows[:min(len(t.Rows), n)]
		out = append(out, t)
	}
	return out
}

// hostTables builds the presets' tables from their hidden queries'
// answers, and each table's column totals.
func (p *promSource) hostTables() ([]sources.TopTable, map[string]map[string]uint64) {
	ps := p.answers()
	type table struct {
		rows map[string]*sources.TopRow
		ok   bool
	}
	byTitle := map[string]*table{}
	var order []string
	for _, c := range p.cfgs {
		if !c.Hidden || c.Table == "" {
			continue
		}
		t := byTitle[c.Table]
		if t == nil {
			t = &table{rows: map[string]*sources.TopRow{}, ok: true}
			byTitle[c.Table] = t
			order = append(order, c.Table)
		}
		r, ok := ps.Get(c.Name)
		if !ok || r.Health != sources.HealthOK {
			t.ok = false
			continue
		}
		for _, s := range r.Series {
			if len(s.Points) == 0 {
				continue
			}
			v := s.Points[len(s.Points)-1].V
			if math.IsNaN(v) || v < 0 {
				continue
			}
			key := sources.Sanitize(s.Name)
			row := t.rows[key]
			if row == nil {
				row = &sources.TopRow{Key: key}
				t.rows[key] = row
			}
			row.SetColumn(c.Column, uint64(math.Round(v)))
		}
	}
	var out []sources.TopTable
	totals := map[string]map[string]uint64{}
	for _, title := range order {
		t := byTitle[title]
		if !t.ok {
			continue
		}
		tt := sources.TopTable{Title: title, Window: prom.PresetTableWindow, Distinct: uint64(len(t.rows))}
		sum := map[string]uint64{}
		for _, r := range t.rows {
			tt.Rows = append(tt.Rows, *r)
			sum["req"] += r.Count
			sum["499"] += r.S499
			sum["slow"] += r.Slow
			sum["5xx"] += r.S5xx
		}
		rankHosts(tt.Rows)
		out = append(out, tt)
		totals[title] = sum
	}
	return out, totals
}

// rankHosts ranks a hosts table: by 499s, slow requests and 5xx
// together, then by requests — the bad host first, however busy.
func rankHosts(rows []sources.TopRow) {
	slices.SortFunc(rows, func(a, b sources.TopRow) int {
		if c := cmp.Compare(b.S499+b.Slow+b.S5xx, a.S499+a.Slow+a.S5xx); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// ReportTops are the presets' hosts tables over a milestone's window
// (ReportTabled), asked of Prometheus as of the window's end: each
// host's increase() of the counters over the window, ranked as the
// screen's table. A table is an estimate, and says so; one whose counter
// Prometheus did not hold at both ends of the window says it may be low.
func (p *promSource) ReportTops(ctx context.Context, from, to time.Time, n int) []report.Fetched {
	var out []report.Fetched
	for _, t := range p.q.HostsOver(ctx, from, to) {
		f := report.Fetched{Source: t.Preset, Kind: "Prometheus", Estimate: true}
		if t.Err != nil {
			var qe *prom.QueryError
			f.Err = sources.Sanitize(t.Err.Error())
			if errors.As(t.Err, &qe) {
				f.Err = qe.Health.String() + ": " + qe.Msg // sanitized, no secrets
			}
			out = append(out, f)
			continue
		}
		var where, why string
		switch {
		case !t.HeldFrom && !t.HeldTo:
			where, why = "start nor its end", "it may not hold the window (retention, or the exporter was down)"
		case !t.HeldFrom:
			where, why = "start", "it may not hold all of the window (the exporter, its scrapes or the retention began later)"
		case !t.HeldTo:
			where, why = "end", "the exporter may have been down for part of the window"
		}
		if where != "" {
			f.Uncertain = "Prometheus holds no series of the preset's request counter within " + model.Duration(prom.Lookback).String() +
				" before the window's " + where + ": " + why + ", and the counts may be low"
		}
		rows := slices.Clone(t.Rows)
		rankHosts(rows)
		ft := report.FetchedTable{Title: "hosts", Key: "host"}
		for _, r := range rows[:min(n, len(rows))] {
			ft.Rows = append(ft.Rows, report.Top{Key: r.Key, Count: r.Count, S499: r.S499, Slow: r.Slow, S5xx: r.S5xx})
		}
		f.Tables = []report.FetchedTable{ft}
		out = append(out, f)
	}
	return out
}

// presetColumn is the hosts-table column that drives a preset indicator.
var presetColumn = map[string]string{"qps": "req", "499_rate": "499", "slow_ratio": "slow", "5xx_ratio": "5xx"}

// Drivers are, for a preset's indicators, the host (pod) with the most
// of their requests in the hosts table: an estimate (Approx).
func (p *promSource) Drivers(from, end time.Time) []*sources.Driver {
	tables, totals := p.hostTables()
	if len(tables) == 0 {
		return nil
	}
	out := make([]*sources.Driver, len(p.specs))
	for i, sp := range p.specs {
		c := p.cfgOf[sp.query]
		col := presetColumn[strings.TrimPrefix(c.Indicator, c.Preset+".")]
		if c.Preset == "" || col == "" {
			continue
		}
		for _, t := range tables {
			if t.Title != c.Preset+" hosts" {
				continue
			}
			d := &sources.Driver{Mark: col, Source: c.Preset, Events: totals[t.Title][col],
				Approx: true, From: end.Add(-prom.PresetTableWindow), To: end}
			for _, r := range t.Rows {
				n := map[string]uint64{"req": r.Count, "499": r.S499, "slow": r.Slow, "5xx": r.S5xx}[col]
				if n > d.Host.Count {
					d.Host = sources.DriverKey{Key: r.Key, Count: n, Max: n}
				}
			}
			out[i] = d
		}
	}
	return out
}
