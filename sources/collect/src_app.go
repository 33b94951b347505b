package collect

import (
	"context"
	"math"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
)

// appSource is an application log as the collector reads it.
type appSource struct {
	src   *applog.Source
	specs []spec
}

func newAppSource(i int, s *applog.Source, many bool) *appSource {
	return &appSource{src: s, specs: appCatalog(i, s.Name(), s.Watcher().Indicators(), many)}
}

func (a *appSource) Name() string                  { return a.src.Name() }
func (a *appSource) Run(ctx context.Context) error { return a.src.Run(ctx) }
func (a *appSource) Indicators() []IndicatorSpec   { return publicSpecs(a.specs) }
func (a *appSource) Version() uint64               { return a.src.Watcher().Version() }

func (a *appSource) health(t TickInfo) healthOf {
	if t.RunErr != "" {
		return healthOf{health: sources.HealthError, err: sources.Sanitize(t.RunErr)}
	}
	return appHealthOf(a.src)
}

// Values are the counts over the last minute. An error log is silent
// when all is well: a count of nothing is true up to End, unless the
// follower itself is failing or still loading.
func (a *appSource) Values(t TickInfo) []sources.Value {
	w := a.src.Watcher()
	h := a.health(t)
	out := make([]sources.Value, len(a.specs))
	for i, sp := range a.specs {
		v := sources.Value{Name: sp.name, Unit: sp.unit, Value: math.NaN(), Health: h.health, Err: h.err, Loading: h.loading}
		if h.health == sources.HealthOK {
			n, _ := w.Count(sp.col, t.End.Add(-time.Minute), t.End)
			v.Value, v.At = float64(n), t.End
		}
		out[i] = v
	}
	return out
}

func (a *appSource) Series(i int, q SeriesQuery) sources.Series {
	sp := a.specs[i]
	s, _ := a.src.Watcher().Series(sp.col, q.From, q.End, q.Step)
	s.Name = sp.title
	return s
}

// Shifted reads what the watcher still holds of the span.
func (a *appSource) Shifted(i int, q ShiftedQuery) sources.Series {
	kept := orDefault(time.Duration(a.src.Config().Retention), 24*time.Hour)
	cut := q.At.Add(-kept + time.Second)
	if q.End.Before(cut) {
		return sources.Series{}
	}
	s, _ := a.src.Watcher().Series(a.specs[i].col, maxTime(q.From, cut), q.End, q.Step)
	return s
}

func (a *appSource) LogView(end time.Time) sources.LogView { return a.src.Watcher().View(end) }

func (a *appSource) Status(t TickInfo) []sources.SourceStatus {
	last := a.src.Watcher().LastSaw() // a replay's; a follower's below
	for _, f := range a.src.Status() {
		if f.LastLineAt.After(last) {
			last = f.LastLineAt
		}
	}
	if last.After(t.At) {
		last = t.At // a replay reads a line ahead of its clock
	}
	return []sources.SourceStatus{logStatus(a.src.Name(), "applog", noted(a.health(t), a.src.Status()), last)}
}
