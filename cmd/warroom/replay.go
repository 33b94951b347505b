package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/schedule"
	"warroom/sources/units"
)

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("replay", "-c FILE [--from TIME [--to TIME] | --stage NAME] [--speed 60] [--reports DIR]",
		"The screen over a past night: the configured log files (with their rotated\n"+
			".1 … .9.gz predecessors) replayed on the logs' own clock, with charts, top\n"+
			"tables, rules, timeline, phase and countdown as they were live that night.\n"+
			"Nothing is notified and the timeline file is left alone. Prometheus and\n"+
			"VictoriaLogs are asked at the night's instants (their history: past its\n"+
			"retention an engine reads no data — give --no-prometheus or\n"+
			"--no-victorialogs); one that does not answer now is left out. A config\n"+
			"that reads no log file replays its engines over --from to --to, or over\n"+
			"--stage's window.\n\n"+
			"Keys: space pauses, [ and ] halve and double the speed (1× up to max, as\n"+
			"fast as the machine goes), m and M jump to the previous and next stage end\n"+
			"and pause there, g goes to a time (00:05, 12-31 23:58, -5m), q quits.\n"+
			"Going back replays from the input's start, at full speed.", stderr)
	cfgPath := fs.String("c", "", "config file (required)")
	from := fs.String("from", "", "start at this time in the event's zone: 00:05 (nearest the input's start), 12-31 23:58, 2026-12-31 23:58:30, or +30m from the input's start")
	to := fs.String("to", "", "with no log file in the config: end the engines' range here (default: an hour after --from; never past now)")
	stage := fs.String("stage", "", "start at this stage's window (its HOT run-up before the end); with no log file, replay that window")
	speed := fs.String("speed", "60", "log seconds per second: 1 up to 4096, or max")
	noProm := fs.Bool("no-prometheus", false, "leave Prometheus and its rules out (it does not hold the night: older than its retention)")
	noVL := fs.Bool("no-victorialogs", false, "leave VictoriaLogs and its streams' rules out (it does not hold the night)")
	reports := fs.String("reports", "", "write each milestone's report into this directory as the replay passes it")
	sf := addScreenFlags(fs)
	if pos, code, ok := parseFlags(fs, args); !ok {
		return code
	} else if len(pos) > 0 || *cfgPath == "" {
		fmt.Fprintln(stderr, "warroom replay: give the config with -c FILE")
		return exitUsage
	}
	if *stage != "" && *from+*to != "" {
		fmt.Fprintln(stderr, "warroom replay: give --from or --stage, not both")
		return exitUsage
	}
	sp, err := parseSpeed(*speed)
	if err != nil {
		fmt.Fprintf(stderr, "warroom replay: --speed: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "warroom replay: %v\n", err)
		return exitUsage
	}
	ask := replayAsk{noProm: *noProm, noVL: *noVL}
	if readsFiles(cfg) {
		if *to != "" {
			fmt.Fprintln(stderr, "warroom replay: --to is for a config that reads no log file: the files' last lines end a replay of them")
			return exitUsage
		}
	} else if ask.from, ask.to, err = engineRange(cfg, *from, *to, *stage, time.Now()); err != nil {
		fmt.Fprintf(stderr, "warroom replay: %v\n", err)
		return exitUsage
	}
	leaveOutLive(cfg, stderr, "warroom replay:", ask)
	if nothingLeft(cfg) {
		fmt.Fprintln(stderr, "warroom replay: nothing left to replay: the config reads no log file, and its engines are left out")
		return exitProblem
	}
	uo := sf.options()
	uo.Refresh = time.Duration(cfg.Refresh)
	uo.Layout = cfg.Layout
	ro := replayOptions{speed: sp, from: *from, stage: *stage, reports: *reports, rangeFrom: ask.from, rangeTo: ask.to}
	return screen{ui: uo, replay: func(self func() sources.ProcessStats, onFrame func()) (*collect.Player, error) {
		ro.self, ro.onFrame = self, onFrame
		return newReplay(cfg, ro)
	}}.run(stderr)
}

