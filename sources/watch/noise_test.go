package watch

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/config"
	"warroom/sources/schedule"
)

// evalReadings runs one rule over readings, a second apart from t0, in
// phase p, and returns the transitions and the engine.
func evalReadings(t *testing.T, r Rule, p schedule.Phase, rds []Reading) ([]Transition, *Engine) {
	t.Helper()
	e, err := NewEngine(Rules{r})
	if err != nil {
		t.Fatal(err)
	}
	var out []Transition
	for i, rd := range rds {
		at := t0.Add(time.Duration(i) * time.Second)
		if rd.At.IsZero() {
			rd.At = at
		}
		if rd.Health == sources.HealthUnknown {
			rd.Health = sources.HealthOK
		}
		out = append(out, e.Evaluate(at, p, "", map[string]Reading{r.Indicator: rd})...)
	}
	return out, e
}

// One slow request of 600 in the span is 17‱, above crit, and no alarm:
// the rule needs five. Five slow requests fire; in HOT after HotHold.
func TestMinCountIsANoiseFloor(t *testing.T) {
	r := DefaultRules()[1]
	if r.Indicator != "nginx.slow_ratio" || r.MinCount != 5 {
		t.Fatalf("default rule %+v", r)
	}
	one := Reading{Value: 1.0 / 600, Counted: true, Count: 1, Total: 600}
	var rds []Reading
	for range 60 {
		rds = append(rds, one)
	}
	got, e := evalReadings(t, r, schedule.PhaseHot, rds)
	if len(got) != 0 {
		t.Fatalf("one slow request fired: %+v", got)
	}
	if st := e.Status()[0]; st.State != sources.StateOK || st.Reason != "1 of min_count 5 in the span" || !st.PendingSince.IsZero() {
		t.Fatalf("status %+v: the reason must say why a value above crit is ok", st)
	}
	five := Reading{Value: 5.0 / 600, Counted: true, Count: 5, Total: 600}
	rds = rds[:0]
	for range 10 {
		rds = append(rds, five)
	}
	got, _ = evalReadings(t, r, schedule.PhaseHot, rds)
	if len(got) != 1 || got[0].To != sources.StateCrit || got[0].At != t0.Add(HotHold) {
		t.Fatalf("five slow requests: %+v, want crit after %s", got, HotHold)
	}
	// a thin span (3 requests, all slow) is not judged either
	thin := Reading{Value: 1, Counted: true, Count: 5, Total: 3}
	if got, _ := evalReadings(t, r, schedule.PhaseHot, []Reading{thin, thin, thin, thin, thin, thin, thin}); len(got) != 0 {
		t.Fatalf("min_total: %+v", got)
	}
	// Prometheus values carry no counts: the floor does not apply
	if got, _ := evalReadings(t, r, schedule.PhaseHot, []Reading{{Value: 1}, {Value: 1}, {Value: 1}, {Value: 1}, {Value: 1}, {Value: 1}}); len(got) != 1 {
		t.Fatalf("uncounted: %+v", got)
	}
}

// A burst of DB errors rings at once; one every 100 s never does.
func TestDBRuleRingsOnABurstOnly(t *testing.T) {
	var r Rule
	for _, d := range DefaultRules() {
		if d.Indicator == "app.db" {
			r = d
		}
	}
	var rds []Reading
	for range 600 { // the last minute's count stays at 1
		rds = append(rds, Reading{Value: 1})
	}
	if got, _ := evalReadings(t, r, schedule.PhaseNormal, rds); len(got) != 0 {
		t.Fatalf("one error a minute rang: %+v", got)
	}
	got, _ := evalReadings(t, r, schedule.PhaseNormal, []Reading{{Value: 3}, {Value: 4}, {Value: 5}})
	if len(got) != 1 || got[0].To != sources.StateWarn || got[0].At != t0.Add(2*time.Second) {
		t.Fatalf("five in a minute: %+v, want warn at the tick that counts the fifth", got)
	}
}

