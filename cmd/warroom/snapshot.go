package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/tail"
	"warroom/sources/units"
	"warroom/ui"
)

// snapshotRow is one indicator in `warroom snapshot --json`.
type snapshotRow struct {
	Name   string         `json:"name"`
	Value  *float64       `json:"value"` // null when there is none (NaN)
	Unit   sources.Unit   `json:"unit"`
	Health sources.Health `json:"health"`
	State  sources.State  `json:"state"` // as the rules judged it
	// Pending is the worse state the rules hold back until PendingAt
	// (their `for`); both left out when none.
	Pending   sources.State `json:"pending,omitempty"`
	PendingAt *time.Time    `json:"pending_at,omitempty"`
	At        *time.Time    `json:"at"` // null before any data
	Error     string        `json:"error,omitempty"`

	pendingIn time.Duration // from the snapshot's instant, for the plain form
}

// snapshotStart is where log sources start when the config says "end",
// which in a one-shot run would read nothing.
const snapshotStart = "1m"

func runSnapshot(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("snapshot", "-c FILE [--json]", "Read every configured source once and print each indicator's current value:\n"+
		"name, value, unit, health, state (with a worse one the rules hold back for\n"+
		"their `for`: ok→crit in 6s) and time. The exit status is 0 when every\n"+
		"source answered and 1 otherwise, so it serves as a probe for scripts and cron.\n"+
		"A file has answered once read to the size it had when the snapshot\n"+
		"started (a live log is not waited out), a command once its output\n"+
		"pauses (or, for an access log, reaches the present), a Prometheus\n"+
		"query once it returned.\n"+
		"Log sources start where the config says, except \"end\", which reads a\n"+
		"file's last "+snapshotStart+" instead (a one-shot read from the end sees nothing);\n"+
		"a command's output is read as it comes.\n"+
		"The outputs are checked without writing or sending anything: the\n"+
		"timeline file and the reports directory can be written, the webhooks'\n"+
		"URLs and secrets can be read; one that cannot makes the exit status 1.", stderr)
	cfgPath := fs.String("c", "", "config file (required)")
	asJSON := fs.Bool("json", false, "print a JSON list of {name, value, unit, health, state, pending, pending_at, at, error}")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on sources that have not answered by then")
	start := fs.String("start", "", "start every log source here instead (end, beginning, or a duration like 5m)")
	frame := fs.String("frame", "", "print the screen as plain text at this size instead, e.g. 120x40 (for READMEs and scripts)")
	ascii := fs.Bool("ascii", false, "with --frame: ASCII charts and borders")
	window := fs.Duration("window", 15*time.Minute, "with --frame: the charts' time window")
	if pos, code, ok := parseFlags(fs, args); !ok {
		return code
	} else if len(pos) > 0 || *cfgPath == "" {
		fmt.Fprintln(stderr, "warroom snapshot: give the config with -c FILE")
		return exitUsage
	}
	var fw, fh int
	if *frame != "" {
		if n, err := fmt.Sscanf(*frame, "%dx%d", &fw, &fh); n != 2 || err != nil || fw < 20 || fh < 5 || fw > 1000 || fh > 500 {
			fmt.Fprintf(stderr, "warroom snapshot: --frame %q: want WIDTHxHEIGHT, e.g. 120x40 (20x5 to 1000x500)\n", *frame)
			return exitUsage
		}
	}
	if *start != "" {
		if _, err := tail.ParseStart(*start); err != nil {
			fmt.Fprintf(stderr, "warroom snapshot: --start: %v\n", err)
			return exitUsage
		}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "warroom snapshot: %v\n", err)
		return exitUsage
	}
	for i := range cfg.AccessLogs {
		cfg.AccessLogs[i].Start = snapshotStartOf(cfg.AccessLogs[i].Start, *start, len(cfg.AccessLogs[i].Command) > 0)
	}
	for i := range cfg.AppLogs {
		cfg.AppLogs[i].Start = snapshotStartOf(cfg.AppLogs[i].Start, *start, len(cfg.AppLogs[i].Command) > 0)
	}
	o, loader, err := cfg.collectOptions(time.Now, "")
	if err != nil {
		fmt.Fprintf(stderr, "warroom snapshot: %v\n", err)
		return exitUsage
	}
	// the outputs are probed, not used: a probe sends and writes nothing
	badOutputs, outputErrs := probeOutputs(cfg)
	o.Sinks = append(o.Sinks, fixedSinks(badOutputs))
	c, err := collect.New(o)
	if err != nil {
		fmt.Fprintf(stderr, "warroom snapshot: %v\n", err)
		return exitUsage
	}
	if loader != nil {
		if _, err := loader.Poll(); err != nil {
			fmt.Fprintf(stderr, "warroom snapshot: schedule: %v\n", err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	runErrs := readOnce(ctx, o, stderr)
	c.Tick(time.Now())
	snap := c.Snapshot()

	ok := len(runErrs) == 0 && len(outputErrs) == 0
	for _, err := range outputErrs {
		fmt.Fprintf(stderr, "warroom snapshot: %s\n", sources.Sanitize(err.Error()))
	}
	rows := make([]snapshotRow, 0, len(snap.Indicators))
	for _, in := range snap.Indicators {
		v := in.Value
		r := snapshotRow{Name: in.Name, Unit: v.Unit, Health: v.Health, State: in.State, Error: v.Err}
		if left, ok := in.PendingIn(snap.At); ok {
			at := in.PendingAt
			r.Pending, r.PendingAt, r.pendingIn = in.Pending, &at, left
		}
		if !math.IsNaN(v.Value) && !math.IsInf(v.Value, 0) {
			r.Value = &v.Value
		}
		if !v.At.IsZero() {
			at := v.At
			if snap.Zone != nil {
				at = at.In(snap.Zone) // the event's zone, as every output
			}
			r.At = &at
		}
		if v.Health == sources.HealthUnknown && r.Error == "" {
			r.Error = "no data"
			if strings.HasPrefix(in.Name, "prom.") {
				r.Error = "no answer within " + timeout.String()
			}
		}
		if v.Health != sources.HealthOK && !v.Unmeasured {
			ok = false // a slow ratio a format cannot give is no failure of the probe
		}
		rows = append(rows, r)
	}
	for _, st := range snap.Sources {
		if st.Kind == "schedule" && st.Health == sources.HealthError {
			ok = false
			fmt.Fprintf(stderr, "warroom snapshot: schedule: %s\n", st.Detail)
		}
	}
	switch {
	case fw > 0:
		// the screen as plain text; the exit status is the probe's, as
		// without --frame
		c.SetView(sources.View{Window: *window, Points: fw})
		snap := c.Snapshot()
		fmt.Fprintln(stdout, ui.Frame(snap, fw, fh, ui.Options{NoColor: true, ASCII: *ascii, Window: *window, Layout: cfg.Layout}))
	case *asJSON:
		sources.EncodeJSON(stdout, rows, "  ")
	default:
		// values as the screen writes them (23‱, 7.8/s), times in the
		// event's zone with its name; --json keeps raw numbers
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, r := range rows {
			val, at := "-", "-"
			if r.Value != nil {
				val = units.Format(*r.Value, r.Unit)
			}
			if r.At != nil {
				at = units.DateClock(*r.At)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, val, r.Health, r.stateText(), at, sources.Sanitize(r.Error))
		}
		tw.Flush()
	}
	if !ok {
		return exitProblem
	}
	return exitOK
}

// stateText is the state as the plain form prints it: "ok", or with what
// is on its way, "ok→crit in 6s".
func (r snapshotRow) stateText() string {
	if r.PendingAt == nil {
		return r.State.String()
	}
	return r.State.String() + "→" + r.Pending.String() + " in " + units.Format(r.pendingIn.Seconds(), sources.UnitSeconds)
}

// snapshotStartOf is a log source's start in a snapshot. A command's
// output is read as it comes whatever the start, and cannot be searched
// for the last minute, so a command source keeps its own.
func snapshotStartOf(configured, flag string, command bool) string {
	switch {
	case flag != "" && command:
		// a command cannot start a duration back; end and beginning
		// both read what it prints
		if st, err := tail.ParseStart(flag); err == nil && st.Kind == tail.StartLast {
			return configured
		}
		return flag
	case flag != "":
		return flag
	case configured == "end" && !command:
		return snapshotStart
	}
	return configured
}

// readOnce runs every log source until it has answered (see logWait) and
// evaluates every Prometheus query once, all within ctx: a query has
// answered when its first fetch returned, with a value or an error. It
// returns the sources whose Run failed, after printing why.
func readOnce(ctx context.Context, o collect.Options, stderr io.Writer) map[string]error {
	began := time.Now()
	ctx, stop := context.WithCancel(ctx)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs = map[string]error{}
		logs []*logWait
	)
	run := func(name string, f func(context.Context) error) {
		wg.Go(func() {
			if err := f(ctx); err != nil {
				mu.Lock()
				errs[name] = err
				mu.Unlock()
			}
		})
	}
	for _, s := range o.Nginx {
		run(s.Name(), s.Run)
		logs = append(logs, &logWait{status: s.Status, command: len(s.Config().Command) > 0, newest: s.Aggregator().Newest})
	}
	for _, s := range o.Apps {
		run(s.Name(), s.Run)
		logs = append(logs, &logWait{status: s.Status, command: len(s.Config().Command) > 0})
	}
	promDone := make(chan struct{})
	go func() {
		defer close(promDone)
		if o.Prom == nil {
			return
		}
		if _, err := o.Prom.EvaluateAll(ctx); err != nil {
			fmt.Fprintf(stderr, "warroom snapshot: %s\n", sources.Sanitize(err.Error()))
		}
	}()
	// sources of other kinds that are polled (VictoriaLogs) are polled
	// once, like the Prometheus queries
	var polled sync.WaitGroup
	for _, s := range o.Sources {
		if r, ok := s.(collect.Refreshable); ok {
			polled.Go(func() { r.Refresh(ctx) })
		}
	}
	awaitLogs(ctx, began, logs)
	polled.Wait()
	// the logs have answered; Prometheus may take the rest of the deadline
	select {
	case <-promDone:
	case <-ctx.Done():
		<-promDone // requests end with ctx
	}
	stop()
	wg.Wait()
	for name, err := range errs {
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "warroom snapshot: %s: %s\n", name, sources.Sanitize(err.Error()))
		}
	}
	return errs
}

