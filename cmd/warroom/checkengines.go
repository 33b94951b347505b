package main

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/units"
	"warroom/sources/vlogs"
)

// Engine health for `warroom check`: each VictoriaLogs server is asked
// once, and each stream how many lines its filter matched lately, so a
// wrong password, a proxy's login page or a filter that matches nothing
// is found before the night, not during it.

// checkSpan is how far back a stream's filter is tried.
const checkSpan = 15 * time.Minute

// checkEngines contacts the VictoriaLogs servers and reports what they
// answered. It returns the number of problems: a server that answered
// otherwise than VictoriaLogs does, a filter it refused. A server that
// cannot be reached from here is a warning: check may run elsewhere than
// the screen.
func checkEngines(cfg *Config, now func() time.Time, p func(string, ...any)) (problems int) {
	problems = checkPrometheus(cfg, now, p)
	vc := cfg.VictoriaLogs
	if len(vc.Servers) == 0 {
		return problems
	}
	span := model.Duration(checkSpan)
	p("victorialogs, asked now:\n")
	for _, sp := range vlogs.Probe(context.Background(), vc, checkSpan, now) {
		switch sp.Health {
		case sources.HealthOK:
			p("  %s: reachable (answered in %s)\n", sp.Server, sp.Took.Round(time.Millisecond))
		case sources.HealthUnreachable:
			p("  %s: unreachable: %s\n", sp.Server, sources.Sanitize(sp.Reason))
			p("    warning: not reached from here; its streams were not tried\n")
			continue
		default:
			p("  %s: error: %s\n", sp.Server, sources.Sanitize(sp.Reason))
			p("    problem: it does not answer as VictoriaLogs does; its streams were not tried\n")
			problems++
			continue
		}
		for _, st := range sp.Streams {
			switch {
			case st.Health != sources.HealthOK:
				p("    stream %s: %s: %s\n", st.Stream, st.Health, sources.Sanitize(st.Reason))
				p("      problem: the screen would show no number of this stream\n")
				problems++
			case st.Lines > 0 && st.Unfit == st.Lines:
				p("    stream %s: %d lines in the last %s, none of which the format fits\n", st.Stream, st.Lines, span)
				p("      problem: the screen would count requests but never a 499, a 5xx or a slow one: is format the log_format these lines were written with?\n")
				problems++
			case st.Unfit > 0:
				p("    stream %s: %d lines in the last %s, %d of which the format does not fit\n", st.Stream, st.Lines, span, st.Unfit)
				p("      warning: those count as requests without a status\n")
			case st.Lines > 0:
				p("    stream %s: %d lines in the last %s\n", st.Stream, st.Lines, span)
			case st.Kind == vlogs.KindAccess:
				p("    stream %s: no line in the last %s\n", st.Stream, span)
				p("      warning: does the filter match what the shipper sends (field names, values)?\n")
			default:
				p("    stream %s: no line in the last %s (quiet, or a filter that matches nothing)\n", st.Stream, span)
			}
			for i, n := range st.Groups {
				if n == 0 {
					p("      warning: group %s matched none of them (an earlier group takes its paths, or its prefix or glob matches nothing)\n",
						sources.Sanitize(groupName(vc, st.Stream, i)))
				}
			}
			if st.Health == sources.HealthOK && st.Kind == vlogs.KindAccess && st.Lines > st.Unfit && st.Timed == 0 {
				p("      warning: no line has a request time (field %s): the slow ratio would be unknown\n", sources.Sanitize(fieldOf(vc, st.Stream)))
			}
		}
	}
	return problems
}

// checkTimeout bounds the one round of Prometheus queries check sends.
const checkTimeout = 10 * time.Second

// checkPrometheus sends every query (presets' included) once, now, and
// says what each answered: its value in the indicator's unit, an empty
// answer, or the server's error — a query Prometheus refuses is a problem;
// a server not reached from here is a warning, said once.
func checkPrometheus(cfg *Config, now func() time.Time, p func(string, ...any)) (problems int) {
	snap, ok := askPrometheus(cfg, now, checkTimeout)
	if !ok {
		return 0 // none configured, or the config's own check said why
	}
	p("prometheus, asked now:\n")
	unreached := map[string]bool{}
	for _, r := range snap.Results {
		v := r.Value
		switch {
		case v.Health == sources.HealthUnreachable:
			if !unreached[r.Server] {
				unreached[r.Server] = true
				p("  %s: unreachable: %s\n", r.Server, sources.Sanitize(v.Err))
				p("    warning: not reached from here; its queries were not tried\n")
			}
		case v.Health != sources.HealthOK:
			p("  %s (on %s): %s: %s\n", r.Name, r.Server, v.Health, sources.Sanitize(v.Err))
			p("    problem: the screen would show no number of this query\n")
			problems++
		case math.IsNaN(v.Value):
			p("  %s (on %s): no series now (an empty answer)\n", r.Name, r.Server)
		default:
			p("  %s (on %s): %s\n", r.Name, r.Server, units.Format(v.Value, r.Unit))
		}
	}
	return problems
}

// fieldOf is the request-time field stream reads.
func fieldOf(vc vlogs.Config, stream string) string {
	for _, s := range vc.Streams {
		if s.Name == stream {
			return s.Fields.RequestTime
		}
	}
	return ""
}

// groupName is stream's i-th path group's name.
func groupName(vc vlogs.Config, stream string, i int) string {
	for _, s := range vc.Streams {
		if s.Name == stream && i < len(s.Groups) {
			return s.Groups[i].Name
		}
	}
	return ""
}
