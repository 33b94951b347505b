package watch

import (
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/schedule"
)

// PendingAt is when a held condition fires: its start plus the `for` in
// force in the phase judged last, so a pane can count down to it — and a
// phase with a shorter hold brings it forward.
func TestStatusPendingAt(t *testing.T) {
	rules := Rules{
		{Indicator: "x", Warn: Float(1), Crit: Float(5), For: dur("30s"),
			Phases: PhaseOverrides{Hot: &Override{For: durp("10s")}}},
		{Indicator: "y", Warn: Float(100), Direction: Below, For: dur("1m")},
	}
	e, err := NewEngine(rules)
	if err != nil {
		t.Fatal(err)
	}
	read := func(at time.Time, phase schedule.Phase, x, y float64) []Status {
		e.Evaluate(at, phase, "", map[string]Reading{
			"x": {Value: x, At: at, Health: sources.HealthOK},
			"y": {Value: y, At: at, Health: sources.HealthOK},
		})
		return e.Status()
	}
	st := read(t0, schedule.PhaseNormal, 2, 50)
	if s := st[0]; s.State != ok || s.Pending != warn || !s.PendingAt.Equal(t0.Add(30*time.Second)) || s.Direction != Above {
		t.Errorf("x in normal = %+v, want ok, warn at t0+30s, above", s)
	}
	if s := st[1]; s.Pending != warn || !s.PendingAt.Equal(t0.Add(time.Minute)) || s.Direction != Below {
		t.Errorf("y = %+v, want warn at t0+1m, below", s)
	}

	// crit begins 5 s later, in hot: 10 s from then; warn, begun at t0 and
	// now held 10 s in hot, fires at once
	at := t0.Add(5 * time.Second)
	st = read(at, schedule.PhaseHot, 6, 50)
	if s := st[0]; s.State != ok || s.Pending != crit || !s.PendingAt.Equal(at.Add(10*time.Second)) {
		t.Errorf("x in hot = %+v, want ok, crit at %v", s, at.Add(10*time.Second))
	}
	at = t0.Add(10 * time.Second)
	st = read(at, schedule.PhaseHot, 6, 50)
	if s := st[0]; s.State != warn || s.Pending != crit || !s.PendingAt.Equal(t0.Add(15*time.Second)) {
		t.Errorf("x held = %+v, want warn, crit at t0+15s", s)
	}
	at = t0.Add(15 * time.Second)
	st = read(at, schedule.PhaseHot, 6, 150)
	if s := st[0]; s.State != crit || s.Pending != unk || !s.PendingAt.IsZero() {
		t.Errorf("x fired = %+v, want crit, nothing pending", s)
	}
	if s := st[1]; s.Pending != unk || !s.PendingAt.IsZero() {
		t.Errorf("y back = %+v, want nothing pending", s)
	}
}
