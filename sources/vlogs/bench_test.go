package vlogs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// benchServer is a VictoriaLogs holding the last 15 minutes of about 40
// requests a second (37,000 lines over 4 hosts), started once for every
// benchmark.
var (
	benchOnce sync.Once
	benchVL   *vltest.Server
)

func benchServer(b *testing.B) *vltest.Server {
	benchOnce.Do(func() {
		benchVL = vltest.Start(b)
		now := time.Now().Truncate(time.Second)
		lines := 0
		defer func() { b.Logf("%d lines over 15 minutes", lines) }()
		for m := 15; m > 0; m-- {
			tr := genTraffic(uint64(m), now.Add(-time.Duration(m)*time.Minute), 60)
			// 15 lines a second on average from genTraffic: thrice over
			for k := range 3 {
				lines += len(tr.lines)
				for i := range tr.lines {
					tr.lines[i].Time = tr.lines[i].Time.Add(time.Duration(k) * time.Millisecond)
				}
				benchVL.Insert(b, "app:=nginx", tr.lines)
			}
		}
	})
	return benchVL
}

// BenchmarkRefresh is the cost of a refresh against a real VictoriaLogs:
// the steady poll of N access streams (each asks for the newest seconds
// and the minute before them), and of one with path groups, of one read
// from raw lines with a format (the same lines' _msg), their top
// tables and drivers (every 5 s), and, as the baseline, one `stats
// count()` over the same minute.
//
//	go test ./sources/vlogs -run '^$' -bench Refresh -benchtime 50x
func BenchmarkRefresh(b *testing.B) {
	vl := benchServer(b)
	ctx := context.Background()
	b.Run("baseline count of a minute", func(b *testing.B) {
		for b.Loop() {
			now := time.Now().Unix()
			if _, err := count(vl.URL, now-60, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, n := range []int{1, 4, 16, -1, -2} {
		cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL}}}
		for i := range max(n, 1) {
			cfg.Streams = append(cfg.Streams, vlogs.StreamConfig{Name: fmt.Sprintf("s%d", i), Filter: fmt.Sprintf("app:=nginx host:=web-%d", 1+i%4)})
		}
		name := fmt.Sprintf("%d streams", n)
		switch n {
		case -1:
			// one stream with trafficGroups' path groups: 35 more columns
			cfg.Streams[0].Groups = trafficGroups
			name = fmt.Sprintf("1 stream with %d groups", len(trafficGroups))
		case -2:
			// one stream read from the raw lines in _msg (the same lines)
			cfg.Streams[0].Format = "timed"
			name = "1 stream of raw lines"
		}
		srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range srcs {
			s.(*vlogs.Access).Refresh(ctx) // the first poll fills the window
		}
		b.Run("poll "+name, func(b *testing.B) {
			for b.Loop() {
				var wg sync.WaitGroup
				for _, s := range srcs {
					wg.Go(func() { s.(*vlogs.Access).Poll(ctx) })
				}
				wg.Wait()
			}
		})
		b.Run("tables "+name, func(b *testing.B) {
			for b.Loop() {
				var wg sync.WaitGroup
				for _, s := range srcs {
					wg.Go(func() { s.(*vlogs.Access).Details(ctx) })
				}
				wg.Wait()
			}
		})
	}
}

func count(base string, from, to int64) (int, error) {
	form := url.Values{"query": {"app:=nginx | stats count() as n"}, "start": {strconv.FormatInt(from, 10)}, "end": {strconv.FormatInt(to, 10)}}
	resp, err := http.Post(base+"/select/logsql/query", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var buf [256]byte
	n, _ := resp.Body.Read(buf[:])
	return n, nil
}
