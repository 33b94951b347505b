package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/nginx/synth"
	"warroom/sources/prom"
)

func modelDuration(d time.Duration) model.Duration { return model.Duration(d) }

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", "[flags]", "Write a deterministic synthetic nginx access log in the `timed` format\n(combined + $request_time $upstream_response_time): same seed, same bytes.", stderr)
	lines := fs.Int("lines", 100000, "number of lines")
	seed := fs.Uint64("seed", 1, "random seed")
	rate := fs.Int("rate", 2000, "lines per second of log time")
	start := fs.String("start", "2026-12-31T23:30:00+08:00", "timestamp of the first line (RFC 3339)")
	out := fs.String("o", "-", "output file ('-' for stdout)")
	mtail := fs.Bool("mtail", false, "print warroom's mtail program instead (for `prometheus: presets: [{kind: mtail}]`)")
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *mtail {
		fmt.Fprint(stdout, prom.MtailProgram)
		return exitOK
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
