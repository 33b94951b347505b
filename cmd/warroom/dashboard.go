package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runDashboard is `warroom [flags]`: the screen, from a config file or
// from a few flags (zero config).
func runDashboard(args []string, stdout, stderr io.Writer) int {
	args, stop, ok := profiled(args, stderr, "warroom") // hidden: for measuring the idle cost
	if !ok {
		return exitUsage
	}
	defer stop()
	fs := newFlags("", "-c warroom.yaml | --access-log FILE [--log-format auto] [--app-log FILE [--time-zone ZONE]] [--prometheus URL] [--schedule FILE]",
		"The war-room screen. With -c, everything comes from the config file (see\n"+
			"`warroom init`); without it, the flags give a useful default screen: the\n"+
			"access log's QPS, slow ratio, 499s and 5xx, the app log's DB errors, the\n"+
			"Prometheus targets that are down, and the schedule's countdown.", stderr)
	cfgPath := fs.String("c", "", "config file")
	var z zeroFlags
	fs.Var(&z.access, "access-log", "nginx access log to follow (file or glob; repeatable)")
	fs.StringVar(&z.format, "log-format", "auto", "the access log's format: auto (detected from its lines), combined, main, timed, upstreaminfo, or a log_format statement")
	fs.Var(&z.apps, "app-log", "application/error log to watch for DB errors (repeatable)")
	fs.StringVar(&z.timeZone, "time-zone", "", "IANA zone the --app-log files write times without a zone in (default this machine's), e.g. Asia/Shanghai")
	fs.StringVar(&z.promURL, "prometheus", "", "Prometheus (or compatible) base URL, e.g. http://127.0.0.1:9090")
	fs.StringVar(&z.sched, "schedule", "", "schedule file (reloaded when it changes)")
	sf := addScreenFlags(fs)
	if pos, code, ok := parseFlags(fs, args); !ok {
		return code
	} else if len(pos) > 0 {
		fmt.Fprintf(stderr, "warroom: unexpected argument %q (commands come first: warroom <command>)\n", pos[0])
		return exitUsage
	}
	var cfg *Config
	var err error
	switch {
	case *cfgPath != "":
		if len(z.access)+len(z.apps) > 0 || z.promURL != "" || z.sched != "" || z.timeZone != "" {
			fmt.Fprintln(stderr, "warroom: -c and the zero-config flags (--access-log, --app-log, --time-zone, --prometheus, --schedule) do not mix")
			return exitUsage
		}
		cfg, err = loadConfig(*cfgPath)
	case len(z.access)+len(z.apps) == 0 && z.promURL == "":
		fmt.Fprintln(stderr, "warroom: nothing to watch: give -c warroom.yaml, or --access-log FILE (see warroom --help; try warroom demo)")
		return exitUsage
	default:
		cfg, err = zeroConfig(z)
	}
	if err != nil {
		fmt.Fprintf(stderr, "warroom: %v\n", err)
		return exitUsage
	}
	o, loader, err := cfg.collectOptions(time.Now, "")
	if err != nil {
		fmt.Fprintf(stderr, "warroom: %v\n", err)
		return exitUsage
	}
	uo := sf.options()
	uo.Refresh = time.Duration(cfg.Refresh)
	uo.Layout = cfg.Layout
	return screen{collect: o, loader: loader, notify: cfg.Notify, ui: uo, timeline: cfg.TimelineFile}.run(stderr)
}

// zeroFlags are the flags of the zero-config screen.
type zeroFlags struct {
	access, apps     listFlag
	format, timeZone string
	promURL, sched   string
}

// zeroConfig builds the config the flags describe by writing it as YAML
// and reading it back, so it gets exactly the defaults and checks of a
// config file.
func zeroConfig(z zeroFlags) (*Config, error) {
	doc := map[string]any{}
	if len(z.access) > 0 {
		doc["access_logs"] = []map[string]any{{"name": "nginx", "paths": abs(z.access), "format": z.format, "start": "15m"}}
	}
	switch {
	case len(z.apps) > 0:
		app := map[string]any{"name": "app", "paths": abs(z.apps), "start": "15m"}
		if z.timeZone != "" {
			if _, err := time.LoadLocation(z.timeZone); err != nil {
				return nil, fmt.Errorf("--time-zone: unknown time zone %q (want an IANA name like Asia/Shanghai)", z.timeZone)
			}
			app["time_zone"] = z.timeZone
		}
		doc["app_logs"] = []map[string]any{app}
	case z.timeZone != "":
		return nil, errors.New("--time-zone is the zone of the --app-log files' times: give --app-log too")
	}
	if z.promURL != "" {
		doc["prometheus"] = map[string]any{
			"servers": []map[string]any{{"name": "prometheus", "url": z.promURL}},
			"queries": []map[string]any{
				{"name": "targets_down", "expr": "count(up == 0) or vector(0)", "unit": "count"},
				{"name": "targets_up", "expr": "count(up == 1) or vector(0)", "unit": "count"},
			},
		}
		// a scrape target that is down is worth a look at any hour
		doc["rules"] = []map[string]any{{"indicator": "prom.targets_down", "warn": 0}}
	}
	if z.sched != "" {
		doc["schedule_file"] = abs([]string{z.sched})[0]
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	return cfg, nil
}

func abs(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		out[i] = p
	}
	return out
}
