package vlogs_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources/collect"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// The fleet of issue 18: 20 hosts, each with its nginx and its API, and
// 1M lines in VictoriaLogs (950,000 access lines, 50,000 app lines) over
// a quarter of an hour — about 1,000 requests a second — ending two
// minutes after the data is loaded, so the newest minute a poll asks for
// is full for the length of a run.
const (
	fleetHosts  = 20
	fleetAccess = 950_000
	fleetApp    = 50_000
	fleetSpan   = 15 * time.Minute
	fleetAhead  = 2 * time.Minute
)

// fleetTimeout is the server's timeout in the benchmark: longer than the
// default (5 s), which the tables over 15 minutes of this fleet exceed
// on a small machine (run with -args -fleet.timeout 5s to see it).
var fleetTimeout = flag.Duration("fleet.timeout", time.Minute, "VictoriaLogs request timeout in BenchmarkFleet")

var (
	fleetOnce          sync.Once
	fleetVL            *vltest.Server
	fleetFrom, fleetTo time.Time
)

// fleetServer loads the fleet's lines into a VictoriaLogs, once for every
// benchmark (about a minute).
func fleetServer(b *testing.B) *vltest.Server {
	fleetOnce.Do(func() {
		fleetVL = vltest.Start(b)
		fleetTo = time.Now().Truncate(time.Second).Add(fleetAhead)
		fleetFrom = fleetTo.Add(-fleetSpan)
		r := rand.New(rand.NewPCG(18, 20))
		const chunks = 20 // inserted in slices of the span, oldest first
		for c := range chunks {
			from := fleetFrom.Add(fleetSpan * time.Duration(c) / chunks)
			lines := make([]vltest.Line, 0, (fleetAccess+fleetApp)/chunks)
			for i := range fleetAccess / chunks {
				at := from.Add(fleetSpan / chunks * time.Duration(i) / (fleetAccess / chunks))
				lines = append(lines, fleetAccessLine(r, at))
			}
			for i := range fleetApp / chunks {
				at := from.Add(fleetSpan / chunks * time.Duration(i) / (fleetApp / chunks))
				lines = append(lines, vltest.Line{Time: at, Msg: appMessages[r.IntN(len(appMessages))],
					Fields: map[string]string{"app": "api", "host": fmt.Sprintf("web-%02d", r.IntN(fleetHosts))}})
			}
			fleetVL.Insert(b, "*", lines)
		}
	})
	return fleetVL
}

func fleetAccessLine(r *rand.Rand, at time.Time) vltest.Line {
	status := "200"
	switch n := r.IntN(100); {
	case n < 3:
		status = "499"
	case n < 5:
		status = "502"
	case n < 10:
		status = "304"
	}
	path := paths[r.IntN(len(paths))]
	if strings.Contains(path, "%d") {
		path = fmt.Sprintf(path, r.IntN(1000))
	}
	return vltest.Line{Time: at, Msg: "GET " + path, Fields: map[string]string{
		"app": "nginx", "host": fmt.Sprintf("web-%02d", r.IntN(fleetHosts)), "status": status,
		"request_time": reqTimes[r.IntN(len(reqTimes))], "path": path,
		"remote_addr": fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(256), r.IntN(256)),
	}}
}