// How a command source's answer is told: it has no size to read up to.
const (
	commandPause   = 300 * time.Millisecond // no new line for this long: what it printed at once is read
	commandStartup = 500 * time.Millisecond // but not before it had this long to start printing
)

// answerPoll is how often the sources' statuses are looked at: a snapshot
// of a live log answers within a poll or two of reading it.
const answerPoll = 20 * time.Millisecond

// logWait tells when one log source has answered a snapshot.
//
// A file has answered once its follower has read it to its end once
// (FileStatus.Loading is false). The follower started after the snapshot
// did, so that end is at least the size the file had when the snapshot
// started: the backlog from the start position is all counted. Lines
// appended since may be read too, but nothing waits for them — a live log
// is never quiet. A file that cannot be read has answered with its error.
//
// A command has answered once it failed, once its output paused for
// commandPause (what `cat` or `tail -n 1000` prints at once is read), or,
// for an access log, once it printed a line stamped at or after the
// second the snapshot started (a live stream has caught up with now).
type logWait struct {
	status  func() []tail.FileStatus
	command bool
	newest  func() time.Time // an access log's newest line stamp; nil for an app log

	lines int64     // a command's lines at the last look
	moved time.Time // when they last changed
}

func (w *logWait) answered(began, now time.Time) bool {
	st := w.status()
	if len(st) == 0 {
		return false // its Run has not published anything yet
	}
	if !w.command {
		for _, f := range st {
			if f.Err == "" && f.Loading {
				return false
			}
		}
		return true
	}
	f := st[0]
	switch {
	case f.Err != "":
		return true
	case w.newest != nil && !w.newest().Before(began.Truncate(time.Second)):
		return true
	case f.Lines != w.lines || w.moved.IsZero():
		w.lines, w.moved = f.Lines, now
		return false
	}
	return now.Sub(w.moved) >= commandPause && now.Sub(began) >= commandStartup
}

// awaitLogs returns once every log source has answered, or ctx ends.
func awaitLogs(ctx context.Context, began time.Time, logs []*logWait) {
	t := time.NewTicker(answerPoll)
	defer t.Stop()
	for {
		done := true
		now := time.Now()
		for _, w := range logs {
			// every source looks every round: a command's pause is timed
			// from its own last change
			done = w.answered(began, now) && done
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
