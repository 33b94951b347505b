package vlogs_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/nginx"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// Raw nginx lines shipped whole in _msg, read with the stream's format,
// give what the same requests shipped as fields give, exactly: every
// indicator with its counts over the same spans, and the same top
// tables of clients, paths and hosts.
func TestRawLinesReadAsTheirFields(t *testing.T) {
	vl := vltest.Start(t)
	base := time.Now().Truncate(time.Second).Add(-5 * time.Minute)
	tr := genTraffic(4, base, 240)
	raw := make([]vltest.Line, len(tr.lines))
	for i, l := range tr.lines {
		raw[i] = vltest.Line{Time: l.Time, Msg: l.Msg, Fields: map[string]string{"app": "raw", "host": l.Fields["host"]}}
	}
	vl.Insert(t, "app:=nginx", tr.lines)
	vl.Insert(t, "app:=raw", raw)
	// path groups read the path the format reads
	groups := []nginx.GroupConfig{{Name: "pay", Prefix: "/pay/"}, {Name: "user", Glob: "/yearend-api/v?/user/*/progress", Slow: model.Duration(500 * time.Millisecond)}}
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL, Timeout: vlTimeout}},
		Streams: []vlogs.StreamConfig{{Name: "fields", Filter: "app:=nginx", Groups: groups}, {Name: "raw", Filter: "app:=raw", Format: "timed", Groups: groups}}}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fielded, rawStream := srcs[0].(*vlogs.Access), srcs[1].(*vlogs.Access)
	for _, a := range []*vlogs.Access{fielded, rawStream} {
		a.Tops(base, tr.to, 10) // the tables over the traffic's minutes
		a.Refresh(ctx)
	}
	c, err := collect.New(collect.Options{Sources: srcs, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	compared, nonzero := compareStreams(t, c, "fields", "raw", base, tr.to, 13*time.Second,
		"qps", "slow_ratio", "499_rate", "5xx_ratio", "304_rate", "pay.qps", "pay.slow_ratio", "user.qps", "user.slow_ratio")
	if compared < 80 || len(nonzero) < 9 {
		t.Fatalf("compared %d values; nonzero: %v", compared, nonzero)
	}
	ft, rt := fielded.Tops(base, tr.to, 10), rawStream.Tops(base, tr.to, 10)
	if len(ft) != 3 || len(rt) != 3 {
		t.Fatalf("tables: %d and %d", len(ft), len(rt))
	}
	for i := range ft {
		if len(ft[i].Rows) == 0 || fmt.Sprint(ft[i].Rows) != fmt.Sprint(rt[i].Rows) || ft[i].Distinct != rt[i].Distinct {
			t.Errorf("%s: fields %v (%d distinct)\nraw lines %s: %v (%d distinct)", ft[i].Title, ft[i].Rows, ft[i].Distinct, rt[i].Title, rt[i].Rows, rt[i].Distinct)
		}
	}
}

// vlTimeout is a loaded machine's: VictoriaLogs answers late, not wrong.
const vlTimeout = 60_000_000_000

// A log_format with escape=json, whose user agent (before the status)
// holds an escaped quote and the text that ends it, is read right; the
// client is X-Forwarded-For's first hop, or $remote_addr when the line
// has none, as the file reader takes it.
func TestRawJSONLinesAndForwardedClients(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now().Truncate(time.Second)
	format := `log_format j escape=json '{"ua":"$http_user_agent","xff":"$http_x_forwarded_for","addr":"$remote_addr",' '"req":"$request","st":"$status","rt":"$request_time"}';`
	type req struct{ ua, xff, addr, status string }
	reqs := []req{
		{`Mozilla \"5.0\", \"st\":\"499\"`, "203.0.113.7, 10.0.0.1", "10.1.1.1", "200"},
		{`curl`, "203.0.113.7", "10.1.1.1", "499"},
		{`ok`, "", "10.1.1.2", "499"},
		{`x\\`, "198.51.100.9 , 10.0.0.2", "10.1.1.3", "502"},
	}
	want := map[string]uint64{"203.0.113.7": 2, "10.1.1.2": 1, "198.51.100.9": 1}
	var lines []vltest.Line
	for i, r := range reqs {
		msg := fmt.Sprintf(`{"ua":"%s","xff":"%s","addr":"%s","req":"GET /pay/order/%d?x=\"1\" HTTP/1.1","st":"%s","rt":"0.120"}`, r.ua, r.xff, r.addr, 100+i, r.status)
		lines = append(lines, vltest.Line{Time: now.Add(-time.Duration(30-i) * time.Second), Msg: msg, Fields: map[string]string{"app": "j", "host": "web-1"}})
	}
	vl.Insert(t, "app:=j", lines)
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL, Timeout: vlTimeout}},
		Streams: []vlogs.StreamConfig{{Name: "j", Filter: "app:=j", Format: format, Client: "x_forwarded_for"}}}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*vlogs.Access)
	a.Tops(now.Add(-time.Minute), now, 10)
	a.Refresh(context.Background())
	tabs := a.Tops(now.Add(-time.Minute), now, 10)
	got := map[string]string{}
	for _, tt := range tabs {
		var rows []string
		for _, r := range tt.Rows {
			rows = append(rows, fmt.Sprintf("%s=%d/%d/%d", r.Key, r.Count, r.S499, r.S5xx))
		}
		sort.Strings(rows)
		got[tt.Title] = strings.Join(rows, " ")
	}
	wantIPs := "10.1.1.2=1/1/0 198.51.100.9=1/0/1 203.0.113.7=2/1/0"
	if got["j IPs"] != wantIPs || got["j paths"] != "/pay/order/:id=4/2/1" || got["j hosts"] != "web-1=4/2/1" {
		t.Errorf("tables %v, want IPs %s (of %v), one path and one host", got, wantIPs, want)
	}
}