// absent: auto waits 8 of a source's usual gaps, at least 10 s: a busy log
// is silent after 10 s, one that writes a line a minute after 8 minutes.
func TestAutoAbsentFollowsThePace(t *testing.T) {
	r := Rule{Indicator: "x", Absent: AbsentAuto}
	for _, c := range []struct {
		name string
		gap  time.Duration
		want time.Duration
	}{
		{"five lines a second", 200 * time.Millisecond, AutoAbsentMin},
		{"a line every 5 s", 5 * time.Second, 40 * time.Second},
		{"a line a minute", time.Minute, 8 * time.Minute},
		{"a line an hour", time.Hour, AutoAbsentMax},
		{"pace unknown", 0, AutoAbsentUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := NewEngine(Rules{r})
			if err != nil {
				t.Fatal(err)
			}
			last := t0 // the newest line
			var fired time.Time
			for s := time.Duration(0); s <= 20*time.Minute && fired.IsZero(); s += time.Second {
				at := t0.Add(s)
				for _, tr := range e.Evaluate(at, schedule.PhaseHot, "", map[string]Reading{"x": {Value: 1, At: last, Health: sources.HealthOK, Gap: c.gap}}) {
					if tr.To == sources.StateCrit {
						fired = at
					}
				}
			}
			if got := fired.Sub(last); got != c.want {
				t.Fatalf("silent after %s, want %s", got, c.want)
			}
		})
	}
	// an explicit absent wins
	r.Absent = Absence(dur("3s"))
	got, _ := evalReadings(t, r, schedule.PhaseNormal, []Reading{{Value: 1, Gap: time.Minute}, {Value: 1, At: t0, Gap: time.Minute}, {Value: 1, At: t0, Gap: time.Minute}, {Value: 1, At: t0, Gap: time.Minute}})
	if len(got) != 1 || got[0].At != t0.Add(3*time.Second) {
		t.Fatalf("explicit absent: %+v", got)
	}
}

// In HOT a rule holds at most HotHold, also when its hot override changes
// only thresholds; a hot override that names for keeps it.
func TestHotHoldInheritance(t *testing.T) {
	base := Rule{Indicator: "x", Warn: Float(1), Crit: Float(2), For: dur("30s")}
	for _, c := range []struct {
		name string
		hot  *Override
		want time.Duration
	}{
		{"no override", nil, HotHold},
		{"override without for", &Override{Warn: Float(1.5)}, HotHold},
		{"override with a longer for", &Override{For: durp("20s")}, 20 * time.Second},
		{"override with none", &Override{For: durp("0s")}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := base
			r.Phases.Hot = c.hot
			if got := r.Effective(schedule.PhaseHot).For; got != c.want {
				t.Fatalf("hot for %s, want %s", got, c.want)
			}
			if got := r.Effective(schedule.PhaseNormal).For; got != 30*time.Second {
				t.Fatalf("normal for %s", got)
			}
		})
	}
	// a rule whose base holds less than HotHold keeps it in HOT
	r := Rule{Indicator: "x", Crit: Float(2), For: dur("2s")}
	if got := r.Effective(schedule.PhaseHot).For; got != 2*time.Second {
		t.Fatalf("short base for in hot: %s", got)
	}
}

func TestPatterns(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"nginx.*.5xx_ratio", "nginx.pay.5xx_ratio", true},
		{"nginx.*.5xx_ratio", "nginx.5xx_ratio", false},
		{"nginx.*.5xx_ratio", "nginx.pay.api.5xx_ratio", false},
		{"*.qps", "web.qps", true},
		{"*.qps", "web.pay.qps", false},
		{"nginx.qps", "nginx.qps", true},
	} {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.name, got)
		}
	}
	names := []string{"web.qps", "web.5xx_ratio", "web.pay.5xx_ratio", "web.api.5xx_ratio", "web.pay.qps"}
	rs := Rules{
		{Indicator: "web.*.5xx_ratio", Crit: Float(0.05)},
		{Indicator: "web.api.5xx_ratio", Crit: Float(0.2)}, // an exact rule wins
	}
	got := rs.Expand(names)
	var b strings.Builder
	for _, r := range got {
		fmt.Fprintf(&b, "%s=%g ", r.Indicator, *r.Crit)
	}
	if want := "web.pay.5xx_ratio=0.05 web.api.5xx_ratio=0.2 "; b.String() != want {
		t.Fatalf("expanded %q, want %q", b.String(), want)
	}
	if err := rs.CheckIndicators(func(string) bool { return true }, []string{"web.qps"}); err == nil || !strings.Contains(err.Error(), `"web.*.5xx_ratio" matches no indicator`) {
		t.Fatalf("a pattern matching nothing: %v", err)
	}
	bad := Rule{Indicator: "web.p*.qps", Crit: Float(1)}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "* stands for a whole part") {
		t.Fatalf("partial wildcard: %v", err)
	}
}

