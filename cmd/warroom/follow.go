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
}

// runFollow follows paths (through rotation) and prints one summary per
// interval until SIGINT/SIGTERM, or until ctx's deadline in tests.
func runFollow(ctx context.Context, cfg nginx.SourceConfig, interval time.Duration, asJSON bool, stdout, stderr io.Writer) int {
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
	lastErr := map[string]string{}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	enc := json.NewEncoder(stdout)
	for {
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintf(stderr, "warroom scan: %v\n", err)
				return exitProblem
			}
			return exitOK
		case now := <-tick.C:
			b, codes, bad := agg.Counts()
			iv := followInterval{
				At:        now.Truncate(time.Millisecond),
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
			prevB, prevCodes, prevBad = b, codes, bad
			for _, st := range src.Status() {
				if st.Err != lastErr[st.Path] {
					if st.Err != "" {
						fmt.Fprintf(stderr, "warroom scan: %s\n", sources.Sanitize(st.Err))
					}
					lastErr[st.Path] = st.Err
				}
			}
			if asJSON {
				enc.Encode(iv)
				continue
			}
			fmt.Fprintf(stdout, "%s  requests %6s (%s/s)  499 %s  5xx %s  slow %s  malformed %s\n",
				iv.At.Format("15:04:05"), grouped(iv.Requests), strconv.FormatFloat(float64(iv.Requests)/interval.Seconds(), 'f', 1, 64),
				grouped(iv.S499), grouped(iv.S5xx), grouped(iv.Slow), grouped(iv.Malformed))
		}
	}
}
