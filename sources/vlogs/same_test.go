package vlogs_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/nginx"
	"warroom/sources/report"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
	"warroom/sources/watch"
)

// accessConfig is a VictoriaLogs section with one access stream, fleet,
// on the server at url.
func accessConfig(url string) vlogs.Config {
	return vlogs.Config{
		Servers: []vlogs.ServerConfig{{Name: "vl", URL: url}},
		Streams: []vlogs.StreamConfig{{Name: "fleet", Filter: "app:=nginx"}},
	}
}

// The same requests, written to a file the access-log source reads and
// shipped to a real VictoriaLogs, give the same indicators over the same
// spans, exactly: QPS, slow ratio (1.000 s is not slow, 1.001 s is),
// 499s, 5xx ratio (599 is one, 600 is not), 304s — with the same counts
// behind them — and the same series, seconds without a line included.
// So do the path groups' (trafficGroups), every metric of them, shown
// and titled alike.
func TestSameIndicatorsAsTheAccessLog(t *testing.T) {
	vl := vltest.Start(t)
	now := time.Now()
	base := now.Truncate(time.Second).Add(-10 * time.Minute)
	tr := genTrafficOf(1, base, 300, groupPaths)
	for _, l := range tr.lines {
		// a field of the lines' named as warroom's group field counts
		// none in a group
		l.Fields["warroom_group"] = "1"
	}
	vl.Insert(t, "app:=nginx", tr.lines)
	file := filepath.Join(t.TempDir(), "access.log")
	tr.writeLog(t, file)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ncfg := nginx.DefaultSourceConfig
	ncfg.Name, ncfg.Paths, ncfg.Start, ncfg.Format, ncfg.Groups = "web", []string{file}, "beginning", "timed", trafficGroups
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	web, err := nginx.NewSource(ncfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	go web.Run(ctx)
	vcfg := accessConfig(vl.URL)
	vcfg.Streams[0].Groups = trafficGroups
	srcs, err := vlogs.New(vcfg, vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	fleet := srcs[0].(*vlogs.Access)
	fleet.Refresh(ctx)

	// a group's QPS and slow ratio show on both, the rest exist for rules
	shown, err := collect.New(collect.Options{Nginx: []*nginx.Source{web}, Sources: srcs, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	var webShown, fleetShown []string
	for _, n := range shown.Indicators() {
		if rest, ok := strings.CutPrefix(n, "web."); ok && strings.Count(rest, ".") == 1 {
			webShown = append(webShown, rest)
		}
		if rest, ok := strings.CutPrefix(n, "fleet."); ok && strings.Count(rest, ".") == 1 {
			fleetShown = append(fleetShown, rest)
		}
	}
	if fmt.Sprint(webShown) != fmt.Sprint(fleetShown) || len(fleetShown) != 2*len(trafficGroups) {
		t.Errorf("groups' indicators shown: access log %v, stream %v", webShown, fleetShown)
	}

	metrics := []string{"qps", "slow_ratio", "499_rate", "5xx_ratio", "304_rate"}
	groupMetrics := []string{"qps", "slow_ratio", "499_rate", "5xx_ratio", "304_rate", "5xx_rate", "404_rate"}
	for _, g := range trafficGroups {
		for _, m := range groupMetrics {
			metrics = append(metrics, g.Name+"."+m)
		}
	}
	// a rule on each puts it on the snapshot
	var rules watch.Rules
	never := math.Inf(1)
	for _, m := range metrics {
		for _, src := range []string{"web.", "fleet."} {
			rules = append(rules, watch.Rule{Indicator: src + m, Warn: &never})
		}
	}
	c, err := collect.New(collect.Options{Nginx: []*nginx.Source{web}, Sources: srcs, Now: time.Now, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _, _ := web.Aggregator().Counts()
		if int(b.Requests) == len(tr.log) && !web.Status()[0].Loading {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the access log read %d of %d lines", b.Requests, len(tr.log))
		}
		time.Sleep(20 * time.Millisecond)
	}

	compared, nonzero := 0, map[string]bool{}
	for end := base.Add(10 * time.Second); !end.After(tr.to); end = end.Add(7 * time.Second) {
		c.Tick(end.Add(collect.DefaultLag)) // current values end at `end`
		s := c.Snapshot()
		for _, m := range metrics {
			w, ok1 := s.Indicator("web." + m)
			f, ok2 := s.Indicator("fleet." + m)
			if !ok1 || !ok2 {
				t.Fatalf("indicators web.%s / fleet.%s missing: %v", m, m, s.Indicators)
			}
			if f.Title != "fleet "+w.Title {
				t.Errorf("%s: access log titled %q, stream %q", m, w.Title, f.Title)
			}
			wv, fv := w.Value, f.Value
			if wv.Health != sources.HealthOK || fv.Health != sources.HealthOK {
				t.Fatalf("at %s %s: health %v %q / %v %q", end.Format(time.TimeOnly), m, wv.Health, wv.Err, fv.Health, fv.Err)
			}
			same := wv.Value == fv.Value || math.IsNaN(wv.Value) && math.IsNaN(fv.Value)
			if !same || wv.Count != fv.Count || wv.Total != fv.Total || fv.Unit != wv.Unit {
				t.Errorf("span ending %s, %s: access log %v (%v of %v %s), VictoriaLogs %v (%v of %v %s)", end.Format(time.TimeOnly), m,
					wv.Value, wv.Count, wv.Total, wv.Unit, fv.Value, fv.Count, fv.Total, fv.Unit)
			}
			if wv.Value > 0 {
				nonzero[m] = true
			}
			compared++
		}
	}
	// every metric of the stream's, every group's requests and the
	// trouble the tests are about: a slow pay request at its own
	// threshold, the glob's 499s, the prefix's 5xx behind the glob
	want := append(slices.Clip(metrics[:5]), "pay.slow_ratio", "progress.499_rate", "api.5xx_ratio")
	for _, g := range trafficGroups {
		want = append(want, g.Name+".qps")
	}
	for _, m := range want {
		if !nonzero[m] {
			t.Errorf("%s was never above 0", m)
		}
	}
	if compared < 100*len(metrics)/5 {
		t.Fatalf("compared %d values", compared)
	}

	// the series over a moved view: the same points, empty seconds
	// included (read as 0 because the query succeeded)
	c.SetView(sources.View{Window: 5 * time.Minute, End: tr.to, Points: 300})
	s := c.Snapshot()
	for _, m := range metrics {
		w, _ := s.Indicator("web." + m)
		f, _ := s.Indicator("fleet." + m)
		if len(w.Series.Points) != 300 || len(f.Series.Points) != len(w.Series.Points) {
			t.Fatalf("%s: %d and %d points", m, len(w.Series.Points), len(f.Series.Points))
		}
		for i, p := range w.Series.Points {
			q := f.Series.Points[i]
			if !p.At.Equal(q.At) || p.V != q.V && !(math.IsNaN(p.V) && math.IsNaN(q.V)) {
				t.Errorf("%s point %d: access log %v %v, VictoriaLogs %v %v", m, i, p.At, p.V, q.At, q.V)
				break
			}
		}
	}
}

// A cluster (two storage nodes behind a front node) answers as one node:
// the same requests shipped to each give the same indicators, with the
// same counts, over the same spans.
func TestClusterAnswersAsOneNode(t *testing.T) {
	one, cluster := vltest.Start(t), vltest.StartCluster(t)
	base := time.Now().Truncate(time.Second).Add(-10 * time.Minute)
	tr := genTraffic(2, base, 300)
	one.Insert(t, "app:=nginx", tr.lines)
	cluster.Insert(t, "app:=nginx", tr.lines)
	cfg := vlogs.Config{
		Servers: []vlogs.ServerConfig{{Name: "one", URL: one.URL}, {Name: "cluster", URL: cluster.URL}},
		Streams: []vlogs.StreamConfig{{Name: "one", Server: "one", Filter: "app:=nginx"}, {Name: "two", Server: "cluster", Filter: "app:=nginx"}},
	}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, s := range srcs {
		s.(*vlogs.Access).Refresh(ctx)
	}
	c, err := collect.New(collect.Options{Sources: srcs, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	compared, _ := compareStreams(t, c, "one", "two", base, tr.to, 11*time.Second, "qps", "slow_ratio", "499_rate", "5xx_ratio")
	if compared < 80 {
		t.Fatalf("compared %d values", compared)
	}
}

// A milestone report sums a VictoriaLogs stream as it sums the access log
// of the same requests: the same totals, peaks, slow ratios and worst
// minute.
func TestReportSumsAStreamAsTheAccessLog(t *testing.T) {
	vl := vltest.Start(t)
	base := time.Now().Truncate(time.Minute).Add(-8 * time.Minute)
	tr := genTraffic(3, base, 300)
	vl.Insert(t, "app:=nginx", tr.lines)
	file := filepath.Join(t.TempDir(), "access.log")
	tr.writeLog(t, file)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ncfg := nginx.DefaultSourceConfig
	ncfg.Name, ncfg.Paths, ncfg.Start, ncfg.Format = "web", []string{file}, "beginning", "timed"
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	web, err := nginx.NewSource(ncfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	go web.Run(ctx)
	srcs, err := vlogs.New(accessConfig(vl.URL), vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	fleet := srcs[0].(*vlogs.Access)
	fleet.Refresh(ctx)
	deadline := time.Now().Add(60 * time.Second)
	for b, _, _ := web.Aggregator().Counts(); int(b.Requests) != len(tr.log) || web.Status()[0].Loading; b, _, _ = web.Aggregator().Counts() {
		if time.Now().After(deadline) {
			t.Fatalf("the access log read %d of %d lines", b.Requests, len(tr.log))
		}
		time.Sleep(20 * time.Millisecond)
	}
	w := report.Window{Stage: "Day 1", End: base.Add(2 * time.Minute), From: base, To: tr.to}
	now := time.Now()
	file1 := report.Summarize(report.Inputs{Access: []report.Access{{Name: "web", Agg: web.Aggregator()}}}, w, now)
	stream := report.Summarize(report.Inputs{Counted: []report.Counted{{Name: "fleet", Sum: fleet.Sum}}}, w, now)
	type key struct {
		Requests, Timed, S499, S5xx, Slow uint64
		PeakSecond, PeakMinute, MaxSlow   report.Peak
		MaxSlowMinute                     report.Peak
		Worst                             report.Minute
		PerSecond                         bool
	}
	kf := key{file1.Requests, file1.Timed, file1.S499, file1.S5xx, file1.Slow, file1.PeakSecond, file1.PeakMinute, file1.MaxSlow, file1.MaxSlowMinute, file1.Worst, file1.PerSecond}
	ks := key{stream.Requests, stream.Timed, stream.S499, stream.S5xx, stream.Slow, stream.PeakSecond, stream.PeakMinute, stream.MaxSlow, stream.MaxSlowMinute, stream.Worst, stream.PerSecond}
	if fmt.Sprint(kf) != fmt.Sprint(ks) || kf.Requests == 0 || kf.S499 == 0 || !kf.PerSecond {
		t.Fatalf("access log %+v\nstream     %+v", kf, ks)
	}
	if !stream.NoTops || !strings.Contains(string(report.Markdown(stream, nil, nil, report.Options{})), "no access log is configured") {
		t.Errorf("a stream-only report does not say where its top talkers are")
	}
}
