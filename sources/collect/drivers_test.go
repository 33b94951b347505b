package collect

import (
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/watch"
)

// Over the test night the changes into crit carry what drove them — the
// 499s and slow requests all on /rank, from ten and two clients — and so
// do the snapshot's timeline, its access-log indicators and the JSON
// line; app-log indicators and path groups carry none.
func TestDriversOverTheNight(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.tickThrough(t0.Add(30*time.Second), midnight.Add(90*time.Second))
	want := map[string]string{
		// the file is read whole before the ticks: the minute after
		// midnight counts all its 60 seconds
		"nginx.499_rate":   "499 ← /rank 100% · 10 IPs · top 10.0.1.0 (60)",
		"nginx.slow_ratio": "slow ← /rank 100% · 2 IPs · top 10.0.1.10 (60)",
	}
	seen := map[string]bool{}
	for _, tr := range f.trs {
		w, ok := want[tr.Indicator]
		switch {
		case tr.To != sources.StateCrit && tr.To != sources.StateWarn:
			if tr.Driver != nil {
				t.Errorf("%s → %s carries a driver", tr.Indicator, tr.To)
			}
		case !ok:
			if tr.Driver != nil {
				t.Errorf("%s carries a driver: %+v", tr.Indicator, *tr.Driver)
			}
		case tr.Driver == nil:
			t.Errorf("%s → %s at %v without its driver", tr.Indicator, tr.To, tr.At)
		default:
			seen[tr.Indicator] = true
			if got := tr.Driver.Line(); got != w {
				t.Errorf("%s driven by %q, want %q", tr.Indicator, got, w)
			}
			if got := watch.RecordOf(tr).DrivenBy; got != w {
				t.Errorf("%s's record says driven_by %q", tr.Indicator, got)
			}
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("crits with drivers: %v, want %v (transitions %v)", seen, want, f.trs)
	}
	s := snapOf(f.c, sources.View{})
	for _, tr := range s.Timeline {
		if w, ok := want[tr.Indicator]; ok && tr.To == sources.StateCrit && (tr.Driver == nil || tr.Driver.Line() != w) {
			t.Errorf("timeline's %s → crit driven by %+v", tr.Indicator, tr.Driver)
		}
	}
	for _, in := range s.Indicators {
		switch in.Name {
		case "nginx.qps", "nginx.499_rate", "nginx.slow_ratio", "nginx.5xx_ratio":
			if in.Driver == nil || in.Driver.Source != "nginx" || in.Driver.To.Before(in.Driver.From.Add(time.Minute)) {
				t.Errorf("%s: driver %+v", in.Name, in.Driver)
			}
		default:
			if in.Driver != nil {
				t.Errorf("%s has a driver %+v", in.Name, *in.Driver)
			}
		}
	}
	// at 00:01:30 the span is in the minute after the flood: nothing
	// drives requests there, and the flood is not named any more
	if in := value(t, s, "nginx.qps"); in.Driver.Events != 0 || in.Driver.Line() != "" {
		t.Errorf("qps driven by %q a minute after the flood", in.Driver.Line())
	}
	// in the flood's minute, it is
	if in := value(t, snapOf(f.c, sources.View{End: midnight.Add(40 * time.Second)}), "nginx.qps"); in.Driver.Line() != "req ← /rank 100% · 20 IPs · top 10.0.1.0 (60)" || !in.Driver.Exact {
		t.Errorf("qps driven by %q in the flood", in.Driver.Line())
	}
	if in := value(t, s, "nginx.5xx_ratio"); in.Driver.Events != 0 || in.Driver.Line() != "" {
		t.Errorf("no 5xx, yet a driver %q", in.Driver.Line())
	}
}
