package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/config"
	"warroom/sources/nginx"
	"warroom/sources/notify"
	"warroom/sources/prom"
	"warroom/sources/schedule"
	"warroom/sources/units"
	"warroom/sources/vlogs"
	"warroom/sources/watch"
)

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[-c] FILE", "Validate a warroom config file and print what it understood, then ask\nthe servers it names. Errors in the config name the line and the field\n(exit status 2); problems the servers or the logs show exit 1.", stderr)
	cfgPath := fs.String("c", "", "config file (as the other commands take it; or give it alone)")
	files, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if *cfgPath != "" {
		files = append([]string{*cfgPath}, files...)
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "warroom check: give exactly one config file")
		return exitUsage
	}
	cfg, err := loadConfig(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "warroom check: %s\n", sanitizeLines(err.Error()))
		return exitUsage
	}
	// webhook URLs and secrets come from files and the environment: a
	// missing one is found now, not at the first alarm after midnight
	if _, err := notify.New(cfg.Notify, notify.Options{Env: os.Getenv}); err != nil {
		fmt.Fprintf(stderr, "warroom check: %s\n", sanitizeLines(files[0]+": "+err.Error()))
		return exitUsage
	}
	// the schedule file is reloaded at run time, so a broken one does not
	// stop the screen; but check is what is run before deploying, and a
	// night with no schedule is not OK
	sched, err := checkedSchedule(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "warroom check: %s\n", sanitizeLines(files[0]+": "+err.Error()))
		return exitUsage
	}
	// names, paths and the event come from the config and the schedule
	// file: every line is shown by the one policy for untrusted text
	p := func(format string, a ...any) { io.WriteString(stdout, sanitizeLines(fmt.Sprintf(format, a...))) }
	p("%s: valid\n", files[0])
	problems := 0
	p("refresh: %s\n", cfg.Refresh)
	p("access logs: %d\n", len(cfg.AccessLogs))
	for _, s := range cfg.AccessLogs {
		where := strings.Join(s.Paths, ", ")
		if len(s.Command) > 0 {
			where = "command: " + strings.Join(s.Command, " ")
		}
		p("  %s: %s (start %s)\n", s.Name, where, s.Start)
		if f := s.CompiledFormat(); f != nil {
			p("    format %s: %d variables: %s\n", cmp.Or(f.Name, "custom"), len(f.Variables()), strings.Join(f.Variables(), " "))
		} else {
			p("    format auto: detected from the log's lines (%s)\n", strings.Join(nginx.BuiltinNames, ", "))
		}
		for _, w := range s.Warnings() {
			p("    warning: %s\n", w)
		}
		problems += checkAccessLog(s, p)
		p("    client %s, slow > %s, retention %s at 1s / %s at 1m / detail %s\n", s.Client, s.Slow, s.Retention.Seconds, s.Retention.Minutes, s.Retention.Detail)
		printGroups(s.Groups, p)
	}
	checkSections(cfg, sched, time.Now(), time.Local, p)
	problems += checkEngines(cfg, time.Now, p)
	if problems > 0 {
		p("%s: %d %s: the screen would not show these logs' numbers\n", files[0], problems, plural(problems, "problem", "problems"))
		return exitProblem
	}
	p("%s: OK\n", files[0])
	return exitOK
}

