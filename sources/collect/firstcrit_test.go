package collect

import (
	"testing"
	"time"

	"warroom/sources"
)

// The header's "first crit since the stage end": the earliest crit at or
// after the end, only once the end has passed; crits before it, warns and
// recoveries after it do not count.
func TestFirstCritSinceTheStageEnd(t *testing.T) {
	end := &sources.Milestone{Stage: "Final", At: midnight}
	tr := func(sec int, name string, to sources.State) sources.Transition {
		return sources.Transition{At: midnight.Add(time.Duration(sec) * time.Second), Indicator: name, To: to}
	}
	tl := []sources.Transition{
		tr(-30, "nginx.qps", sources.StateCrit), // before the end
		tr(3, "nginx.499_rate", sources.StateWarn),
		tr(9, "app.db", sources.StateCrit),
		tr(0, "nginx.slow_ratio", sources.StateCrit), // at the end, out of order
		tr(20, "nginx.slow_ratio", sources.StateOK),
	}
	for _, c := range []struct {
		name string
		tl   []sources.Transition
		cur  *sources.Milestone
		at   time.Time
		want string // "" for none
	}{
		{"after the end", tl, end, midnight.Add(time.Minute), "nginx.slow_ratio"},
		{"at the end", tl, end, midnight, "nginx.slow_ratio"},
		{"before the end", tl, end, midnight.Add(-time.Second), ""},
		{"no window", tl, nil, midnight.Add(time.Minute), ""},
		{"crits only before", tl[:2], end, midnight.Add(time.Minute), ""},
		{"empty", nil, end, midnight.Add(time.Minute), ""},
	} {
		got := firstCrit(c.tl, c.cur, c.at)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%s: got %+v, want none", c.name, *got)
		case c.want != "" && (got == nil || got.Indicator != c.want):
			t.Errorf("%s: got %+v, want %s", c.name, got, c.want)
		}
	}
	// a copy: the snapshot's Timeline stays its own
	got := firstCrit(tl, end, midnight.Add(time.Minute))
	got.Indicator = "changed"
	if tl[3].Indicator != "nginx.slow_ratio" {
		t.Error("firstCrit returned a pointer into the timeline")
	}
}

// Over the test night the snapshot names the first crit since midnight:
// slow_ratio at 00:00:08 (499s follow at 00:00:11), in the event's zone.
func TestFirstCritOverTheNight(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.tickThrough(t0.Add(30*time.Second), midnight.Add(90*time.Second))
	fc := snapOf(f.c, sources.View{}).FirstCrit
	if fc == nil || fc.Indicator != "nginx.slow_ratio" || !fc.At.Equal(midnight.Add(8*time.Second)) ||
		fc.At.Location().String() != "Asia/Shanghai" || fc.Unit != sources.UnitRatio {
		t.Errorf("first crit since midnight: %+v, want nginx.slow_ratio at 00:00:08 Asia/Shanghai in its unit", fc)
	}
}