// BenchmarkFleet is the cost of one refresh of an access stream and an
// app stream over the fleet's 1M lines in a real VictoriaLogs, against
// one `stats count()` of all of them in the same run:
//
//   - "refresh": both streams' counts (the newest seconds and the minute
//     before them, as every 1 s tick asks), the access stream's tables
//     and drivers over the 15-minute window and the app stream's latest
//     lines (every 5 s) — Refresh, what the r key and `warroom snapshot`
//     do;
//
//   - "poll": the counts alone;
//
//   - "first refresh": the same from new streams, which fill the window
//     (what starting warroom costs); "first poll": their counts alone;
//
//   - "… 5 groups": the same with trafficGroups' five path groups on the
//     access stream.
//
//     go test ./sources/vlogs -run '^$' -bench Fleet -benchtime 20x
func BenchmarkFleet(b *testing.B) {
	vl := fleetServer(b)
	ctx := context.Background()
	var baseline float64
	b.Run("baseline count of 1M lines", func(b *testing.B) {
		for b.Loop() {
			if n, err := countAll(vl.URL, fleetFrom, fleetTo); err != nil || n != fleetAccess+fleetApp {
				b.Fatalf("count %d, %v", n, err)
			}
		}
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	streams := func(b *testing.B, groups bool) []collect.Source {
		cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL, Timeout: model.Duration(*fleetTimeout)}}, Streams: []vlogs.StreamConfig{
			{Name: "nginx", Filter: "app:=nginx"},
			{Name: "api", Kind: vlogs.KindApp, Filter: "app:=api"},
		}}
		if groups {
			cfg.Streams[0].Groups = trafficGroups
		}
		srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
		if err != nil {
			b.Fatal(err)
		}
		return srcs
	}
	poll := func(s collect.Source) {
		if a, ok := s.(*vlogs.Access); ok {
			a.Poll(ctx)
		} else {
			s.(*vlogs.App).Poll(ctx)
		}
	}
	refresh := func(srcs []collect.Source, f func(collect.Source)) {
		var wg sync.WaitGroup
		for _, s := range srcs {
			wg.Go(func() { f(s) })
		}
		wg.Wait()
	}
	ratio := func(b *testing.B) {
		if baseline > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-baseline")
		}
	}
	b.Run("first refresh", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			srcs := streams(b, false)
			b.StartTimer()
			refresh(srcs, func(s collect.Source) { s.(collect.Refreshable).Refresh(ctx) })
			b.StopTimer()
			checkFleet(b, srcs)
			b.StartTimer()
		}
		ratio(b)
	})
	for _, groups := range []bool{false, true} {
		name := ""
		if groups {
			name = ", 5 groups"
		}
		b.Run("first poll"+name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				srcs := streams(b, groups)
				b.StartTimer()
				refresh(srcs, poll)
				b.StopTimer()
				checkFleet(b, srcs)
				b.StartTimer()
			}
			ratio(b)
		})
	}
	srcs := streams(b, false)
	refresh(srcs, func(s collect.Source) { s.(collect.Refreshable).Refresh(ctx) }) // the window filled
	withGroups := streams(b, true)
	refresh(withGroups, func(s collect.Source) { s.(collect.Refreshable).Refresh(ctx) })
	b.Run("refresh", func(b *testing.B) {
		for b.Loop() {
			refresh(srcs, func(s collect.Source) { s.(collect.Refreshable).Refresh(ctx) })
		}
		ratio(b)
		checkFleet(b, srcs)
	})
	b.Run("poll", func(b *testing.B) {
		for b.Loop() {
			refresh(srcs, poll)
		}
		ratio(b)
	})
	b.Run("poll, 5 groups", func(b *testing.B) {
		for b.Loop() {
			refresh(withGroups, poll)
		}
		ratio(b)
		checkFleet(b, withGroups)
	})
}

// checkFleet fails the benchmark when a stream's refresh did not succeed:
// a failing one would time nothing but an error.
func checkFleet(b *testing.B, srcs []collect.Source) {
	b.Helper()
	for _, s := range srcs {
		for _, st := range s.Status(collect.TickInfo{At: time.Now()}) {
			if st.Health.String() != "ok" || st.Detail != "" {
				b.Fatalf("%s: %s %s", st.Name, st.Health, st.Detail)
			}
		}
	}
}

// countAll is how many lines VictoriaLogs holds in [from, to).
func countAll(base string, from, to time.Time) (int, error) {
	form := url.Values{"query": {"* | stats count() as n"}, "start": {from.Format(time.RFC3339)}, "end": {to.Format(time.RFC3339)}}
	resp, err := http.Post(base+"/select/logsql/query", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var buf [256]byte
	n, _ := resp.Body.Read(buf[:])
	s := string(buf[:n])
	i := strings.Index(s, `"n":"`)
	if i < 0 {
		return 0, fmt.Errorf("answer %q", s)
	}
	s = s[i+5:]
	return strconv.Atoi(s[:strings.IndexByte(s, '"')])
}