// A format warroom cannot have VictoriaLogs read exactly is refused at
// load, saying why; so are the keys that do not go with a format.
func TestRawFormatRefused(t *testing.T) {
	for _, c := range []struct {
		s    vlogs.StreamConfig
		want string
	}{
		{vlogs.StreamConfig{Format: `log_format x '$remote_addr $upstream_response_time $status';`}, "$upstream_response_time, before variables warroom reads, can hold the text that ends it"},
		{vlogs.StreamConfig{Format: `log_format x '$remote_addr "$request" $body_bytes_sent';`}, "no $status"},
		{vlogs.StreamConfig{Format: `log_format x '$remote_addr$status';`}, "no delimiter between them"},
		{vlogs.StreamConfig{Format: `log_format x '$status $request $request_time';`}, "$request, before variables warroom reads"},
		{vlogs.StreamConfig{Format: "combined", Client: "x_forwarded_for"}, "lacks"},
		{vlogs.StreamConfig{Format: "combined", Client: "cf_ip"}, "want remote_addr, x_forwarded_for or x_real_ip"},
		{vlogs.StreamConfig{Format: "combined", Fields: vlogs.Fields{Status: "code"}}, "give fields only for host"},
		{vlogs.StreamConfig{Format: "no such format"}, "format"},
		{vlogs.StreamConfig{Client: "x_forwarded_for"}, "client: is for a stream with a format"},
		{vlogs.StreamConfig{Format: "auto"}, "auto detection reads a file"},
		{vlogs.StreamConfig{Kind: vlogs.KindApp, Format: "combined"}, "only access streams have format"},
	} {
		c.s.Name, c.s.Filter = "web", "app:=nginx"
		cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: "http://127.0.0.1:9428"}}, Streams: []vlogs.StreamConfig{c.s}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	// ingress-nginx's format: its lists come after what warroom reads
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: "http://127.0.0.1:9428"}},
		Streams: []vlogs.StreamConfig{{Name: "ing", Filter: "*", Format: "upstreaminfo"}}}
	if err := cfg.Validate(); err != nil {
		t.Errorf("upstreaminfo (ingress-nginx's): %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("validated twice: %v", err)
	}
}

// compareStreams ticks c every `every` over [from+10s, to] and asks that
// streams a and b give the same values of each metric, with the same
// counts behind them; it returns how many values it compared and the
// metrics that were ever above 0.
func compareStreams(t *testing.T, c *collect.Collector, a, b string, from, to time.Time, every time.Duration, metrics ...string) (int, map[string]bool) {
	t.Helper()
	compared, nonzero := 0, map[string]bool{}
	for end := from.Add(10 * time.Second); !end.After(to); end = end.Add(every) {
		c.Tick(end.Add(collect.DefaultLag)) // current values end at `end`
		s := c.Snapshot()
		for _, m := range metrics {
			x, _ := s.Indicator(a + "." + m)
			y, _ := s.Indicator(b + "." + m)
			xv, yv := x.Value, y.Value
			if xv.Health != sources.HealthOK || yv.Health != sources.HealthOK {
				t.Fatalf("%s: health %v %q / %v %q", m, xv.Health, xv.Err, yv.Health, yv.Err)
			}
			if !(xv.Value == yv.Value || math.IsNaN(xv.Value) && math.IsNaN(yv.Value)) || xv.Count != yv.Count || xv.Total != yv.Total {
				t.Errorf("span ending %s, %s: %s %v (%v of %v), %s %v (%v of %v)", end.Format(time.TimeOnly), m,
					a, xv.Value, xv.Count, xv.Total, b, yv.Value, yv.Count, yv.Total)
			}
			if xv.Value > 0 {
				nonzero[m] = true
			}
			compared++
		}
	}
	return compared, nonzero
}
