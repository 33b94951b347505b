package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/watch"
)

// replayRun drives `warroom replay`'s player over a config as the screen's
// keys would, on a wall clock the test moves; every collector it builds
// writes its transitions as watch's JSON lines into outs[i].
type replayRun struct {
	t    *testing.T
	p    *collect.Player
	outs []*bytes.Buffer
	wall time.Time
}

func startReplay(t *testing.T, cfgPath string, ro replayOptions) *replayRun {
	t.Helper()
	cfg, err := loadConfig(cfgPath)
	must(t, err)
	leaveOutLive(cfg, io.Discard, "", replayAsk{from: ro.rangeFrom, to: ro.rangeTo})
	r := &replayRun{t: t, wall: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	ro.wall = func() time.Time { return r.wall }
	ro.sinks = func() []sources.Sink {
		b := new(bytes.Buffer)
		r.outs = append(r.outs, b)
		return []sources.Sink{watch.NewJSONL("stdout", b, func(string, ...any) {})}
	}
	r.p, err = newReplay(cfg, ro)
	must(t, err)
	t.Cleanup(r.p.Close)
	return r
}

// frames runs k frames of d wall time each.
func (r *replayRun) frames(k int, d time.Duration) *sources.Snapshot {
	r.t.Helper()
	for range k {
		r.wall = r.wall.Add(d)
		must(r.t, r.p.Frame(context.Background(), d))
	}
	return r.p.Snapshot()
}

// toEnd plays at full speed to the input's end.
func (r *replayRun) toEnd() *sources.Snapshot {
	r.t.Helper()
	for range 20 {
		r.p.Faster()
	}
	for i := 0; ; i++ {
		s := r.frames(1, 100*time.Millisecond)
		if s.Replay.Done {
			return s
		}
		if i > 1e6 {
			r.t.Fatal("the replay never ended")
		}
	}
}

func watchReplayOutput(t *testing.T, cfg string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"watch", "-c", cfg, "--replay"}, &out, &errb); code != exitOK {
		t.Fatalf("watch --replay: exit %d: %s", code, errb.String())
	}
	return out.String()
}

// The replay screen fires exactly what `watch --replay` prints, byte for
// byte, whatever the keys do on the way: 60×, a pause, slower, m back to
// the stage end (a fresh collector replays to there), full speed to the
// end; and its timeline pane lists the same transitions.
func TestReplayScreenFiresWhatWatchReplayFires(t *testing.T) {
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, true)
	cfg := initConfigFor(t, dir, []string{access, storm}, app)
	want := watchReplayOutput(t, cfg)
	if strings.Count(want, "\n") < 4 {
		t.Fatalf("the filed night fired too little to compare:\n%s", want)
	}

	r := startReplay(t, cfg, replayOptions{speed: 60})
	s := r.frames(30, 100*time.Millisecond) // three minutes of the night
	if s.Replay == nil || s.Replay.Speed != 60 || s.Replay.Paused || s.Replay.From.IsZero() {
		t.Fatalf("replay state %+v", s.Replay)
	}
	r.p.TogglePause()
	r.frames(10, time.Second)
	r.p.TogglePause()
	r.p.Slower()
	r.frames(10, time.Second)
	s = r.toEnd()
	if got := r.outs[0].String(); got != want {
		t.Fatalf("the replay fired\n%s\nwatch --replay printed\n%s", got, want)
	}

	r.p.SeekStage(-1) // m: back to 00:00, paused there
	s = r.frames(50, 100*time.Millisecond)
	if !s.At.Equal(stageEnd) || !s.Replay.Paused || len(r.outs) != 2 {
		t.Fatalf("after m: at %v, %+v, %d collectors", s.At, s.Replay, len(r.outs))
	}
	if got := r.outs[1].String(); !strings.HasPrefix(want, got) {
		t.Errorf("replayed to the stage end it fired\n%s\nnot the start of\n%s", got, want)
	}
	r.p.TogglePause()
	s = r.toEnd()
	if got := r.outs[1].String(); got != want {
		t.Errorf("after m and play to the end it fired\n%s\nwant\n%s", got, want)
	}
	var shown []string
	for _, tr := range s.Timeline {
		shown = append(shown, tr.At.Format("15:04:05")+" "+tr.Indicator+" "+tr.To.String())
	}
	var printed []string
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		tr := parseTransitionLine(t, line)
		printed = append(printed, tr.instant.In(shanghai).Format("15:04:05")+" "+tr.Indicator+" "+tr.To)
	}
	if strings.Join(shown, "\n") != strings.Join(printed, "\n") {
		t.Errorf("the timeline shows\n%s\nwatch --replay printed\n%s", strings.Join(shown, "\n"), strings.Join(printed, "\n"))
	}
}

