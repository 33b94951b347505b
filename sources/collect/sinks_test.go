package collect

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
)

// settable is a sink whose status the test sets.
type settable struct{ st []sources.SourceStatus }

func (s *settable) Take([]sources.Transition)      {}
func (s *settable) Status() []sources.SourceStatus { return s.st }

// Every transition reaches the sinks in the one type, with the unit of
// its indicator, the rule's reason and At in the event's zone.
func TestSinksTakeTransitionsInTheEventZone(t *testing.T) {
	f := newFixture(t, t.TempDir(), true)
	f.tickThrough(midnight, midnight.Add(20*time.Second))
	var slow, rate *sources.Transition
	for i, tr := range f.trs {
		switch {
		case tr.Indicator == "nginx.slow_ratio" && slow == nil:
			slow = &f.trs[i]
		case tr.Indicator == "nginx.499_rate" && rate == nil:
			rate = &f.trs[i]
		}
	}
	if slow == nil || rate == nil {
		t.Fatalf("transitions %v", f.trs)
	}
	if slow.Unit != sources.UnitRatio || rate.Unit != sources.UnitPerSecond || slow.Reason == "" || rate.Reason == "" {
		t.Errorf("unit and reason: %+v, %+v", *slow, *rate)
	}
	// the schedule's time_zone is Asia/Shanghai
	if loc := slow.At.Location().String(); loc != "Asia/Shanghai" {
		t.Errorf("At in %s", loc)
	}
	s := snapOf(f.c, sources.View{})
	if s.Zone.String() != "Asia/Shanghai" || s.Timeline[0].At.Location().String() != "Asia/Shanghai" || s.Timeline[0].Unit == "" {
		t.Errorf("snapshot zone %v, timeline %+v", s.Zone, s.Timeline[0])
	}
}

// Without a time_zone in the schedule the event's zone is the machine's,
// not UTC.
func TestEventZone(t *testing.T) {
	zoned, err := schedule.New(schedule.Config{TimeZone: "UTC", Stages: []schedule.StageConfig{{Name: "x", End: "2027-01-01 00:00"}}})
	must(t, err)
	bare, err := schedule.New(schedule.Config{Stages: []schedule.StageConfig{{Name: "x", End: "2027-01-01T00:00:00+08:00"}}})
	must(t, err)
	for _, c := range []struct {
		s    *schedule.Schedule
		want *time.Location
	}{{zoned, time.UTC}, {bare, time.Local}, {nil, time.Local}} {
		if got := EventZone(c.s); got != c.want {
			t.Errorf("EventZone = %v, want %v", got, c.want)
		}
	}
}

// A failing output shows in the snapshot's Sources like a failing source;
// a working one, or one that has not tried yet, takes no room there.
func TestFailingSinksShowInSources(t *testing.T) {
	f := newFixture(t, t.TempDir(), false)
	sink := &settable{st: []sources.SourceStatus{
		{Name: "oncall", Kind: "feishu", Health: sources.HealthUnreachable, Detail: "HTTP 400"},
		{Name: "backup", Kind: "slack", Health: sources.HealthOK},
		{Name: "terminal", Kind: "terminal"},
	}}
	f.c.o.Sinks = append(f.c.o.Sinks, sink)
	shown := func() []string {
		var out []string
		for _, st := range snapOf(f.c, sources.View{}).Sources {
			out = append(out, st.Name+":"+st.Detail)
		}
		return out
	}
	if got := shown(); !slices.Contains(got, "oncall:HTTP 400") || slices.Contains(got, "backup:") || slices.Contains(got, "terminal:") {
		t.Errorf("sources %q", got)
	}
	sink.st[0] = sources.SourceStatus{Name: "oncall", Kind: "feishu", Health: sources.HealthOK}
	if got := shown(); slices.Contains(got, "oncall:HTTP 400") {
		t.Errorf("after the recovery: %q", got)
	}
	if all := f.c.SinkStatus(); len(all) != 3 {
		t.Errorf("SinkStatus %+v", all)
	}
}

// A report that cannot be written shows as "reports" with the reason
// until one is.
func TestUnwritableReportsShow(t *testing.T) {
	dir := t.TempDir()
	accessPath, _ := stagesNight(t, dir)
	clock, access := stagesSource(t, accessPath)
	sched := stagesSchedule(t, schedule.StageConfig{Name: "Day 1", End: "2027-01-01 00:00"})
	// a file where the directory should be: the report cannot be written,
	// whoever runs the test
	blocker := filepath.Join(dir, "blocker")
	must(t, os.WriteFile(blocker, nil, 0o644))
	c, err := New(Options{Nginx: []*nginx.Source{access}, Schedule: func() *schedule.Schedule { return sched },
		Now: clock.Now, ReportsDir: filepath.Join(blocker, "reports")})
	must(t, err)
	must(t, c.Replay(context.Background(), clock.Set))
	var got *sources.SourceStatus
	for _, st := range snapOf(c, sources.View{}).Sources {
		if st.Name == "reports" {
			got = &st
		}
	}
	if got == nil || got.Health != sources.HealthError || got.Detail != "not a directory" {
		t.Fatalf("reports entry %+v", got)
	}
	c.reportDone(nil, clock.Now())
	for _, st := range snapOf(c, sources.View{}).Sources {
		if st.Name == "reports" {
			t.Errorf("a written report did not clear it: %+v", st)
		}
	}
}
