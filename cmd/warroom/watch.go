package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/units"
	"warroom/sources/watch"
)

// watchContext is the context of a live `watch`; tests replace it to end
// the run.
var watchContext = context.Background

func runWatch(args []string, stdout, stderr io.Writer) int {
	args, stop, ok := profiled(args, stderr, "warroom watch") // hidden: for measuring a replay's cost
	if !ok {
		return exitUsage
	}
	defer stop()
	fs := newFlags("watch", "-c FILE [--replay]", "Run the sources and the rules without a screen and print every transition\n"+
		"as one JSON object per line (at, indicator, from, to, value, threshold,\n"+
		"unit, value_text, threshold_text, phase, milestone, reason; times in the\n"+
		"event's zone) until SIGINT or SIGTERM. Transitions are also appended to\n"+
		"timeline_file when the config names one, except in a replay. An output\n"+
		"that fails (a webhook, the timeline file, a report), and its recovery,\n"+
		"is said on stderr.\n\n"+
		"With --replay, the configured log files are read from the beginning at full\n"+
		"speed on the logs' own clock — the schedule and the rules judged at the\n"+
		"lines' timestamps — so a past night is rehearsed in seconds; it ends with\n"+
		"the input. Prometheus and VictoriaLogs are asked at the night's instants\n"+
		"(their history, as far as their retention reaches, else --no-prometheus or\n"+
		"--no-victorialogs; the replay waits for each answer); a config that reads\n"+
		"no log file replays its engines over --from to --to or --stage's window.\n"+
		"Webhooks are not sent, and the timeline file (the live night's record) is\n"+
		"left alone.", stderr)
	cfgPath := fs.String("c", "", "config file (required)")
	replay := fs.Bool("replay", false, "replay the configured log files on their own clock")
	noProm := fs.Bool("no-prometheus", false, "with --replay: leave Prometheus and its rules out (it does not hold the night: older than its retention)")
	noVL := fs.Bool("no-victorialogs", false, "with --replay: leave VictoriaLogs and its streams' rules out (it does not hold the night)")
	from := fs.String("from", "", "with --replay of a config that reads no log file: the engines' range starts here (00:05, 12-31 23:58, -2h)")
	to := fs.String("to", "", "with --from: the range ends here (default: an hour after --from; never past now)")
	stage := fs.String("stage", "", "with --replay of a config that reads no log file: replay this stage's window")
	if pos, code, ok := parseFlags(fs, args); !ok {
		return code
	} else if len(pos) > 0 || *cfgPath == "" {
		fmt.Fprintln(stderr, "warroom watch: give the config with -c FILE")
		return exitUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	if *replay {
		ask := replayAsk{noProm: *noProm, noVL: *noVL}
		switch {
		case *stage != "" && *from+*to != "":
			fmt.Fprintln(stderr, "warroom watch: give --from (and --to) or --stage, not both")
			return exitUsage
		case readsFiles(cfg) && *from+*to+*stage != "":
			fmt.Fprintln(stderr, "warroom watch: --from, --to and --stage are for a replay of a config that reads no log file: the files are replayed whole")
			return exitUsage
		case !readsFiles(cfg):
			if ask.from, ask.to, err = engineRange(cfg, *from, *to, *stage, time.Now()); err != nil {
				fmt.Fprintf(stderr, "warroom watch: --replay: %v\n", err)
				return exitUsage
			}
		}
		return watchReplay(cfg, ask, stdout, stderr)
	}
	if *from+*to+*stage != "" || *noVL {
		fmt.Fprintln(stderr, "warroom watch: --from, --to, --stage and --no-victorialogs go with --replay")
		return exitUsage
	}

	o, loader, err := cfg.collectOptions(time.Now, "")
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	// every output's failure and recovery is a line on stderr (a headless
	// run has no status bar)
	logf := lineLog(stderr, "warroom watch: ")
	// notifications go out headless too: webhooks, and the bell and
	// desktop sequences on stderr when it is a terminal (stdout is the JSON
	// lines; under systemd stderr is the journal, which wants no escapes)
	var termOut io.Writer
	if isTerminal(stderr) {
		termOut = stderr
	}
	sinks, d, err := outputs(cfg.TimelineFile, cfg.Notify, termOut, logf)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	o.Sinks = append([]sources.Sink{watch.NewJSONL("stdout", stdout, logf)}, sinks...)
	o.OnReport = reportLog(logf)
	c, err := collect.New(o)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(watchContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if loader != nil {
		go watchSchedule(ctx, loader, logf)
	}
	notified := make(chan struct{})
	go func() { d.Run(ctx); close(notified) }()
	c.Run(ctx)
	<-notified // what a webhook still held is sent once on the way out
	return exitOK
}

// isTerminal says whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// watchReplay rehearses the configured logs on their own clock.
func watchReplay(cfg *Config, ask replayAsk, stdout, stderr io.Writer) int {
	c, clock, code := replayCollector(cfg, ask, stdout, stderr)
	if c == nil {
		return code
	}
	ctx, stop := signal.NotifyContext(watchContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.Replay(ctx, clock.Set); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "warroom watch: --replay interrupted at %s: the night from there on was not judged\n",
				units.DateClock(clock.Now().In(collect.EventZone(c.Schedule()))))
			return exitProblem
		}
		var held *collect.ReplayHeld
		if errors.As(err, &held) {
			fmt.Fprintf(stderr, "warroom watch: --replay stopped at %s: %v; the night from there on was not judged\n",
				units.DateClock(held.At.In(collect.EventZone(c.Schedule()))), held.Err)
			return exitProblem
		}
		var pr *collect.ReplayProblems
		if errors.As(err, &pr) {
			// read to the end without the rest of these: said, exit 1
			for _, f := range pr.Files {
				fmt.Fprintf(stderr, "warroom watch: replay: %s\n", f)
			}
			return exitProblem
		}
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitProblem
	}
	return exitOK
}

