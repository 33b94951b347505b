package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/units"
	"warroom/sources/vlogs"
	"warroom/sources/watch"
)

// The engines in a replay. Prometheus and VictoriaLogs keep history: a
// replay asks them at the night's instants. One that cannot be reached
// now is left out with its rules — it would only judge connection errors
// at each of the night's instants — and so is one the user leaves out
// (--no-prometheus, --no-victorialogs: a night older than its retention).
// A config that reads no log file replays the engines alone over a range
// of time it is given, since no line sets the clock.

// replayAsk is what a replay was told about its engines.
type replayAsk struct {
	noProm, noVL bool
	// from and to are the range of a replay of engines alone (zero with
	// log files: their lines are the clock).
	from, to time.Time
}

// replayProbe bounds the one question asked of each engine.
const replayProbe = 5 * time.Second

// leaveOutLive drops the engines a replay cannot read the night from,
// with their rules, and says so on stderr after who; each one's streams
// that hold no line of a replay's range are named too.
func leaveOutLive(cfg *Config, stderr io.Writer, who string, ask replayAsk) {
	why := ""
	if ask.noProm {
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
	leaveOutVictoriaLogs(cfg, stderr, who, ask)
}

// leaveOutVictoriaLogs drops the streams of the servers that do not
// answer now (or all of them, with --no-victorialogs) and the streams
// whose filter a server refuses, with their rules.
func leaveOutVictoriaLogs(cfg *Config, stderr io.Writer, who string, ask replayAsk) {
	vc := &cfg.VictoriaLogs
	if len(vc.Streams) == 0 {
		return
	}
	drop := map[string]string{} // stream → why
	if ask.noVL {
		for _, s := range vc.Streams {
			drop[s.Name] = "--no-victorialogs"
		}
	} else {
		// a replay of engines alone asks about its range; one of files
		// only whether the servers answer (the files' range is not read
		// yet)
		end, span := time.Now(), time.Minute
		if !ask.from.IsZero() {
			end, span = ask.to, ask.to.Sub(ask.from)
		}
		ctx, cancel := context.WithTimeout(context.Background(), replayProbe)
		defer cancel()
		zone := collect.EventZone(nil)
		if sched, err := checkedSchedule(cfg); err == nil {
			zone = collect.EventZone(sched)
		}
		for _, sp := range vlogs.Probe(ctx, *vc, span, func() time.Time { return end }) {
			if sp.Health != sources.HealthOK {
				for _, s := range vc.Streams {
					if s.Server == sp.Server {
						drop[s.Name] = "server " + sp.Server + " does not answer now (" + sources.Sanitize(sp.Health.String()+": "+sp.Reason) + ")"
					}
				}
				continue
			}
			for _, st := range sp.Streams {
				switch {
				case st.Health != sources.HealthOK:
					drop[st.Stream] = "its filter fails (" + sources.Sanitize(st.Health.String()+": "+st.Reason) + ")"
				case st.Lines == 0 && !ask.from.IsZero():
					fmt.Fprintf(stderr, "%s VictoriaLogs stream %s holds no line from %s to %s (nothing shipped then, a filter that matches nothing, or older than the server's retention)\n",
						who, st.Stream, units.DateClock(ask.from.In(zone)), units.DateClock(ask.to.In(zone)))
				}
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	var kept []vlogs.StreamConfig
	names := map[string]bool{}
	for _, s := range vc.Streams {
		if why, ok := drop[s.Name]; ok {
			fmt.Fprintf(stderr, "%s leaves out VictoriaLogs stream %s and its rules: %s\n", who, s.Name, why)
			names[s.Name] = true
			continue
		}
		kept = append(kept, s)
	}
	vc.Streams = kept
	dropRules(cfg, names)
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

// nothingLeft says, after leaveOutLive, that a config that reads no log
// file has no engine left either: a replay of it would print nothing,
// which reads as a quiet night.
func nothingLeft(cfg *Config) bool {
	return !readsFiles(cfg) && len(cfg.VictoriaLogs.Streams)+len(cfg.Prometheus.Queries)+len(cfg.Prometheus.Presets) == 0
}

// readsFiles says whether cfg reads a log file (or command): its lines
// are then a replay's clock.
func readsFiles(cfg *Config) bool { return len(cfg.AccessLogs)+len(cfg.AppLogs) > 0 }

// defaultEngineSpan is how long a replay of engines alone runs after
// --from when --to is not given.
const defaultEngineSpan = time.Hour

// engineRange is the range a replay of engines alone runs over: --stage's
// window, or --from to --to (an hour after --from when not given), never
// past now. A time of day alone (00:05) is the last one before now; a
// relative --from (-2h) is from now, a relative --to (+30m) from --from.
func engineRange(cfg *Config, from, to, stage string, now time.Time) (time.Time, time.Time, error) {
	sched, err := checkedSchedule(cfg)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	zone := collect.EventZone(sched)
	var f, t time.Time
	switch {
	case stage != "":
		m, err := stageNamed(sched, stage)
		if err != nil {
			return f, t, err
		}
		f, t = m.Start(), m.Finish()
	case from != "":
		// nearest to half a day ago: the last such time before now
		ref := now.Add(-12 * time.Hour)
		if from[0] == '+' || from[0] == '-' {
			ref = now
		}
		if f, err = sources.ParseInstant(from, ref, zone); err != nil {
			return f, t, fmt.Errorf("--from: %w", err)
		}
		t = f.Add(defaultEngineSpan)
	default:
		return f, t, errors.New("the config reads no log file, so nothing sets the replay's clock: give --from TIME [--to TIME] or --stage NAME, the range to ask the engines about")
	}
	if to != "" {
		if t, err = sources.ParseInstant(to, f, zone); err != nil {
			return f, t, fmt.Errorf("--to: %w", err)
		}
	}
	switch {
	case !f.Before(now):
		return f, t, fmt.Errorf("the range starts at %s, not yet passed", units.DateClock(f.In(zone)))
	case !t.After(f):
		return f, t, fmt.Errorf("--to %s is not after the start (%s)", units.DateClock(t.In(zone)), units.DateClock(f.In(zone)))
	}
	if t.After(now) {
		t = now
	}
	return f, t, nil
}