// replayOptions are what `warroom replay` asks of its player.
type replayOptions struct {
	speed       float64 // sources.MaxSpeed: full
	from, stage string  // where to start ("" for the input's start)
	// rangeFrom and rangeTo are the range of a replay of engines alone
	// (zero with log files), from and stage then being spent on it
	rangeFrom, rangeTo time.Time
	reports            string // directory for milestone reports; "" for none
	self               func() sources.ProcessStats
	onFrame            func()
	sinks              func() []sources.Sink // each collector's outputs (tests); nil for none
	wall               func() time.Time      // nil: time.Now
}

// newReplay builds the player over cfg's logs, runs its first tick and
// sets it on its way to the start asked for.
func newReplay(cfg *Config, ro replayOptions) (*collect.Player, error) {
	build := func(clock *collect.SteppedClock) (*collect.Collector, error) {
		o, loader, err := cfg.collectOptions(clock.Now, "beginning")
		if err != nil {
			return nil, err
		}
		if loader != nil {
			if _, err := loader.Poll(); err != nil {
				return nil, fmt.Errorf("schedule: %w", err)
			}
		}
		o.ReportsDir, o.Self = ro.reports, ro.self
		o.ReplayFrom, o.ReplayTo = ro.rangeFrom, ro.rangeTo
		if ro.sinks != nil {
			o.Sinks = ro.sinks()
		}
		return collect.New(o)
	}
	pl, err := collect.NewPlayer(collect.PlayerOptions{Build: build, Speed: ro.speed, Wall: ro.wall, OnFrame: ro.onFrame})
	if err != nil {
		return nil, err
	}
	first, err := pl.Start(context.Background())
	if err != nil {
		pl.Close()
		return nil, err
	}
	if !ro.rangeFrom.IsZero() {
		return pl, nil // the range starts where it was asked to
	}
	at, err := replayStart(pl.Collector().Schedule(), first, ro.from, ro.stage)
	if err != nil {
		pl.Close()
		return nil, err
	}
	if !at.IsZero() {
		pl.SeekTo(at, false)
	}
	return pl, nil
}

// replayStart is the instant --from or --stage names (zero: the input's
// start, first), in the schedule's zone (nil: no schedule).
func replayStart(sched *schedule.Schedule, first time.Time, from, stage string) (time.Time, error) {
	zone := collect.EventZone(sched)
	switch {
	case from != "":
		if strings.HasPrefix(from, "-") {
			return time.Time{}, fmt.Errorf("--from %s: before the input's start (%s); give a time or +DURATION", from, units.DateClock(first.In(zone)))
		}
		t, err := sources.ParseInstant(from, first, zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("--from: %w", err)
		}
		return t, nil
	case stage != "":
		m, err := stageNamed(sched, stage)
		return m.Start(), err
	}
	return time.Time{}, nil
}

// stageNamed is the schedule's milestone called stage (sched nil: no
// schedule).
func stageNamed(sched *schedule.Schedule, stage string) (schedule.Milestone, error) {
	var names []string
	for _, m := range sched.Milestones() {
		if m.Name == stage {
			return m, nil
		}
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return schedule.Milestone{}, fmt.Errorf("--stage %s: the config has no schedule", stage)
	}
	return schedule.Milestone{}, fmt.Errorf("--stage %s: no such stage (the schedule has %s)", stage, strings.Join(names, ", "))
}

// parseSpeed reads --speed: a number of log seconds a second (60, 60x,
// 60×) or max.
func parseSpeed(s string) (float64, error) {
	if strings.EqualFold(s, "max") {
		return sources.MaxSpeed, nil
	}
	v, err := strconv.ParseFloat(strings.TrimRight(strings.TrimSpace(s), "x×"), 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q: want a number of log seconds a second (60) or max", s)
	case !(v >= collect.MinSpeed && v <= collect.MaxFiniteSpeed): // NaN too
		return 0, fmt.Errorf("%g: want %d to %d, or max", v, collect.MinSpeed, collect.MaxFiniteSpeed)
	}
	return v, nil
}
