package main

import (
	"fmt"
	"io"
	"strings"
)

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "FILE", "Validate a warroom config file and print what it understood.\nErrors name the line and the field; the exit status is 2 on any error.", stderr)
	files, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "warroom check: give exactly one config file")
		return exitUsage
	}
	cfg, err := loadConfig(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "warroom check: %v\n", err)
		return exitUsage
	}
	p := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	p("%s: OK\n", files[0])
	p("refresh: %s\n", cfg.Refresh)
	p("access logs: %d\n", len(cfg.AccessLogs))
	for _, s := range cfg.AccessLogs {
		where := strings.Join(s.Paths, ", ")
		if len(s.Command) > 0 {
			where = "command: " + strings.Join(s.Command, " ")
		}
		f := s.CompiledFormat()
		p("  %s: %s (start %s)\n", s.Name, where, s.Start)
		name := f.Name
		if name == "" {
			name = "custom"
		}
		p("    format %s: %d variables: %s\n", name, len(f.Variables()), strings.Join(f.Variables(), " "))
		if !f.HasTime() {
			p("    warning: no $time_local, $time_iso8601 or $msec: lines are counted when they are read\n")
		}
		if !f.HasRequestTime() {
			p("    warning: no $request_time: slow ratio and latency cannot be measured\n")
		}
		p("    client %s, slow > %s, retention %s at 1s / %s at 1m / detail %s\n", s.Client, s.Slow, s.Retention.Seconds, s.Retention.Minutes, s.Retention.Detail)
		for _, g := range s.Groups {
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
	return exitOK
}
