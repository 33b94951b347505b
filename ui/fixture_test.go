package ui

import (
	"math"
	"sync"
	"time"

	"warroom/sources"
)

var (
	cst       = time.FixedZone("CST", 8*3600)
	fixedAt   = time.Date(2026, 12, 1, 23, 58, 30, 0, cst)
	nextEnd   = time.Date(2026, 12, 2, 0, 0, 0, 0, cst)
	prevEnd   = time.Date(2026, 12, 1, 0, 0, 0, 0, cst)
	earlyEnd  = time.Date(2026, 11, 30, 0, 0, 0, 0, cst)
	milestone = func(at time.Time, stage string) *sources.Milestone {
		return &sources.Milestone{Event: "Year-end Gala", Stage: stage, At: at,
			Before: 10 * time.Minute, Hot: 10 * time.Minute, After: 30 * time.Minute}
	}
)

// wave is a deterministic series: a base with a slow wave and a spike,
// and a short NaN gap so charts show one.
func wave(end time.Time, window time.Duration, unit sources.Unit, base, amp float64, spikeAt int) sources.Series {
	const step = 5 * time.Second
	n := int(window / step)
	s := sources.Series{Unit: unit, Points: make([]sources.Point, 0, n)}
	for i := 0; i < n; i++ {
		v := base + amp*math.Sin(float64(i)/9)
		if i >= spikeAt && i < spikeAt+6 {
			v = base + 4*amp
		}
		if i >= n/3 && i < n/3+3 {
			v = math.NaN()
		}
		s.Points = append(s.Points, sources.Point{At: end.Add(-window + time.Duration(i+1)*step), V: v})
	}
	return s
}

func indicator(name, title string, unit sources.Unit, v float64, st sources.State, warn, crit float64, s sources.Series) sources.Indicator {
	return sources.Indicator{
		Name: name, Title: title, State: st, Warn: warn, Crit: crit, Series: s,
		Value: sources.Value{Name: name, Value: v, Unit: unit, Health: sources.HealthOK, At: fixedAt},
	}
}