func TestAbsentAutoInYAML(t *testing.T) {
	var f file
	err := config.Load(strings.NewReader("rules:\n  - indicator: nginx.qps\n    absent: auto\n    phases:\n      hot: {absent: auto}\n  - indicator: nginx.*.5xx_ratio\n    crit: 0.05\n    min_count: 3\n    min_total: 50\n"), &f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rules[0].Absent != AbsentAuto || *f.Rules[0].Phases.Hot.Absent != AbsentAuto || f.Rules[0].Absent.String() != "auto" {
		t.Fatalf("absent %v", f.Rules[0].Absent)
	}
	if r := f.Rules[1]; r.MinCount != 3 || r.MinTotal != 50 || !IsPattern(r.Indicator) {
		t.Fatalf("rule %+v", r)
	}
}

// A crit whose storm thins out under the floor (4 slow requests left in
// the span, at ten times crit) is held, not cleared with an all-clear;
// with too little to judge for FloorHold it lets go.
func TestFloorHoldsAFiringLevel(t *testing.T) {
	r := DefaultRules()[1] // slow ratio: crit 20‱, min_count 5
	var rds []Reading
	for range 10 {
		rds = append(rds, Reading{Value: 0.05, Counted: true, Count: 50, Total: 1000})
	}
	thin := Reading{Value: 0.05, Counted: true, Count: 4, Total: 80}
	for range 70 {
		rds = append(rds, thin)
	}
	got, e := evalReadings(t, r, schedule.PhaseHot, rds[:20])
	if len(got) != 1 || got[0].To != sources.StateCrit {
		t.Fatalf("storm: %+v", got)
	}
	if st := e.Status()[0]; st.State != sources.StateCrit || st.Reason != "crit held: 4 of min_count 5 in the span" {
		t.Fatalf("thinned out: %s %q", st.State, st.Reason)
	}
	got, e = evalReadings(t, r, schedule.PhaseHot, rds)
	if len(got) != 2 || got[1].To != sources.StateOK || got[1].At != t0.Add(time.Duration(10)*time.Second+FloorHold) {
		t.Fatalf("after FloorHold: %+v", got)
	}
	if !strings.HasPrefix(got[1].Reason, "too little to judge for 1m") {
		t.Fatalf("reason %q", got[1].Reason)
	}
	// a thin value already back below recovery clears at once
	back := append(rds[:10:10], Reading{Value: 0.0001, Counted: true, Count: 1, Total: 900})
	if got, _ := evalReadings(t, r, schedule.PhaseHot, back); len(got) != 2 || got[1].At != t0.Add(10*time.Second) {
		t.Fatalf("thin and recovered: %+v", got)
	}
}

// A log whose history is still being read (a big file from its start
// position) has no value yet but is not absent: absence counts from when
// the reading is done, so a slow start raises nothing, and a log that
// stays empty after it still does.
func TestLoadingIsNotAbsence(t *testing.T) {
	e, err := NewEngine(Rules{{Indicator: "x", Absent: AbsentAuto}})
	if err != nil {
		t.Fatal(err)
	}
	loading := Reading{Value: math.NaN(), Health: sources.HealthUnknown, Gap: 100 * time.Millisecond, Loading: true}
	for s := 0; s < 120; s++ {
		if trs := e.Evaluate(t0.Add(time.Duration(s)*time.Second), schedule.PhaseHot, "", map[string]Reading{"x": loading}); len(trs) > 0 {
			t.Fatalf("while loading, at +%ds: %v", s, trs)
		}
	}
	// done loading, and nothing came: absent 10 s after the last tick
	// that was still loading
	empty := Reading{Value: math.NaN(), Health: sources.HealthUnknown, Gap: 100 * time.Millisecond}
	var fired time.Duration
	for s := 120; s < 200 && fired == 0; s++ {
		for _, tr := range e.Evaluate(t0.Add(time.Duration(s)*time.Second), schedule.PhaseHot, "", map[string]Reading{"x": empty}) {
			if tr.To == sources.StateCrit {
				fired = time.Duration(s-119) * time.Second
			}
		}
	}
	if fired != AutoAbsentMin {
		t.Errorf("an empty log after loading was absent after %v, want %v", fired, AutoAbsentMin)
	}
}
