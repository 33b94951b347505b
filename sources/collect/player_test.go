package collect

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// playerNight is the test night as a player replays it: every collector
// Build makes records its transitions into builds[i].
type playerNight struct {
	access, app string
	builds      []*[]sources.Transition
	wall        time.Time
}

func newPlayerNight(t *testing.T) *playerNight {
	n := &playerNight{wall: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	n.access, n.app = night(t, t.TempDir())
	return n
}

func (n *playerNight) build(t *testing.T) func(*SteppedClock) (*Collector, error) {
	return func(clock *SteppedClock) (*Collector, error) {
		ncfg := nginx.DefaultSourceConfig
		ncfg.Paths, ncfg.Start, ncfg.Format = []string{n.access}, "beginning", "timed"
		ncfg.Groups = []nginx.GroupConfig{{Name: "pay", Prefix: "/pay/"}}
		if err := ncfg.Validate(); err != nil {
			return nil, err
		}
		access, err := nginx.NewSource(ncfg, clock.Now)
		if err != nil {
			return nil, err
		}
		acfg := applog.DefaultSourceConfig
		acfg.Paths, acfg.Start = []string{n.app}, "beginning"
		app, err := applog.NewSource(acfg, clock.Now)
		if err != nil {
			return nil, err
		}
		trs := new([]sources.Transition)
		n.builds = append(n.builds, trs)
		o := Options{Nginx: []*nginx.Source{access}, Apps: []*applog.Source{app},
			Schedule: func() *schedule.Schedule { return testSchedule(t) },
			Refresh:  time.Hour, Now: clock.Now, Sinks: []sources.Sink{recorder{trs}}}
		o.Rules = watch.WithDefaults(nil, Names([]nginx.SourceConfig{ncfg}, []applog.SourceConfig{acfg}, nil))
		return New(o)
	}
}

// reference is what a full-speed Replay of the night fires.
func (n *playerNight) reference(t *testing.T) []sources.Transition {
	clock := NewSteppedClock(time.Unix(0, 0))
	c, err := n.build(t)(clock)
	must(t, err)
	must(t, c.Replay(context.Background(), clock.Set))
	return *n.builds[len(n.builds)-1]
}

func (n *playerNight) player(t *testing.T, speed float64) *Player {
	p, err := NewPlayer(PlayerOptions{Build: n.build(t), Speed: speed, Wall: func() time.Time { return n.wall }})
	must(t, err)
	t.Cleanup(p.Close)
	return p
}

// frames runs k frames of d wall time each.
func (n *playerNight) frames(t *testing.T, p *Player, k int, d time.Duration) {
	t.Helper()
	for range k {
		n.wall = n.wall.Add(d)
		must(t, p.Frame(context.Background(), d))
	}
}

func transitionsText(trs []sources.Transition) string {
	s := ""
	for _, tr := range trs {
		s += fmt.Sprintf("%s %s %s→%s %g\n", tr.At.Format(time.RFC3339), tr.Indicator, tr.From, tr.To, tr.Value)
	}
	return s
}

// Whatever the pace — 60×, paused, doubled, full speed, 1× — a player
// fires exactly the transitions a full-speed Replay fires, at the same
// log instants.
func TestPlayerFiresWhatReplayFires(t *testing.T) {
	n := newPlayerNight(t)
	want := transitionsText(n.reference(t))
	if want == "" {
		t.Fatal("the reference night fired nothing")
	}
	p := n.player(t, 60)
	first, err := p.Start(context.Background())
	must(t, err)
	if !first.Equal(t0) {
		t.Errorf("input starts %v, want %v", first, t0)
	}
	n.frames(t, p, 5, 100*time.Millisecond) // 30 s of the night
	at := p.Snapshot().At
	if d := at.Sub(t0); d < 29*time.Second || d > 31*time.Second {
		t.Errorf("after 0.5 s at 60× the clock is %v past the start, want 30 s", d)
	}
	p.TogglePause()
	n.frames(t, p, 10, time.Second)
	if s := p.Snapshot(); !s.At.Equal(at) || !s.Replay.Paused {
		t.Errorf("paused: clock moved from %v to %v (state %+v)", at, s.At, s.Replay)
	}
	p.TogglePause()
	p.Slower()
	p.Slower() // 15×
	n.frames(t, p, 2, time.Second)
	if d := p.Snapshot().At.Sub(at); d < 29*time.Second || d > 31*time.Second {
		t.Errorf("2 s at 15× moved the clock %v, want 30 s", d)
	}
	for range 20 {
		p.Faster()
	}
	if s := p.Snapshot().Replay; s.Speed != sources.MaxSpeed {
		t.Errorf("speed after 20 doublings %g, want full speed", s.Speed)
	}
	n.frames(t, p, 3, 100*time.Millisecond)
	s := p.Snapshot()
	if !s.Replay.Done || s.Replay.To.IsZero() {
		t.Fatalf("full speed did not reach the end: %+v at %v", s.Replay, s.At)
	}
	if got := transitionsText(*n.builds[len(n.builds)-1]); got != want {
		t.Errorf("player fired\n%s\nreplay fired\n%s", got, want)
	}
	var shown []sources.Transition
	for _, tr := range s.Timeline {
		shown = append(shown, tr)
	}
	if got := transitionsText(shown); got != want {
		t.Errorf("timeline shows\n%s\nreplay fired\n%s", got, want)
	}
}

// m goes back to the stage end: the night is replayed from its start in
// a fresh collector to there, and paused; what fired up to there is what
// the full night fired up to there.
func TestPlayerSeeksBackToTheStageEnd(t *testing.T) {
	n := newPlayerNight(t)
	ref := n.reference(t)
	p := n.player(t, sources.MaxSpeed)
	_, err := p.Start(context.Background())
	must(t, err)
	n.frames(t, p, 3, 100*time.Millisecond)
	if !p.Snapshot().Replay.Done {
		t.Fatal("not at the end")
	}
	builds := len(n.builds)
	p.SeekStage(-1)
	if s := p.Snapshot().Replay; !s.Seeking.Equal(midnight) {
		t.Fatalf("m seeks to %v, want the stage end %v", s.Seeking, midnight)
	}
	n.frames(t, p, 3, 100*time.Millisecond)
	s := p.Snapshot()
	if len(n.builds) != builds+1 {
		t.Errorf("%d collectors built for a seek back, want one", len(n.builds)-builds)
	}
	if s.Replay.Epoch != 1 {
		t.Errorf("epoch %d after a seek back, want 1: a screen would take its snapshots for stale ones", s.Replay.Epoch)
	}
	if !s.At.Equal(midnight) || !s.Replay.Paused || !s.Replay.Seeking.IsZero() || s.Replay.Done {
		t.Errorf("after m: at %v, state %+v; want paused at %v", s.At, s.Replay, midnight)
	}
	var upTo []sources.Transition
	for _, tr := range ref {
		if !tr.At.After(midnight) {
			upTo = append(upTo, tr)
		}
	}
	if got, want := transitionsText(*n.builds[len(n.builds)-1]), transitionsText(upTo); got != want {
		t.Errorf("fired up to the stage end\n%s\nwant\n%s", got, want)
	}
	n.frames(t, p, 5, time.Second)
	if !p.Snapshot().At.Equal(midnight) {
		t.Error("the clock moved while paused at the stage end")
	}
	p.SeekStage(-1)
	if s := p.Snapshot().Replay; s.Note != "no earlier stage end" || !s.Seeking.IsZero() {
		t.Errorf("m before the first stage end: %+v", s)
	}
	// forward, playing: no new collector, and the rest of the night fires
	// as the full replay did
	p.SeekTo(midnight.Add(30*time.Second), false)
	n.frames(t, p, 3, 100*time.Millisecond)
	if s := p.Snapshot(); s.Replay.Paused || !s.Replay.Seeking.IsZero() {
		t.Errorf("a seek that plays on arrived %+v", s.Replay)
	}
	for range 20 {
		p.Faster()
	}
	n.frames(t, p, 3, 100*time.Millisecond)
	if len(n.builds) != builds+1 {
		t.Error("a seek forward built a collector")
	}
	if got, want := transitionsText(*n.builds[len(n.builds)-1]), transitionsText(ref); got != want {
		t.Errorf("after the seeks the night fired\n%s\nwant\n%s", got, want)
	}
}

// Keys at their limits say so rather than doing nothing silently.
func TestPlayerSpeedLimits(t *testing.T) {
	n := newPlayerNight(t)
	p := n.player(t, 2)
	p.Slower()
	if s := p.Snapshot().Replay; s.Speed != 1 || s.Note != "" {
		t.Errorf("2× slower: %+v", s)
	}
	p.Slower()
	if s := p.Snapshot().Replay; s.Speed != 1 || s.Note == "" {
		t.Errorf("1× slower: %+v, want a note", s)
	}
	for range 12 {
		p.Faster()
	}
	if s := p.Snapshot().Replay; s.Speed != MaxFiniteSpeed {
		t.Errorf("12 doublings of 1×: %g", s.Speed)
	}
	p.Faster()
	p.Faster()
	if s := p.Snapshot().Replay; s.Speed != sources.MaxSpeed || s.Note == "" {
		t.Errorf("past the fastest finite speed: %+v", s)
	}
	p.Slower()
	if s := p.Snapshot().Replay; s.Speed != MaxFiniteSpeed {
		t.Errorf("full speed slower: %g, want back to %d, the speed ] left", s.Speed, MaxFiniteSpeed)
	}
	// from 60 the ladder stays whole and comes back: 60 … 3840, max, 3840
	q := n.player(t, 60)
	var up []float64
	for range 7 {
		q.Faster()
		up = append(up, q.Snapshot().Replay.Speed)
	}
	q.Slower()
	back := q.Snapshot().Replay.Speed
	for range 8 {
		q.Slower()
	}
	var down []float64
	for range 7 {
		q.Slower()
		down = append(down, q.Snapshot().Replay.Speed)
	}
	if fmt.Sprint(up) != "[120 240 480 960 1920 3840 0]" || back != 3840 || fmt.Sprint(down) != "[8 4 2 1 1 1 1]" {
		t.Errorf("] from 60: %v, then [ %v; down from 15: %v", up, back, down)
	}
	for _, bad := range []float64{0.5, math.NaN(), MaxFiniteSpeed + 1} {
		if _, err := NewPlayer(PlayerOptions{Build: n.build(t), Speed: bad}); err == nil {
			t.Errorf("speed %g was taken", bad)
		}
	}
}

// A seek past either end of the input lands at that end and says so.
func TestPlayerSeekOutsideTheInputSaysSo(t *testing.T) {
	n := newPlayerNight(t)
	p := n.player(t, 60)
	_, err := p.Start(context.Background())
	must(t, err)
	p.Seek(midnight.Add(5 * time.Hour))
	n.frames(t, p, 5, 100*time.Millisecond)
	s := p.Snapshot()
	if !s.Replay.Done || !strings.HasPrefix(s.Replay.Note, "the input ends 2027-01-01 00:01:02 CST") {
		t.Errorf("past the end: done %v, note %q", s.Replay.Done, s.Replay.Note)
	}
	seq := s.Replay.NoteSeq
	p.Seek(t0.Add(-time.Hour))
	n.frames(t, p, 5, 100*time.Millisecond)
	s = p.Snapshot()
	if !strings.HasPrefix(s.Replay.Note, "the input starts 2026-12-31 23:58:00 CST") || s.Replay.NoteSeq == seq {
		t.Errorf("before the start: at %v, note %q", s.At, s.Replay.Note)
	}
}