// replayCollector builds the collector of a replay — the config without
// what a replay cannot read the night from, on a stepped clock, the
// transitions to stdout — or says why not on stderr (nil and the exit
// status). The soak benchmark replays through it as watch --replay does.
func replayCollector(cfg *Config, ask replayAsk, stdout, stderr io.Writer) (*collect.Collector, *collect.SteppedClock, int) {
	leaveOutLive(cfg, stderr, "warroom watch: --replay", ask)
	if nothingLeft(cfg) {
		fmt.Fprintln(stderr, "warroom watch: --replay: nothing left to replay: the config reads no log file, and its engines are left out")
		return nil, nil, exitProblem
	}
	clock := collect.NewSteppedClock(time.Unix(0, 0))
	o, loader, err := cfg.collectOptions(clock.Now, "beginning")
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return nil, nil, exitUsage
	}
	if loader != nil {
		if _, err := loader.Poll(); err != nil {
			fmt.Fprintf(stderr, "warroom watch: schedule: %v\n", err)
			return nil, nil, exitUsage
		}
	}
	o.ReplayFrom, o.ReplayTo = ask.from, ask.to
	logf := lineLog(stderr, "warroom watch: ")
	o.Sinks = []sources.Sink{watch.NewJSONL("stdout", stdout, logf)}
	o.OnReport = reportLog(logf)
	c, err := collect.New(o)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return nil, nil, exitUsage
	}
	return c, clock, exitOK
}

// watchSchedule keeps a schedule file current; each problem goes to logf
// (stderr: a headless run has no status bar).
func watchSchedule(ctx context.Context, l *schedule.Loader, logf func(string, ...any)) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if _, err := l.Poll(); err != nil {
			logf("schedule: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// askPrometheus sends every configured query (presets' included) once,
// within d; false when none is configured or the config cannot build a
// querier (said where the sources are built).
func askPrometheus(cfg *Config, now func() time.Time, d time.Duration) (prom.Snapshot, bool) {
	if len(cfg.Prometheus.Queries)+len(cfg.Prometheus.Presets) == 0 {
		return prom.Snapshot{}, false
	}
	q, err := prom.New(cfg.Prometheus, prom.Options{Now: now, Refresh: time.Duration(cfg.Refresh)})
	if err != nil {
		return prom.Snapshot{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	snap, _ := q.EvaluateAll(ctx)
	return snap, true
}
