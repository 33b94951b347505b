package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/prom"
	"warroom/sources/schedule"
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
		"the input. Prometheus is asked at the night's instants (its history, as far\n"+
		"as its retention reaches, else --no-prometheus; the replay waits for each\n"+
		"answer); VictoriaLogs\n"+
		"is left out; webhooks are not sent, and the timeline file (the live night's\n"+
		"record) is left alone.", stderr)
	cfgPath := fs.String("c", "", "config file (required)")
	replay := fs.Bool("replay", false, "replay the configured log files on their own clock")
	noProm := fs.Bool("no-prometheus", false, "with --replay: leave Prometheus and its rules out (it does not hold the night: older than its retention)")
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
		return watchReplay(cfg, *noProm, stdout, stderr)
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
func watchReplay(cfg *Config, noProm bool, stdout, stderr io.Writer) int {
	c, clock, code := replayCollector(cfg, noProm, stdout, stderr)
	if c == nil {
		return code
	}
	ctx, stop := signal.NotifyContext(watchContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.Replay(ctx, clock.Set); err != nil {
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
func replayCollector(cfg *Config, noProm bool, stdout, stderr io.Writer) (*collect.Collector, *collect.SteppedClock, int) {
	leaveOutLive(cfg, stderr, "warroom watch: --replay", noProm)
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

// leaveOutLive drops the sources a replay cannot read the night from —
// VictoriaLogs streams are polled about now, not about the night being
// replayed — with their rules, and says so on stderr after who.
// Prometheus stays: it keeps history, and a replay asks it at the night's
// instants.
func leaveOutLive(cfg *Config, stderr io.Writer, who string, noProm bool) {
	why := ""
	if noProm {
		why = "--no-prometheus"
	} else if why = prometheusUnreachable(cfg); why != "" {
		why = "it does not answer now (" + why + ")"
	}
	if why != "" && (len(cfg.Prometheus.Queries) > 0 || len(cfg.Prometheus.Presets) > 0) {
		fmt.Fprintf(stderr, "%s leaves out Prometheus and its rules: %s\n", who, why)
		drop := map[string]bool{"prom": true}
		for _, p := range cfg.Prometheus.Presets {
			drop[p.Name] = true
		}
		cfg.Prometheus.Queries, cfg.Prometheus.Servers, cfg.Prometheus.Presets = nil, nil, nil
		dropRules(cfg, drop)
	}
	if n := len(cfg.VictoriaLogs.Streams); n > 0 {
		fmt.Fprintf(stderr, "%s leaves out VictoriaLogs (%d streams) and their rules\n", who, n)
		streams := map[string]bool{}
		for _, s := range cfg.VictoriaLogs.Streams {
			streams[s.Name] = true
		}
		cfg.VictoriaLogs.Streams = nil
		dropRules(cfg, streams)
	}
}

// dropRules leaves out the rules on the indicators of the sources named
// in drop (by an indicator's prefix: prom.x, <stream>.qps).
func dropRules(cfg *Config, drop map[string]bool) {
	var kept watch.Rules
	for _, r := range cfg.Rules {
		if prefix, _, _ := strings.Cut(r.Indicator, "."); !drop[prefix] {
			kept = append(kept, r)
		}
	}
	cfg.Rules = kept
}

// replayProbe bounds the one question prometheusUnreachable asks.
const replayProbe = 5 * time.Second

// prometheusUnreachable asks every configured query once, now: when none
// can reach its server, a replay would only judge connection errors at
// each of the night's instants, so it says why (the first server's
// reason); "" when one answered or none is configured.
func prometheusUnreachable(cfg *Config) string {
	snap, ok := askPrometheus(cfg, time.Now, replayProbe)
	if !ok {
		return "" // none configured, or said where the sources are built
	}
	why := ""
	for _, r := range snap.Results {
		if r.Value.Health != sources.HealthUnreachable {
			return ""
		}
		if why == "" {
			why = r.Server + ": " + r.Value.Err
		}
	}
	return why
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
