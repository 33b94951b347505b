package collect

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// gauge is a source of a kind the collector does not know: one key
// indicator read from a value it is set to, with a top table and a log.
type gauge struct {
	v       float64
	version uint64
	series  int // Series calls
}

func (g *gauge) Name() string                  { return "fleet" }
func (g *gauge) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (g *gauge) Indicators() []IndicatorSpec {
	return []IndicatorSpec{
		{Name: "fleet.499_rate", Title: "fleet 499/s", Unit: sources.UnitPerSecond, Show: true, Key: true},
		{Name: "fleet.hidden", Title: "hidden", Unit: sources.UnitCount},
	}
}
func (g *gauge) Values(t TickInfo) []sources.Value {
	return []sources.Value{{Value: g.v, At: t.End, Health: sources.HealthOK}} // one short: the rest reads unknown
}
func (g *gauge) Series(i int, q SeriesQuery) sources.Series {
	g.series++
	return sources.Series{Name: "fleet", Points: []sources.Point{{At: q.End.Add(-q.Step), V: g.v}}}
}
func (g *gauge) Status(t TickInfo) []sources.SourceStatus {
	return []sources.SourceStatus{{Name: "fleet", Kind: "victorialogs", Health: sources.HealthOK, LastData: t.End}}
}
func (g *gauge) Version() uint64 { return g.version }
func (g *gauge) Tops(from, end time.Time, n int) []sources.TopTable {
	return []sources.TopTable{{Title: "fleet hosts", Window: end.Sub(from), Exact: true, Rows: []sources.TopRow{{Key: "web-3", Count: 7, S499: 7}}}}
}
func (g *gauge) Drivers(from, end time.Time) []*sources.Driver {
	return []*sources.Driver{{Mark: "499", Source: "fleet", Events: 7, Path: sources.DriverKey{Key: "/r", Count: 7, Max: 7}, Clients: 1, Exact: true}, nil}
}
func (g *gauge) LogView(end time.Time) sources.LogView { return sources.LogView{Source: "fleet"} }

// A source of a new kind is run, judged, charted, tabled and listed
// through the Source interface alone: its indicator is key, a rule on it
// fires with its driver, its series is cached by its version, and its
// status, tops and log are in the snapshot.
func TestASourceOfANewKind(t *testing.T) {
	g := &gauge{v: 1}
	clock := NewSteppedClock(midnight)
	rules := watch.Rules{{Indicator: "fleet.499_rate", Warn: watch.Float(2), Crit: watch.Float(5), Direction: watch.Above, Recover: 1}}
	var trs []sources.Transition
	c, err := New(Options{Sources: []Source{g}, Rules: rules, Now: clock.Now, Refresh: time.Hour,
		Schedule: func() *schedule.Schedule { return testSchedule(t) }, Sinks: []sources.Sink{recorder{&trs}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Indicators(), ","); got != "fleet.499_rate" {
		t.Fatalf("shown: %s", got)
	}
	c.Tick(midnight)
	g.v = 9
	c.Tick(midnight.Add(time.Second))
	if len(trs) != 1 || trs[0].Indicator != "fleet.499_rate" || trs[0].To != sources.StateCrit ||
		trs[0].Driver == nil || trs[0].Driver.Line() != "499 ← /r 100% · 1 IP" {
		t.Fatalf("transitions %+v", trs)
	}
	s := snapOf(c, sources.View{})
	in := value(t, s, "fleet.499_rate")
	if !in.Key || in.Value.Value != 9 || in.State != sources.StateCrit || len(in.Series.Points) != 1 || in.Driver == nil {
		t.Errorf("indicator %+v", in)
	}
	if len(s.Tops) != 1 || s.Tops[0].Title != "fleet hosts" || len(s.Logs) != 1 || s.Logs[0].Source != "fleet" {
		t.Errorf("tops %+v, logs %+v", s.Tops, s.Logs)
	}
	found := false
	for _, st := range s.Sources {
		found = found || st.Name == "fleet" && st.Kind == "victorialogs" && !st.Polled
	}
	if !found {
		t.Errorf("status %+v", s.Sources)
	}
	// the same version: the series is not read again
	n := g.series
	snapOf(c, sources.View{})
	if g.series != n {
		t.Errorf("series read again at the same version")
	}
	g.version++
	snapOf(c, sources.View{})
	if g.series != n+1 {
		t.Errorf("series not read again at a new version")
	}
	// the indicator it gave no value for reads unknown, not 0
	vs := c.current(midnight.Add(2 * time.Second))
	if h := vs[1]; h.Name != "fleet.hidden" || h.Health != sources.HealthUnknown || !math.IsNaN(h.Value) {
		t.Errorf("missing value %+v", h)
	}
}