// printGroups lists an access log's or an access stream's path groups.
func printGroups(gs []nginx.GroupConfig, p func(string, ...any)) {
	for _, g := range gs {
		m := "prefix " + g.Prefix
		if g.Glob != "" {
			m = "glob " + g.Glob
		}
		slow := "inherited"
		if g.Slow > 0 {
			slow = g.Slow.String()
		}
		p("    group %s: %s, slow %s\n", g.Name, m, slow)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkedSchedule is the schedule in force as check finds it: inline, from
// schedule_file (read once, as the loader's first poll does), or nil when
// there is none. A schedule_file that is missing or invalid is an error at
// the config's schedule_file line.
func checkedSchedule(cfg *Config) (*schedule.Schedule, error) {
	switch {
	case cfg.Schedule != nil:
		s, err := schedule.New(*cfg.Schedule)
		if err != nil {
			return nil, config.Errorf(nil, "schedule", "%v", strings.TrimPrefix(err.Error(), "schedule: "))
		}
		return s, nil
	case cfg.ScheduleFile != "":
		l := schedule.NewLoader(schedule.LoaderOptions{Path: cfg.ScheduleFile})
		if _, err := l.Poll(); err != nil {
			return nil, &config.Error{Line: cfg.scheduleFileLine, Field: "schedule_file", Err: errors.New(strings.TrimPrefix(err.Error(), "schedule: "))}
		}
		return l.Schedule(), nil
	}
	return nil, nil
}

// checkSections prints what check understood of the sections after the
// access logs, with sched from checkedSchedule. now and local are passed in
// so tests do not depend on the host.
func checkSections(cfg *Config, sched *schedule.Schedule, now time.Time, local *time.Location, p func(string, ...any)) {
	p("app logs: %d\n", len(cfg.AppLogs))
	for _, s := range cfg.AppLogs {
		where := strings.Join(s.Paths, ", ")
		if len(s.Command) > 0 {
			where = "command: " + strings.Join(s.Command, " ")
		}
		p("  %s: %s (start %s)\n", s.Name, where, s.Start)
		p("    packs %s; %d own patterns; keep %d lines, retention %s\n", strings.Join(s.Packs, ", "), len(s.Patterns), s.Keep, s.Retention)
		tz := "this machine's (" + now.In(local).Format("MST -07:00") + ")"
		if s.TimeZone != "" {
			tz = s.TimeZone
		}
		p("    times without a zone read in %s\n", tz)
		checkAppLog(s, now, p)
		for _, pt := range s.Patterns {
			how := "substring " + strconv.Quote(pt.Substring)
			if pt.Regexp != "" {
				how = "regexp " + strconv.Quote(pt.Regexp)
			}
			p("    pattern %s: %s\n", pt.Name, how)
		}
	}
	pc := cfg.Prometheus
	p("prometheus: %d servers, %d queries\n", len(pc.Servers), len(pc.Queries))
	for _, s := range pc.Servers {
		// String hides passwords and tokens
		p("  %s\n", strings.TrimSpace(strings.ReplaceAll(s.String(), "\n", "\n    ")))
	}
	for _, q := range pc.Queries {
		every := "every refresh"
		if q.Interval > 0 {
			every = "every " + q.Interval.String()
		}
		unit := string(q.Unit)
		if unit == "" {
			unit = "no unit"
		}
		what := "query " + q.IndicatorName()
		switch {
		case q.Check == prom.CheckUp:
			what = "exporter check: targets down"
		case q.Check == prom.CheckSeries:
			what = "exporter check: " + q.Title + " series"
		case q.Hidden:
			what = "query for the " + q.Table + " table, " + q.Column + " column"
		}
		if q.Preset != "" {
			what += " (preset " + q.Preset + ")"
		}
		p("  %s (%s, %s, %s, on %s): %s\n", what, q.Kind, unit, every, q.Server, q.Expr)
	}
	for _, pr := range pc.Presets {
		for _, n := range pr.Notes() {
			p("  preset %s (%s): %s\n", pr.Name, pr.Kind, n)
		}
	}
	checkVictoriaLogs(cfg, p)
	checkSchedule(cfg, sched, now, local, p)
	rules := cfg.rules()
	mine := map[string]bool{}
	for _, r := range cfg.Rules.Expand(cfg.names()) {
		mine[r.Indicator] = true
	}
	builtin := 0
	for _, r := range rules {
		if !mine[r.Indicator] {
			builtin++
		}
	}
	p("rules: %d (%d built in)\n", len(rules), builtin)
	unit := cfg.units()
	p("  (in HOT a rule holds at most %s unless its phases.hot names for; a phase override without for takes its phase's hold)\n", model.Duration(watch.HotHold))
	for _, r := range rules {
		p("  %s\n", describeRule(r, func(v float64) string { return units.Format(v, unit(r.Indicator)) }))
	}
	if cfg.TimelineFile != "" {
		p("timeline file: %s (JSON lines, appended)\n", cfg.TimelineFile)
	}
	if cfg.ReportsDir != "" {
		p("reports: %s\n", cfg.ReportsDir)
	}
	p("notify: %s\n", strings.TrimSpace(cfg.Notify.String())) // never shows a URL or secret
	if len(cfg.Layout.Rows) == 0 {
		p("layout: automatic (from the indicators and the terminal size)\n")
	} else {
		p("layout: %d rows\n", len(cfg.Layout.Rows))
	}
}

// checkVictoriaLogs lists the VictoriaLogs servers (without secrets) and
// streams: what each selects, how its lines are read, what it gives.
func checkVictoriaLogs(cfg *Config, p func(string, ...any)) {
	vc := cfg.VictoriaLogs
	if len(vc.Servers)+len(vc.Streams) == 0 {
		return
	}
	p("victorialogs: %d servers, %d streams\n", len(vc.Servers), len(vc.Streams))
	for _, s := range vc.Servers {
		p("  %s\n", strings.TrimSpace(strings.ReplaceAll(s.String(), "\n", "\n    ")))
	}
	byStream := map[string][]string{}
	for _, in := range cfg.vlogsIndicators() {
		stream, _, _ := strings.Cut(in.Name, ".")
		if in.Show {
			byStream[stream] = append(byStream[stream], in.Name)
		}
	}
	for _, s := range vc.Streams {
		p("  stream %s (%s, on %s): %s\n", s.Name, s.Kind, s.Server, s.Filter)
		f := s.Fields
		if s.Kind == vlogs.KindAccess {
			p("    fields status=%s request_time=%s path=%s client=%s host=%s; slow > %s\n", f.Status, f.RequestTime, f.Path, f.Client, f.Host, s.Slow)
			if s.Format != "" {
				if nf, err := nginx.CompileFormat(s.Format); err == nil {
					p("    read from the raw lines in _msg with the format's %s\n", strings.Join(nf.Variables(), " "))
					if !nf.HasRequestTime() {
						p("    warning: the format has no $request_time: the slow ratio and the groups' would be unknown\n")
					}
				}
			}
			printGroups(s.Groups, p)
		} else {
			p("    packs %s; %d own patterns; keep %d lines; host field %s\n", strings.Join(s.Packs, ", "), len(s.Patterns), s.Keep, f.Host)
			for _, pt := range s.Patterns {
				how := "substring " + strconv.Quote(pt.Substring)
				if pt.Regexp != "" {
					how = "regexp " + strconv.Quote(pt.Regexp)
				}
				p("    pattern %s: %s\n", pt.Name, how)
			}
		}
		p("    gives %s\n", strings.Join(byStream[s.Name], ", "))
	}
}

func checkSchedule(cfg *Config, sched *schedule.Schedule, now time.Time, local *time.Location, p func(string, ...any)) {
	switch {
	case sched == nil:
		p("schedule: none (every instant is normal)\n")
		return
	case cfg.ScheduleFile != "":
		p("schedule: %s (reloaded when it changes), %d milestones\n", cfg.ScheduleFile, sched.Len())
	default:
		p("schedule: inline, %d milestones\n", sched.Len())
	}
	p("%s", indent(sched.Listing(now, 5), "  "))
}

// sanitizeLines is sources.Sanitize line by line: the line breaks check
// itself prints stay, everything else is shown by the policy.
func sanitizeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = sources.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// describeRule is one rule: its indicator, then what it judges with in
// each phase (phases that judge alike share a line), thresholds in the
// indicator's unit as the screen writes them. HOT's hold is at most
// watch.HotHold unless the rule's phases.hot names for.
func describeRule(r watch.Rule, format func(float64) string) string {
	type line struct {
		phases []string
		text   string
	}
	var lines []line
	for _, ph := range schedule.Phases {
		t := describeLimits(r.Effective(ph), format)
		if i := slices.IndexFunc(lines, func(l line) bool { return l.text == t }); i >= 0 {
			lines[i].phases = append(lines[i].phases, ph.String())
			continue
		}
		lines = append(lines, line{[]string{ph.String()}, t})
	}
	if len(lines) == 1 {
		return r.Indicator + ": " + lines[0].text
	}
	out := r.Indicator + ":"
	for _, l := range lines {
		out += "\n    " + strings.Join(l.phases, ", ") + ": " + l.text
	}
	return out
}

// describeLimits is one phase's settings in a line.
func describeLimits(l watch.Limits, format func(float64) string) string {
	op := ">"
	if l.Direction == watch.Below {
		op = "<"
	}
	var parts []string
	if l.HasWarn {
		parts = append(parts, fmt.Sprintf("warn %s %s", op, format(l.Warn)))
	}
	if l.HasCrit {
		parts = append(parts, fmt.Sprintf("crit %s %s", op, format(l.Crit)))
	}
	if l.HasWarn || l.HasCrit {
		if l.For > 0 {
			parts = append(parts, "for "+model.Duration(l.For).String())
		} else {
			parts = append(parts, "at once")
		}
		if l.RecoverAt != 1 {
			parts = append(parts, fmt.Sprintf("recover at %g×", l.RecoverAt))
		}
		if l.MinCount > 0 {
			parts = append(parts, fmt.Sprintf("min_count %d", l.MinCount))
		}
		if l.MinTotal > 0 {
			parts = append(parts, fmt.Sprintf("min_total %d", l.MinTotal))
		}
	}
	switch {
	case l.AutoAbsent:
		parts = append(parts, fmt.Sprintf("absent auto (%d× the usual gap between lines, %s to %s)",
			watch.AutoAbsentGaps, model.Duration(watch.AutoAbsentMin), model.Duration(watch.AutoAbsentMax)))
	case l.Absent > 0:
		parts = append(parts, "absent "+model.Duration(l.Absent).String())
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, ", ")
}