// --stage starts at the stage's window, playing; --from reads a time of
// day nearest the input's start; bad ones are said before the screen opens.
func TestReplayStart(t *testing.T) {
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, false)
	cfg := builtinConfigFor(t, dir, []string{access, storm}, app)
	r := startReplay(t, cfg, replayOptions{speed: 60, stage: "Final"})
	s := r.frames(1, 100*time.Millisecond)
	if s.Replay.Paused || !s.Replay.Seeking.IsZero() || s.At.Before(stageEnd.Add(-30*time.Minute)) || s.At.After(stageEnd) {
		t.Errorf("--stage Final: at %v, %+v", s.At.In(shanghai), s.Replay)
	}
	if len(r.outs) != 1 {
		t.Errorf("--stage at the input's start built %d collectors, want 1", len(r.outs))
	}
	// --reports: the stage's report is written as the replay passes its
	// window's end; without it, nothing is
	reports := filepath.Join(dir, "reports")
	r = startReplay(t, cfg, replayOptions{speed: sources.MaxSpeed, reports: reports})
	r.toEnd()
	r.p.Close()
	if got, _ := filepath.Glob(filepath.Join(reports, "*.md")); len(got) != 1 {
		t.Errorf("--reports wrote %v, want the stage's report", got)
	}
	r = startReplay(t, cfg, replayOptions{speed: 60, from: "00:05"})
	s = r.frames(1, 100*time.Millisecond)
	if want := stageEnd.Add(5 * time.Minute); s.At.Before(want) || s.At.After(want.Add(7*time.Second)) {
		t.Errorf("--from 00:05: at %v, want %v", s.At.In(shanghai), want)
	}
	for _, c := range []struct{ from, stage, want string }{
		{"", "Semis", "--stage Semis: no such stage (the schedule has Final)"},
		{"tomorrow", "", `--from: "tomorrow": not a time`},
		{"-5m", "", "--from -5m: before the input's start (2026-12-31 23:50:00 CST)"},
	} {
		var errb bytes.Buffer
		args := []string{"replay", "-c", cfg}
		if c.from != "" {
			args = append(args, "--from", c.from)
		}
		if c.stage != "" {
			args = append(args, "--stage", c.stage)
		}
		if code := run(args, io.Discard, &errb); code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %q", args, code, errb.String(), c.want)
		}
	}
	// --no-prometheus leaves it out, saying so
	var errb bytes.Buffer
	pcfg := filepath.Join(dir, "withprom.yml")
	body, err := os.ReadFile(cfg)
	must(t, err)
	must(t, os.WriteFile(pcfg, append(body, []byte("prometheus:\n  servers: [{name: main, url: \"http://127.0.0.1:1\"}]\n  queries: [{name: x, expr: up}]\n")...), 0o644))
	if code := run([]string{"watch", "-c", pcfg, "--replay", "--no-prometheus"}, io.Discard, &errb); code != exitOK ||
		!strings.Contains(errb.String(), "leaves out Prometheus and its rules: --no-prometheus") {
		t.Errorf("--no-prometheus: exit %d, %q", code, errb.String())
	}
	for _, bad := range []string{"0", "fast", "5000", "NaN", "Inf"} {
		var errb bytes.Buffer
		if code := run([]string{"replay", "-c", cfg, "--speed", bad}, io.Discard, &errb); code != exitUsage || !strings.Contains(errb.String(), "--speed") {
			t.Errorf("--speed %s: exit %d, %q", bad, code, errb.String())
		}
	}
}

func parseTransitionLine(t *testing.T, line string) transitionLine {
	t.Helper()
	var tr transitionLine
	if err := json.Unmarshal([]byte(line), &tr); err != nil {
		t.Fatalf("not a JSON line: %q: %v", line, err)
	}
	at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", tr.At)
	if err != nil {
		t.Fatalf("at %q: %v", tr.At, err)
	}
	tr.instant = at
	return tr
}

// Logs copied soon after the night end inside the milestone's window: the
// replay still writes its report, over the window up to the input's end,
// and says so first among its notes.
func TestReplayReportsAWindowTheInputEndsIn(t *testing.T) {
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, false)
	body, err := os.ReadFile(builtinConfigFor(t, dir, []string{access, storm}, app))
	must(t, err)
	cfg := filepath.Join(dir, "late.yml") // the log ends 02:22:59; the window runs to 02:50
	must(t, os.WriteFile(cfg, []byte(strings.Replace(string(body), `end: "2027-01-01 00:00"`, `end: "2027-01-01 02:20"`, 1)), 0o644))
	reports := filepath.Join(dir, "reports")
	r := startReplay(t, cfg, replayOptions{speed: sources.MaxSpeed, reports: reports})
	r.toEnd()
	r.p.Close()
	got, _ := filepath.Glob(filepath.Join(reports, "*.md"))
	if len(got) != 1 {
		t.Fatalf("reports %v, want the stage's", got)
	}
	b, err := os.ReadFile(got[0])
	must(t, err)
	if !strings.Contains(string(b), "the input ends 2027-01-01 02:23:00 CST, before the window's end at 2027-01-01 02:50:00 CST") {
		t.Errorf("the report does not say where the input ends:\n%s", b)
	}
}
