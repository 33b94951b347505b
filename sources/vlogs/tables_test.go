package vlogs_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/nginx"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// counted is the ground truth of lines: requests, 499s, slow and 5xx.
type counted struct{ n, s499, slow, s5xx uint64 }

func (c *counted) add(l vltest.Line) {
	c.n++
	st, rt := l.Fields["status"], l.Fields["request_time"]
	if st == "499" {
		c.s499++
	}
	if x, _ := strconv.ParseFloat(rt, 64); x > 1 {
		c.slow++
	}
	if st >= "500" && st < "600" {
		c.s5xx++
	}
}

// The top tables and drivers of a stream are VictoriaLogs' counts of its
// lines: hosts ranked by their trouble (web-3's 499s put it first
// whatever its requests), clients with their distinct count, paths merged
// by route, and each indicator's driver naming the host.
func TestTablesAndDrivers(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now()
	tr := genTraffic(2, now.Truncate(time.Second).Add(-4*time.Minute), 4*60-1)
	vl.Insert(t, "app:=nginx", tr.lines)

	cfg := accessConfig(vl.URL)
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now, KeyAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	fleet := srcs[0].(*vlogs.Access)
	ctx := context.Background()
	fleet.Refresh(ctx)
	c, err := collect.New(collect.Options{Sources: srcs, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	c.Tick(time.Now())
	s := c.Snapshot()
	if st := s.Sources[0]; st.Name != "fleet" || st.Kind != "victorialogs" || st.Health != sources.HealthOK || st.Detail != "" {
		t.Fatalf("status %+v", st)
	}
	// the key stream: its indicators lead, untitled by its name
	if in := s.Indicators[0]; in.Name != "fleet.qps" || !in.Key || in.Title != "QPS" {
		t.Errorf("first indicator %+v", in)
	}

	byHost := map[string]*counted{}
	clients := map[string]bool{}
	for _, l := range tr.lines {
		h := l.Fields["host"]
		if byHost[h] == nil {
			byHost[h] = &counted{}
		}
		byHost[h].add(l)
		clients[l.Fields["remote_addr"]] = true
	}
	tops := map[string]sources.TopTable{}
	for _, tt := range s.Tops {
		tops[tt.Title] = tt
	}
	hosts := tops["hosts"]
	if len(hosts.Rows) != len(byHost) || !hosts.Exact || hosts.Rows[0].Key != "web-3" {
		t.Fatalf("hosts table %+v", hosts)
	}
	for _, r := range hosts.Rows {
		want := byHost[r.Key]
		if r.Count != want.n || r.S499 != want.s499 || r.Slow != want.slow || r.S5xx != want.s5xx || r.AtLeast {
			t.Errorf("host %s: %+v, want %+v", r.Key, r, *want)
		}
	}
	if ips := tops["IPs"]; ips.Distinct != uint64(len(clients)) || len(ips.Rows) != 10 || !ips.Exact {
		t.Errorf("IPs table: %d distinct, %d rows (want %d distinct)", ips.Distinct, len(ips.Rows), len(clients))
	}
	paths := tops["paths"]
	var sum uint64
	keys := []string{}
	for _, r := range paths.Rows {
		sum += r.Count
		keys = append(keys, r.Key)
	}
	if sum != uint64(len(tr.lines)) || len(paths.Rows) != 5 || !strings.Contains(strings.Join(keys, " "), "/pay/order/:id") {
		t.Errorf("paths table %v: %d requests of %d", keys, sum, len(tr.lines))
	}
	// routes as the access log's normalizer writes them: /v1/ stays /v1/
	var nz nginx.Normalizer
	routes := map[string]uint64{}
	for _, l := range tr.lines {
		routes[string(nz.Normalize([]byte(l.Fields["path"])))]++
	}
	for _, r := range paths.Rows {
		if r.Count != routes[r.Key] {
			t.Errorf("path %s: %d requests, the normalizer's routes %v", r.Key, r.Count, routes)
		}
	}

	// the 499 driver over the minute it says it counted
	in, _ := s.Indicator("fleet.499_rate")
	d := in.Driver
	if d == nil || d.Mark != "499" || d.Source != "fleet" {
		t.Fatalf("driver %+v", d)
	}
	minute := map[string]*counted{}
	var all counted
	for _, l := range tr.lines {
		if l.Time.Before(d.From) || !l.Time.Before(d.To) {
			continue
		}
		h := l.Fields["host"]
		if minute[h] == nil {
			minute[h] = &counted{}
		}
		minute[h].add(l)
		all.add(l)
	}
	if d.Events != all.s499 || d.Host.Key != "web-3" || d.Host.Count != minute["web-3"].s499 || !d.Exact {
		t.Errorf("499 driver %+v over [%s, %s); want %d events, web-3 %d", d, d.From, d.To, all.s499, minute["web-3"].s499)
	}
	if !strings.Contains(d.Line(), " · host web-3 ") {
		t.Errorf("driver line %q", d.Line())
	}
}

// Paths are grouped by route as the access log's normalizer groups them:
// ids, UUIDs and long hex as whole segments (consecutive ones too),
// hashed asset names, the query dropped — and digits inside a segment
// (/v1/, /v2/) kept apart.
func TestPathsGroupedAsTheNormalizerDoes(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now().Truncate(time.Second)
	paths := []string{
		"/yearend-api/v1/rank", "/yearend-api/v2/rank?stage=3", "/order/123", "/order/456?x=1", "/a/1/2", "/a/3/4/",
		"/u/550e8400-e29b-41d4-a716-446655440000/p", "/u/6ba7b810-9dad-11d1-80b4-00c04fd430c8/p",
		"/blob/0123456789abcdef0123", "/static/app.3f2a9c1d.chunk.js", "/static/app.9e8d7c6b.chunk.js", "/", "/h2o/x1y2",
	}
	var lines []vltest.Line
	var nz nginx.Normalizer
	want := map[string]uint64{}
	for i, p := range paths {
		lines = append(lines, vltest.Line{Time: now.Add(-time.Duration(20-i) * time.Second), Msg: "GET " + p,
			Fields: map[string]string{"app": "nginx", "host": "web-1", "status": "200", "request_time": "0.010", "path": p, "remote_addr": "10.0.0.1"}})
		want[string(nz.Normalize([]byte(p)))]++
	}
	vl.Insert(t, "app:=nginx", lines)
	srcs, err := vlogs.New(accessConfig(vl.URL), vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*vlogs.Access)
	a.Tops(now.Add(-time.Minute), now, 50)
	a.Refresh(context.Background())
	got := map[string]uint64{}
	for _, tt := range a.Tops(now.Add(-time.Minute), now, 50) {
		if strings.HasSuffix(tt.Title, "paths") {
			for _, r := range tt.Rows {
				got[r.Key] = r.Count
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paths grouped as\n%v\nthe normalizer groups them as\n%v", got, want)
	}
}