// fixture is the snapshot every golden test draws: two minutes before a
// stage end, 499s already critical, one Prometheus query stale and one
// failing.
func fixture() *sources.Snapshot {
	at, win := fixedAt, 15*time.Minute
	nan := math.NaN()
	qps := indicator("nginx.qps", "QPS", sources.UnitPerSecond, 1234.5, sources.StateOK, 3000, 5000,
		wave(at, win, sources.UnitPerSecond, 1100, 150, 150))
	qps.Secondary = wave(at, win, sources.UnitPerSecond, 900, 100, 40)
	qps.Secondary.Name = "prev stage"
	slow := indicator("nginx.slow_ratio", "slow ‱", sources.UnitBasisPt, 62, sources.StateWarn, 50, 100,
		wave(at, win, sources.UnitBasisPt, 30, 8, 160))
	slow.Reason = "> 50‱ for 30s"
	s499 := indicator("nginx.499_rate", "499/s", sources.UnitPerSecond, 7.2, sources.StateCrit, 1, 5,
		wave(at, win, sources.UnitPerSecond, 0.8, 0.5, 165))
	s499.Reason = "> 5/s for 30s (approaching)"
	db := indicator("app.db", "DB err/min", sources.UnitCount, 3, sources.StateOK, 10, 30,
		wave(at, win, sources.UnitCount, 1, 1, 100))
	x5 := indicator("nginx.5xx_ratio", "5xx", sources.UnitRatio, 0.0012, sources.StateOK, 0.01, 0.05,
		wave(at, win, sources.UnitRatio, 0.001, 0.0005, 120))
	conns := indicator("prom.db_conns", "db conns", sources.UnitCount, 87, sources.StateStale, nan, nan,
		wave(at.Add(-3*time.Minute), win-3*time.Minute, sources.UnitCount, 80, 5, 999))
	conns.Value.Health = sources.HealthStale
	conns.Value.At = at.Add(-2*time.Minute - 10*time.Second)
	cpu := indicator("prom.node_cpu", "node cpu", sources.UnitPercent, 0, sources.StateError, 80, 95, sources.Series{})
	cpu.Value.Health = sources.HealthError
	cpu.Value.Err = "query timeout after 5s"

	return &sources.Snapshot{
		At:         at,
		Event:      "Year-end Gala",
		Zone:       cst,
		Phase:      sources.PhaseApproaching,
		Current:    milestone(nextEnd, "day 1"),
		Next:       milestone(nextEnd, "day 1"),
		Prev:       milestone(prevEnd, "day 0"),
		Markers:    []sources.Milestone{*milestone(earlyEnd, "warm-up"), *milestone(prevEnd, "day 0"), *milestone(nextEnd, "day 1")},
		Indicators: []sources.Indicator{qps, slow, s499, db, x5, conns, cpu},
		Tops: []sources.TopTable{
			{Title: "IPs", Window: 5 * time.Minute, Distinct: 48213, Rows: []sources.TopRow{
				{Key: "203.0.113.7", Count: 18230, S499: 412, Slow: 95},
				{Key: "198.51.100.23", Count: 9120, S499: 0, Slow: 12},
				{Key: "192.0.2.144", Count: 4410, S499: 31, Slow: 0},
				{Key: "2001:db8::1f", Count: 2208, S499: 2, Slow: 1},
			}},
			{Title: "paths", Window: 5 * time.Minute, Distinct: 212, Exact: true, Rows: []sources.TopRow{
				{Key: "/api/v2/ranking/result", Count: 51200, S499: 388, Slow: 102},
				{Key: "/api/v2/user/profile", Count: 20330, S499: 40, Slow: 8},
				{Key: "/static/app.9f3c2b.js", Count: 8800},
			}},
		},
		Logs: []sources.LogView{{
			Source: "app",
			Lines: []sources.LogLine{
				{At: at.Add(-50 * time.Second), Pattern: "db", Text: "SequelizeDatabaseError: read ECONNRESET at Query.run (/srv/app/node_modules/sequelize/lib/dialects/mysql/query.js:52)"},
				{At: at.Add(-20 * time.Second), Pattern: "db", Text: "SequelizeConnectionAcquireTimeoutError: Operation timeout"},
				{At: at.Add(-4 * time.Second), Pattern: "db", Text: "SequelizeDatabaseError: read ECONNRESET"},
			},
			Patterns: []sources.PatternCount{
				{Name: "econnreset", PerMin: 2, Total: 17, LastAt: at.Add(-4 * time.Second), Indicator: "app.db"},
				{Name: "acquire_timeout", PerMin: 1, Total: 3, LastAt: at.Add(-20 * time.Second), Indicator: "app.db"},
			},
		}},
		Sources: []sources.SourceStatus{
			{Name: "nginx", Kind: "nginx", Health: sources.HealthOK, LastData: at},
			{Name: "app", Kind: "applog", Health: sources.HealthOK, LastData: at.Add(-4 * time.Second)},
			{Name: "prom-db", Kind: "prom", Health: sources.HealthStale, Detail: "no answer", LastData: at.Add(-130 * time.Second)},
			{Name: "prom-node", Kind: "prom", Health: sources.HealthError, Detail: "query timeout", LastData: at.Add(-10 * time.Minute)},
		},
		Timeline: []sources.Transition{
			{At: at.Add(-9 * time.Minute), Indicator: "nginx.slow_ratio", From: sources.StateOK, To: sources.StateWarn, Value: 55, Threshold: 50, Phase: sources.PhaseApproaching, Milestone: "day 1", Acked: true},
			{At: at.Add(-3 * time.Minute), Indicator: "prom.db_conns", From: sources.StateOK, To: sources.StateStale, Value: 87, Threshold: nan, Phase: sources.PhaseApproaching, Milestone: "day 1"},
			{At: at.Add(-50 * time.Second), Indicator: "nginx.499_rate", From: sources.StateWarn, To: sources.StateCrit, Value: 6.1, Threshold: 5, Phase: sources.PhaseApproaching, Milestone: "day 1"},
		},
		Unacked:   1,
		Self:      sources.ProcessStats{RSSBytes: 38 << 20, CPU: 0.004},
		Window:    win,
		WindowEnd: at,
	}
}

// fakeProvider hands out a new snapshot on every call (its At advances a
// second each time) and records what it was asked.
type fakeProvider struct {
	mu        sync.Mutex
	calls     int
	views     []sources.View
	acks      int
	refreshes int
}

func (f *fakeProvider) Snapshot(v sources.View) *sources.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.views = append(f.views, v)
	s := fixture()
	s.At = s.At.Add(time.Duration(f.calls) * time.Second)
	s.Indicators[0].Value.Value = float64(1000 + f.calls)
	if v.Window > 0 {
		s.Window = v.Window
	}
	s.WindowEnd = s.At
	if !v.End.IsZero() {
		s.WindowEnd = v.End
	}
	return s
}

func (f *fakeProvider) Ack() {
	f.mu.Lock()
	f.acks++
	f.mu.Unlock()
}

func (f *fakeProvider) Refresh() {
	f.mu.Lock()
	f.refreshes++
	f.mu.Unlock()
}

func (f *fakeProvider) lastView() sources.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.views) == 0 {
		return sources.View{}
	}
	return f.views[len(f.views)-1]
}
