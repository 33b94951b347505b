package watch

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/schedule"
)

var t0 = time.Date(2026, 12, 12, 23, 50, 0, 0, time.FixedZone("CST", 8*3600))

const (
	ok   = sources.StateOK
	warn = sources.StateWarn
	crit = sources.StateCrit
	unk  = sources.StateUnknown
)

var nan = math.NaN()

// step is one tick of a stepped clock at t0+t seconds.
type step struct {
	t     int
	v     float64        // the reading's value; see missing
	h     sources.Health // zero means HealthOK
	dataT *int           // the reading's At as seconds from t0; nil means t
	phase schedule.Phase
	ms    string
	gone  bool // no reading for the indicator this tick
}

// want is one expected transition.
type want struct {
	t        int
	from, to sources.State
	thr      float64 // NaN: expect NaN
}

func secs(n int) *int { return &n }

func dur(s string) model.Duration {
	d, err := model.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func durp(s string) *model.Duration { d := dur(s); return &d }

func absp(s string) *Absence { a := Absence(dur(s)); return &a }

func run(t *testing.T, r Rule, steps []step) ([]Transition, *Engine) {
	t.Helper()
	e, err := NewEngine(Rules{r})
	if err != nil {
		t.Fatal(err)
	}
	var got []Transition
	for _, s := range steps {
		at := t0.Add(time.Duration(s.t) * time.Second)
		readings := map[string]Reading{}
		if !s.gone {
			h := s.h
			if h == sources.HealthUnknown {
				h = sources.HealthOK
			}
			dataAt := at
			if s.dataT != nil {
				dataAt = t0.Add(time.Duration(*s.dataT) * time.Second)
			}
			readings[r.Indicator] = Reading{Value: s.v, At: dataAt, Health: h}
		}
		got = append(got, e.Evaluate(at, s.phase, s.ms, readings)...)
	}
	return got, e
}

func check(t *testing.T, got []Transition, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for _, g := range got {
			t.Logf("got %s %s→%s v=%g thr=%g %q", g.At.Sub(t0), g.From, g.To, g.Value, g.Threshold, g.Reason)
		}
		t.Fatalf("got %d transitions, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		at := t0.Add(time.Duration(w.t) * time.Second)
		thrOK := g.Threshold == w.thr || (math.IsNaN(w.thr) && math.IsNaN(g.Threshold))
		if !g.At.Equal(at) || g.From != w.from || g.To != w.to || !thrOK {
			t.Errorf("transition %d = %s %s→%s thr=%g (%q), want %ds %s→%s thr=%g",
				i, g.At.Sub(t0), g.From, g.To, g.Threshold, g.Reason, w.t, w.from, w.to, w.thr)
		}
	}
}

func TestEvaluate(t *testing.T) {
	above := Rule{Indicator: "x", Warn: Float(1), Crit: Float(2)}
	pending := Rule{Indicator: "x", Warn: Float(1), Crit: Float(2), For: dur("30s")}
	hyst := Rule{Indicator: "x", Warn: Float(5), Crit: Float(10), Recover: 0.8}
	below := Rule{Indicator: "x", Warn: Float(100), Crit: Float(10), Direction: Below, Recover: 0.8}
	absent := Rule{Indicator: "x", Absent: Absence(dur("60s"))}

	cases := []struct {
		name  string
		rule  Rule
		steps []step
		want  []want
	}{
		{"crossings up and down", above, []step{
			{t: 0, v: 0.5}, {t: 1, v: 1.5}, {t: 2, v: 2.5}, {t: 3, v: 1.5}, {t: 4, v: 0.5},
		}, []want{{1, ok, warn, 1}, {2, warn, crit, 2}, {3, crit, warn, 2}, {4, warn, ok, 1}}},

		{"equal to the threshold is not beyond it", above, []step{
			{t: 0, v: 1}, {t: 1, v: 2}, {t: 2, v: 2.0001},
		}, []want{{1, ok, warn, 1}, {2, warn, crit, 2}}},

		{"first judgement ok is quiet, first warn is not", above, []step{
			{t: 0, v: 1.5},
		}, []want{{0, unk, warn, 1}}},

		{"flap shorter than for: no transition", pending, []step{
			{t: 0, v: 0}, {t: 10, v: 3}, {t: 20, v: 3}, {t: 30, v: 3}, {t: 39, v: 3}, {t: 40, v: 0}, {t: 50, v: 3}, {t: 60, v: 0},
		}, nil},

		{"held for `for` fires exactly at since+for", pending, []step{
			{t: 0, v: 0}, {t: 10, v: 3}, {t: 39, v: 3}, {t: 40, v: 3}, {t: 41, v: 0},
		}, []want{{40, ok, crit, 2}, {41, crit, ok, 1}}},

		{"warn pends from its own start while crit waits", pending, []step{
			{t: 0, v: 1.5}, {t: 20, v: 2.5}, {t: 30, v: 2.5}, {t: 49, v: 2.5}, {t: 50, v: 2.5},
		}, []want{{30, ok, warn, 1}, {50, warn, crit, 2}}},

		{"hysteresis above", hyst, []step{
			{t: 0, v: 1}, {t: 1, v: 11}, {t: 2, v: 9}, {t: 3, v: 8.01}, {t: 4, v: 8}, {t: 5, v: 4.5}, {t: 6, v: 4},
			{t: 7, v: 4.5}, {t: 8, v: 5.5},
		}, []want{{1, ok, crit, 10}, {4, crit, warn, 8}, {6, warn, ok, 4}, {8, ok, warn, 5}}},

		{"crit straight to ok crosses the warn recovery", hyst, []step{
			{t: 0, v: 1}, {t: 1, v: 11}, {t: 2, v: 3},
		}, []want{{1, ok, crit, 10}, {2, crit, ok, 4}}},

		{"hysteresis below", below, []step{
			{t: 0, v: 500}, {t: 1, v: 50}, {t: 2, v: 5}, {t: 3, v: 12}, {t: 4, v: 13}, {t: 5, v: 120}, {t: 6, v: 130},
		}, []want{{1, ok, warn, 100}, {2, warn, crit, 10}, {4, crit, warn, 12.5}, {6, warn, ok, 125}}},

		{"absent after the last data", absent, []step{
			{t: 0, v: 5}, {t: 30, gone: true}, {t: 59, gone: true}, {t: 60, gone: true}, {t: 61, gone: true}, {t: 70, v: 5},
		}, []want{{60, ok, crit, nan}, {70, crit, ok, nan}}},

		{"absent when never seen counts from the first tick", absent, []step{
			{t: 0, gone: true}, {t: 59, gone: true}, {t: 60, gone: true},
		}, []want{{60, unk, crit, nan}}},

		{"a value whose time stands still is absent", absent, []step{
			{t: 0, v: 0}, {t: 30, v: 0, dataT: secs(0)}, {t: 60, v: 0, dataT: secs(0)}, {t: 61, v: 0},
		}, []want{{60, ok, crit, nan}, {61, crit, ok, nan}}},

		{"absence wins over stale", absent, []step{
			{t: 0, v: 1}, {t: 10, v: 1, h: sources.HealthStale, dataT: secs(0)}, {t: 60, v: 1, h: sources.HealthStale, dataT: secs(0)},
		}, []want{{10, ok, sources.StateStale, nan}, {60, sources.StateStale, crit, nan}}},

		{"absence lasts until data, even into a phase with a longer limit", Rule{Indicator: "x", Absent: Absence(dur("60s")),
			Phases: PhaseOverrides{Hot: &Override{Absent: absp("20s")}}}, []step{
			{t: 0, v: 1, phase: schedule.PhaseHot}, {t: 20, gone: true, phase: schedule.PhaseHot},
			{t: 30, gone: true}, {t: 40, v: 1, dataT: secs(0)}, {t: 50, v: 1},
		}, []want{{20, ok, crit, nan}, {50, crit, ok, nan}}},

		{"a phase that switches the threshold off clears the state", Rule{Indicator: "x", Warn: Float(1),
			Phases: PhaseOverrides{Hot: &Override{Warn: Float(math.Inf(1))}}}, []step{
			{t: 0, v: 3}, {t: 1, v: 3, phase: schedule.PhaseHot},
		}, []want{{0, unk, warn, 1}, {1, warn, ok, nan}}},

		{"stale and error pass through", above, []step{
			{t: 0, v: 0.5}, {t: 1, v: 0.5, h: sources.HealthStale}, {t: 2, v: 0.5, h: sources.HealthError},
			{t: 3, v: nan, h: sources.HealthUnreachable}, {t: 4, v: 0.5},
		}, []want{{1, ok, sources.StateStale, nan}, {2, sources.StateStale, sources.StateError, nan}, {4, sources.StateError, ok, nan}}},

		{"after stale a level still earned returns without pending", pending, []step{
			{t: 0, v: 3}, {t: 30, v: 3}, {t: 31, v: 3, h: sources.HealthStale}, {t: 40, v: 3},
		}, []want{{30, ok, crit, 2}, {31, crit, sources.StateStale, nan}, {40, sources.StateStale, crit, 2}}},

		{"stale resets pending", pending, []step{
			{t: 0, v: 0}, {t: 10, v: 3}, {t: 20, v: 3, h: sources.HealthStale}, {t: 25, v: 3}, {t: 54, v: 3}, {t: 55, v: 3},
		}, []want{{20, ok, sources.StateStale, nan}, {25, sources.StateStale, ok, nan}, {55, ok, crit, 2}}},

		{"missing reading or NaN keeps the state", above, []step{
			{t: 0, v: 1.5}, {t: 1, gone: true}, {t: 2, v: nan}, {t: 3, v: 1.5, h: sources.HealthUnknown}, {t: 4, v: 0},
		}, []want{{0, unk, warn, 1}, {4, warn, ok, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := run(t, c.rule, c.steps)
			check(t, got, c.want)
		})
	}
}

// The default 499 rule: crit above 1/s normally, 5/s in hot. A steady
// 3/s is crit while approaching and falls to warn the instant the stage
// ends; 6/s in hot must then last 3 s (HotHold) to be crit again.
func TestPhaseOverrideAcrossBoundary(t *testing.T) {
	var r Rule
	for _, d := range DefaultRules() {
		if d.Indicator == "nginx.499_rate" {
			r = d
		}
	}
	A, H, C := schedule.PhaseApproaching, schedule.PhaseHot, schedule.PhaseCooling
	steps := []step{
		{t: 0, v: 3, phase: A, ms: "Day 1"},
		{t: 30, v: 3, phase: A, ms: "Day 1"},
		{t: 599, v: 3, phase: A, ms: "Day 1"},
		{t: 600, v: 3, phase: H, ms: "Day 1"},
		{t: 610, v: 6, phase: H, ms: "Day 1"},
		{t: 612, v: 6, phase: H, ms: "Day 1"},
		{t: 613, v: 6, phase: H, ms: "Day 1"},
		{t: 1200, v: 3, phase: C, ms: "Day 1"},
		{t: 1201, v: 0.7, phase: C, ms: "Day 1"}, // above warn × recover: stays warn
		{t: 1202, v: 0.3, phase: C, ms: "Day 1"},
	}
	got, e := run(t, r, steps)
	check(t, got, []want{
		{30, ok, crit, 1},
		{600, crit, warn, 4},
		{613, warn, crit, 5},
		{1201, crit, warn, 0.8},
		{1202, warn, ok, 0.4},
	})
	if got[1].Phase != H || got[1].Milestone != "Day 1" || got[1].Value != 3 {
		t.Errorf("boundary transition = %+v", got[1])
	}
	if got[0].Phase != A {
		t.Errorf("first transition phase = %v", got[0].Phase)
	}
	if s := e.Status()[0]; s.Warn != 0.5 || s.Crit != 1 {
		t.Errorf("status thresholds in cooling = %g/%g, want 0.5/1", s.Warn, s.Crit)
	}
}

func TestStatusAndWorst(t *testing.T) {
	rules := Rules{
		{Indicator: "a", Warn: Float(1), Crit: Float(2), For: dur("30s")},
		{Indicator: "b", Warn: Float(1)},
		{Indicator: "c", Crit: Float(1)},
	}
	e, err := NewEngine(rules)
	if err != nil {
		t.Fatal(err)
	}
	if e.Worst() != unk {
		t.Fatalf("worst before any tick = %v", e.Worst())
	}
	at := t0
	e.Evaluate(at, schedule.PhaseNormal, "", map[string]Reading{
		"a": {Value: 3, At: at, Health: sources.HealthOK},
		"b": {Value: 0, At: at, Health: sources.HealthOK},
		"c": {Value: 0, At: at, Health: sources.HealthError},
	})
	st := e.Status()
	if st[0].State != ok || st[0].Pending != crit || !st[0].PendingSince.Equal(at) || st[0].Value != 3 {
		t.Errorf("a = %+v, want ok, pending crit since t0", st[0])
	}
	if st[1].State != ok || !math.IsNaN(st[1].Crit) || st[1].Warn != 1 {
		t.Errorf("b = %+v", st[1])
	}
	if st[2].State != sources.StateError {
		t.Errorf("c = %+v", st[2])
	}
	if e.Worst() != sources.StateError {
		t.Errorf("worst = %v, want error", e.Worst())
	}
	at = at.Add(30 * time.Second)
	e.Evaluate(at, schedule.PhaseNormal, "", map[string]Reading{"a": {Value: 3, At: at, Health: sources.HealthOK}})
	if e.Worst() != crit {
		t.Errorf("worst = %v, want crit", e.Worst())
	}
	if s := e.Status()[0]; s.Pending != unk || !s.Since.Equal(at) {
		t.Errorf("a after firing = %+v", s)
	}
}

func TestSeverityOrder(t *testing.T) {
	order := []sources.State{unk, ok, sources.StateStale, warn, sources.StateError, crit}
	for i := 1; i < len(order); i++ {
		if Severity(order[i]) <= Severity(order[i-1]) {
			t.Errorf("%v is not worse than %v", order[i], order[i-1])
		}
	}
}

func TestNewEngineRejectsBadRules(t *testing.T) {
	_, err := NewEngine(Rules{{Indicator: "x", Warn: Float(3), Crit: Float(2)}})
	if err == nil || err.Error() != "watch: rules[0].warn: 3 is above crit 2 (direction above)" {
		t.Fatalf("error = %v", err)
	}
}

// Reasons give thresholds as the screen writes the indicator's values when
// a format is set, and as plain numbers otherwise.
func TestReasonsInTheIndicatorsUnit(t *testing.T) {
	r := Rule{Indicator: "nginx.slow_ratio", Direction: Above, Warn: Float(0.0005), Crit: Float(0.002)}
	for _, tc := range []struct {
		format func(string, float64) string
		want   string
	}{
		{nil, "above crit 0.002"},
		{func(ind string, v float64) string { return fmt.Sprintf("%s:%g‱", ind, v*10000) }, "above crit nginx.slow_ratio:20‱"},
	} {
		e, err := NewEngine(Rules{r})
		if err != nil {
			t.Fatal(err)
		}
		e.SetFormat(tc.format)
		trs := e.Evaluate(t0, schedule.PhaseNormal, "", map[string]Reading{"nginx.slow_ratio": {Value: 0.01, At: t0, Health: sources.HealthOK}})
		if len(trs) != 1 || trs[0].Reason != tc.want {
			t.Errorf("transitions %+v, want one with reason %q", trs, tc.want)
		}
	}
}

// Back from an outage, a level held before it returns with a reason that
// says it is held (past the recovery level, or on too little to judge),
// not "above warn" for a value below it; and a silence while the source
// fails names the failure.
func TestBackFromAnOutageSaysTheLevelIsHeld(t *testing.T) {
	e, err := NewEngine(Rules{{Indicator: "db", Warn: Float(4), Crit: Float(10), Recover: 0.5}, {Indicator: "slow", Crit: Float(0.002), MinCount: 5},
		{Indicator: "qps", Absent: Absence(dur("10s"))}})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ok := func(s int, v float64, n float64) Reading {
		return Reading{Value: v, At: at(s), Health: sources.HealthOK, Counted: true, Count: n, Total: 100}
	}
	down := func(s int) Reading { return Reading{Value: math.NaN(), At: at(s), Health: sources.HealthUnreachable} }
	reasons := map[string]string{}
	for s, rd := range []map[string]Reading{
		{"db": ok(0, 5, 5), "slow": ok(0, 0.02, 20), "qps": ok(0, 50, 50)},
		{"db": down(1), "slow": down(1), "qps": down(1)},
		{"db": ok(2, 3.5, 3.5), "slow": ok(2, 0.01, 1), "qps": down(2)},
	} {
		for _, tr := range e.Evaluate(at(s), schedule.PhaseNormal, "", rd) {
			reasons[tr.Indicator+" "+tr.From.String()+"→"+tr.To.String()] = tr.Reason
		}
	}
	for _, tr := range e.Evaluate(at(12), schedule.PhaseNormal, "", map[string]Reading{"qps": down(12)}) {
		reasons[tr.Indicator+" "+tr.From.String()+"→"+tr.To.String()] = tr.Reason
	}
	for k, want := range map[string]string{
		"db error→warn":   "warn held: past the recovery level 2",
		"slow error→crit": "crit held: 1 of min_count 5 in the span",
		"qps error→crit":  "no data for 12s (source unreachable)",
	} {
		if reasons[k] != want {
			t.Errorf("%s: %q, want %q (all: %v)", k, reasons[k], want, reasons)
		}
	}
}
