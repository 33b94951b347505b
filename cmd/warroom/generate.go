package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/demo"
	"warroom/sources/nginx/synth"
	"warroom/sources/prom"
)

func modelDuration(d time.Duration) model.Duration { return model.Duration(d) }

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", "[flags]", "Write a deterministic synthetic nginx access log in the `timed` format\n(combined + $request_time $upstream_response_time): same seed, same bytes.\n\n"+
		"With --campaign DIR, write a whole campaign there instead: --days stage ends,\n"+
		"one each midnight (Asia/Shanghai) after --start's day, a diurnal rate that\n"+
		"peaks at --rate req/s at 21:00, a flood of --flood req/s after each stage end\n"+
		"(499s, slow responses, ECONNRESET in the app log) and a few bursts of\n"+
		"ECONNRESET by day; the access and app logs rotated daily (access.log,\n"+
		"access.log.1, access.log.N.gz), and warroom.yaml to read them with:\n"+
		"  warroom watch --replay -c DIR/warroom.yaml\n"+
		"(20 days at the defaults: about 26M access lines, 1.1 GB on disk).", stderr)
	lines := fs.Int("lines", 100000, "number of lines")
	seed := fs.Uint64("seed", 1, "random seed")
	rate := fs.Int("rate", 2000, "lines per second of log time (with --campaign: at the evening peak, default 30)")
	start := fs.String("start", "2026-12-31T23:30:00+08:00", "timestamp of the first line (RFC 3339; with --campaign: the first day's 00:00, default 2026-12-12T00:00:00+08:00)")
	out := fs.String("o", "-", "output file ('-' for stdout)")
	mtail := fs.Bool("mtail", false, "print warroom's mtail program instead (for `prometheus: presets: [{kind: mtail}]`)")
	campaign := fs.String("campaign", "", "write a campaign's logs and config into this directory")
	days := fs.Int("days", 20, "with --campaign: stage ends, one each midnight")
	flood := fs.Int("flood", 0, "with --campaign: req/s of the storm after a stage end (default 10 × --rate)")
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *mtail {
		fmt.Fprint(stdout, prom.MtailProgram)
		return exitOK
	}
	if *campaign != "" {
		return generateCampaign(fs, *campaign, *days, *rate, *flood, *seed, *start, stderr)
	}
	t, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		fmt.Fprintf(stderr, "warroom generate: --start: %v\n", err)
		return exitUsage
	}
	if *lines < 0 || *rate <= 0 {
		fmt.Fprintln(stderr, "warroom generate: --lines must be ≥ 0 and --rate > 0")
		return exitUsage
	}
	w := bufio.NewWriter(stdout)
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintf(stderr, "warroom generate: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		w = bufio.NewWriter(f)
	}
	err = synth.Write(w, synth.Options{Seed: *seed, Lines: *lines, Rate: *rate, Start: t, Zone: t.Location()})
	if err == nil {
		err = w.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "warroom generate: %v\n", err)
		return exitProblem
	}
	return exitOK
}

// generateCampaign writes --campaign DIR: the flags it takes that were
// not set keep the campaign's defaults, and those of a single log are
// refused.
func generateCampaign(fs *flag.FlagSet, dir string, days, rate, flood int, seed uint64, start string, stderr io.Writer) int {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"lines", "o"} {
		if set[name] {
			fmt.Fprintf(stderr, "warroom generate: --%s is for a single log, not --campaign\n", name)
			return exitUsage
		}
	}
	o := demo.CampaignOptions{Dir: dir, Days: days, Flood: float64(flood), Seed: seed}
	if set["rate"] {
		o.Peak = float64(rate)
	}
	if set["start"] {
		t, err := time.Parse(time.RFC3339, start)
		if err != nil {
			fmt.Fprintf(stderr, "warroom generate: --start: %v\n", err)
			return exitUsage
		}
		o.First = t
	}
	if days <= 0 || days > 366 || rate <= 0 || flood < 0 {
		fmt.Fprintln(stderr, "warroom generate: --days must be 1..366, --rate > 0 and --flood ≥ 0")
		return exitUsage
	}
	if err := demo.WriteCampaign(o); err != nil {
		fmt.Fprintf(stderr, "warroom generate: %v\n", err)
		return exitProblem
	}
	return exitOK
}
