package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"warroom/sources/applog"
	"warroom/sources/demo"
	"warroom/sources/nginx"
	"warroom/sources/notify"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "[flags]", "The whole dashboard with nothing installed: a simulator writes a realistic nginx\n"+
		"access log and a Node service's log into a temporary directory and plays a\n"+
		"compressed stage-end night around a stage that ends 2 minutes after start —\n"+
		"refresh storm, a hang with 499s and slow responses, a burst of\n"+
		"SequelizeDatabaseError: read ECONNRESET, recovery — and again every 10 minutes.\n"+
		"Keys: ? for help, q to quit.", stderr)
	dir := fs.String("dir", "", "write the demo logs here and keep them; a previous demo's access.log and\n"+
		"app.log there are replaced, other files left alone (default: a temporary\n"+
		"directory, removed on exit)")
	in := fs.Duration("in", 2*time.Minute, "time until the first stage end")
	every := fs.Duration("every", 10*time.Minute, "time between stage ends (at least 9m: the script needs the room)")
	sf := addScreenFlags(fs)
	if pos, code, ok := parseFlags(fs, args); !ok {
		return code
	} else if len(pos) > 0 {
		fmt.Fprintf(stderr, "warroom demo: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *in < 0 || *every < 9*time.Minute {
		fmt.Fprintln(stderr, "warroom demo: --in must be ≥ 0 and --every ≥ 9m")
		return exitUsage
	}
	keep := *dir != ""
	if !keep {
		d, err := os.MkdirTemp("", "warroom-demo-")
		if err != nil {
			fmt.Fprintf(stderr, "warroom demo: %v\n", err)
			return exitProblem
		}
		*dir = d
		defer os.RemoveAll(d)
	}
	now := time.Now()
	sim, err := demo.New(demo.Options{Dir: *dir, Now: time.Now, First: now.Add(*in).Truncate(time.Second), Every: *every, Seed: uint64(now.UnixNano())})
	if err != nil {
		fmt.Fprintf(stderr, "warroom demo: %v\n", err)
		return exitProblem
	}
	// the backfill is written before the sources start, so they read the
	// whole history from the beginning
	if err := sim.Prepare(); err != nil {
		fmt.Fprintf(stderr, "warroom demo: %v\n", err)
		return exitProblem
	}
	sc := sim.ScheduleConfig()
	cfg := DefaultConfig
	acc := nginx.DefaultSourceConfig
	acc.Name, acc.Paths, acc.Start, acc.Format = "nginx", []string{sim.AccessLog()}, "beginning", "timed"
	app := applog.DefaultSourceConfig
	app.Name, app.Paths, app.Start = "app", []string{sim.AppLog()}, "beginning"
	cfg.AccessLogs = []nginx.SourceConfig{acc}
	cfg.AppLogs = []applog.SourceConfig{app}
	cfg.Schedule = &sc
	o, _, err := cfg.collectOptions(time.Now, "")
	if err != nil {
		fmt.Fprintf(stderr, "warroom demo: %v\n", err)
		return exitProblem
	}
	nc := notify.DefaultConfig
	nc.Desktop = false // a demo should not pop up desktop notifications
	code := screen{collect: o, notify: nc, ui: sf.options(), before: sim.Run}.run(stderr)
	if keep {
		fmt.Fprintf(stdout, "demo logs kept in %s\n", *dir)
	}
	return code
}
