package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/notify"
	"warroom/sources/schedule"
	"warroom/sources/watch"
)

// watchContext is the context of a live `watch`; tests replace it to end
// the run.
var watchContext = context.Background

func runWatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("watch", "-c FILE [--replay]", "Run the sources and the rules without a screen and print every transition\n"+
		"as one JSON object per line (at, indicator, from, to, value, threshold,\n"+
		"phase, milestone, reason) until SIGINT or SIGTERM. Transitions are also\n"+
		"appended to timeline_file when the config names one, except in a replay.\n\n"+
		"With --replay, the configured log files are read from the beginning at full\n"+
		"speed on the logs' own clock — the schedule and the rules judged at the\n"+
		"lines' timestamps — so a past night is rehearsed in seconds; it ends with\n"+
		"the input. Prometheus is not replayed, webhooks are not sent, and the\n"+
		"timeline file (the live night's record) is left alone.", stderr)
	cfgPath := fs.String("c", "", "config file (required)")
	replay := fs.Bool("replay", false, "replay the configured log files on their own clock")
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
		return watchReplay(cfg, stdout, stderr)
	}

	o, loader, err := cfg.collectOptions(time.Now, "")
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	out := &transitionOut{w: watch.NewJSONLWriter(stdout), zone: zoneOf(o.Schedule), stderr: stderr}
	if cfg.TimelineFile != "" {
		f, err := os.OpenFile(cfg.TimelineFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "warroom watch: timeline_file: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		out.file = watch.NewJSONLWriter(f)
	}
	o.OnRuleTransition = out.write
	// notifications go out headless too: webhooks, and the bell and
	// desktop sequences on stderr when it is a terminal (stdout is the JSON
	// lines; under systemd stderr is the journal, which wants no escapes)
	var termOut io.Writer
	if isTerminal(stderr) {
		termOut = stderr
	}
	d, err := notify.New(cfg.Notify, notifyOptions(termOut, func(format string, a ...any) {
		fmt.Fprintf(stderr, "warroom watch: "+format+"\n", a...)
	}))
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	o.OnTransition = func(tr sources.Transition) { d.Notify(tr) }
	c, err := collect.New(o)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(watchContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if loader != nil {
		go watchSchedule(ctx, loader, stderr)
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
func watchReplay(cfg *Config, stdout, stderr io.Writer) int {
	// Prometheus answers about now, not about the night being replayed
	if len(cfg.Prometheus.Queries) > 0 {
		fmt.Fprintf(stderr, "warroom watch: --replay leaves out Prometheus (%d queries) and their rules\n", len(cfg.Prometheus.Queries))
		cfg.Prometheus.Queries, cfg.Prometheus.Servers = nil, nil
		var kept watch.Rules
		for _, r := range cfg.Rules {
			if !strings.HasPrefix(r.Indicator, "prom.") {
				kept = append(kept, r)
			}
		}
		cfg.Rules = kept
	}
	clock := collect.NewSteppedClock(time.Unix(0, 0))
	o, loader, err := cfg.collectOptions(clock.Now, "beginning")
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	if loader != nil {
		if _, err := loader.Poll(); err != nil {
			fmt.Fprintf(stderr, "warroom watch: schedule: %v\n", err)
			return exitUsage
		}
	}
	out := &transitionOut{w: watch.NewJSONLWriter(stdout), zone: zoneOf(o.Schedule), stderr: stderr}
	o.OnRuleTransition = out.write
	c, err := collect.New(o)
	if err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(watchContext(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.Replay(ctx, clock.Set); err != nil {
		fmt.Fprintf(stderr, "warroom watch: %v\n", err)
		return exitProblem
	}
	return exitOK
}

// transitionOut writes each transition to stdout and the timeline file,
// with its time in the event's zone so the record reads like the schedule.
type transitionOut struct {
	mu     sync.Mutex
	w      *watch.JSONLWriter
	file   *watch.JSONLWriter // nil: no timeline file
	zone   *time.Location
	stderr io.Writer
}

func (t *transitionOut) write(tr watch.Transition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.zone != nil {
		tr.At = tr.At.In(t.zone)
	}
	if err := t.w.Write(tr); err != nil {
		fmt.Fprintf(t.stderr, "warroom watch: %v\n", err)
	}
	if t.file != nil {
		if err := t.file.Write(tr); err != nil {
			fmt.Fprintf(t.stderr, "warroom watch: timeline_file: %v\n", err)
		}
	}
}

func zoneOf(sched func() *schedule.Schedule) *time.Location {
	if sched == nil {
		return nil
	}
	if s := sched(); s != nil {
		return s.Location()
	}
	return nil
}

// watchSchedule keeps a schedule file current; each problem goes to stderr
// once (a headless run has no status bar).
func watchSchedule(ctx context.Context, l *schedule.Loader, stderr io.Writer) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if _, err := l.Poll(); err != nil {
			fmt.Fprintf(stderr, "warroom watch: schedule: %v\n", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
