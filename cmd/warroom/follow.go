package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/units"
)

// followInterval is one line of `scan --follow` output.
type followInterval struct {
	At        time.Time         `json:"at"`
	Requests  uint64            `json:"requests"`
	Status    map[string]uint64 `json:"status"`
	Slow      uint64            `json:"slow"`
	S499      uint64            `json:"499"`
	S5xx      uint64            `json:"5xx"`
	Malformed uint64            `json:"malformed"`
	// Last marks the interval cut short by SIGINT/SIGTERM, Seconds its
	// length.
	Last    bool    `json:"last,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
}

// followOpts are scan --follow's settings.
type followOpts struct {
	interval time.Duration
	zone     *time.Location // times are written in it, labelled
	json     bool
}

// runFollow follows paths (through rotation) and prints one summary per
// interval until SIGINT/SIGTERM, or until ctx's deadline in tests; the
// interval under way then is printed too, with what was written up to the
// stop (the follower reads the files once more as it stops).
func runFollow(ctx context.Context, cfg nginx.SourceConfig, o followOpts, stdout, stderr io.Writer) int {
	src, err := nginx.NewSource(cfg, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "warroom scan: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()

	agg := src.Aggregator()
	prevB, prevCodes, prevBad := agg.Counts()
	prevAt := time.Now()
	lastErr := map[string]string{}
	lastNote := ""
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	enc := json.NewEncoder(stdout)
	for {
		var now time.Time
		last := false
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintf(stderr, "warroom scan: %v\n", err)
				return exitProblem
			}
			now, last = time.Now(), true
		case now = <-tick.C:
		}
		b, codes, bad := agg.Counts()
		iv := followInterval{
			At:        now.Truncate(time.Millisecond).In(o.zone),
			Requests:  uint64(b.Requests - prevB.Requests),
			Slow:      uint64(b.Slow - prevB.Slow),
			S499:      uint64(b.S499 - prevB.S499),
			S5xx:      uint64(b.Class[5] - prevB.Class[5]),
			Malformed: bad - prevBad,
			Status:    map[string]uint64{},
		}
		for code, n := range codes {
			if d := n - prevCodes[code]; d > 0 {
				iv.Status[strconv.Itoa(code)] = d
			}
		}
		length := o.interval
		if last {
			length = now.Sub(prevAt)
			iv.Last, iv.Seconds = true, length.Seconds()
		}
		prevB, prevCodes, prevBad, prevAt = b, codes, bad, now
		// which format the lines are read with, each time it changes
		// (detected from the first lines, or again after a reload)
		if note, _, _ := src.FormatNote(); note != lastNote {
			fmt.Fprintf(stderr, "warroom scan: %s\n", sources.Sanitize(note))
			lastNote = note
		}
		for _, st := range src.Status() {
			if st.Err != lastErr[st.Path] {
				if st.Err != "" {
					fmt.Fprintf(stderr, "warroom scan: %s\n", sources.Sanitize(st.Err))
				}
				lastErr[st.Path] = st.Err
			}
		}
		switch {
		case o.json:
			enc.Encode(iv)
		default:
			fmt.Fprintln(stdout, iv.text(length))
		}
		if last {
			return exitOK
		}
	}
}

// text is the interval as a line for a person: its time labelled with its
// zone, its rate as the screen writes it, counts exact.
func (iv followInterval) text(length time.Duration) string {
	s := fmt.Sprintf("%s  requests %6s (%s)  499 %s  5xx %s  slow %s  malformed %s",
		units.Clock(iv.At), grouped(iv.Requests), units.Format(float64(iv.Requests)/max(length.Seconds(), 0.001), sources.UnitPerSecond),
		grouped(iv.S499), grouped(iv.S5xx), grouped(iv.Slow), grouped(iv.Malformed))
	if iv.Last {
		s += fmt.Sprintf("  (last %.1fs, stopped)", length.Seconds())
	}
	return s
}
