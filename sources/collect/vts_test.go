package collect

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
	"warroom/sources/prom"
	"warroom/sources/prom/promtest"
)

// The VTS module (nginx-module-vts) is not packaged for Debian, so no real
// nginx here can run it. These tests serve, from a real nginx, files in
// the exact exposition the module's
// src/ngx_http_vhost_traffic_status_display_prometheus.{c,h} write
// (v0.2.7): the same lines, labels, number formats (le="%.3f") and
// order, the "*" zone summing the others, the status codes the
// measure_status_codes directive adds (all: none while 0; a list: every
// listed one, 0 or not, and "other") and the histogram only where
// histogram_buckets is set. A real Prometheus scrapes them.

// vtsZone is one server zone's counters, as the module keeps them.
type vtsZone struct {
	host     string
	classes  [5]uint64      // 1xx..5xx
	codes    map[int]uint64 // every status seen
	buckets  []float64      // histogram_buckets; nil: no histogram
	inBucket []uint64
	count    uint64
	msec     uint64 // request time, ms
}

// add counts n requests answered with status in seconds.
func (z *vtsZone) add(n int, status int, seconds float64) {
	if z.codes == nil {
		z.codes = map[int]uint64{}
		z.inBucket = make([]uint64, len(z.buckets))
	}
	z.classes[status/100-1] += uint64(n)
	z.codes[status] += uint64(n)
	for i, le := range z.buckets {
		if seconds <= le {
			z.inBucket[i] += uint64(n)
		}
	}
	z.count += uint64(n)
	z.msec += uint64(n) * uint64(seconds*1000)
}

// vtsExposition writes the zones and their sum (host "*") as the module
// answers /status/format/prometheus; measure is the
// measure_status_codes directive: nil (off), {0} (all) or a list.
func vtsExposition(zones []*vtsZone, measure []int) string {
	var b strings.Builder
	b.WriteString(`# HELP nginx_vts_info Nginx info
# TYPE nginx_vts_info gauge
nginx_vts_info{hostname="web-1",module_version="v0.2.7",version="1.22.1"} 1
# HELP nginx_vts_start_time_seconds Nginx start time
# TYPE nginx_vts_start_time_seconds gauge
nginx_vts_start_time_seconds 1767225600.000
# HELP nginx_vts_main_connections Nginx connections
# TYPE nginx_vts_main_connections gauge
nginx_vts_main_connections{status="accepted"} 12
nginx_vts_main_connections{status="active"} 2
nginx_vts_main_connections{status="handled"} 12
nginx_vts_main_connections{status="reading"} 0
nginx_vts_main_connections{status="requests"} 9000
nginx_vts_main_connections{status="waiting"} 1
nginx_vts_main_connections{status="writing"} 1
# HELP nginx_vts_main_shm_usage_bytes Shared memory [ngx_http_vhost_traffic_status] info
# TYPE nginx_vts_main_shm_usage_bytes gauge
nginx_vts_main_shm_usage_bytes{shared="max_size"} 1048575
nginx_vts_main_shm_usage_bytes{shared="used_size"} 7190
nginx_vts_main_shm_usage_bytes{shared="used_node"} 3
nginx_vts_main_shm_usage_bytes{shared="free_size"} 1041385
# HELP nginx_vts_server_bytes_total The request/response bytes
# TYPE nginx_vts_server_bytes_total counter
# HELP nginx_vts_server_requests_total The requests counter
# TYPE nginx_vts_server_requests_total counter
# HELP nginx_vts_status_code_requests_total The requests counter by status code 
# TYPE nginx_vts_status_code_requests_total counter
# HELP nginx_vts_server_request_seconds_total The request processing time in seconds
# TYPE nginx_vts_server_request_seconds_total counter
# HELP nginx_vts_server_request_seconds The average of request processing times in seconds
# TYPE nginx_vts_server_request_seconds gauge
# HELP nginx_vts_server_request_duration_seconds The histogram of request processing time
# TYPE nginx_vts_server_request_duration_seconds histogram
# HELP nginx_vts_server_cache_total The requests cache counter
# TYPE nginx_vts_server_cache_total counter
`)
	sum := &vtsZone{host: "*", codes: map[int]uint64{}}
	if len(zones) > 0 {
		sum.buckets = zones[0].buckets
		sum.inBucket = make([]uint64, len(sum.buckets))
	}
	for _, z := range append(slices.Clone(zones), sum) {
		if z != sum {
			for i := range z.classes {
				sum.classes[i] += z.classes[i]
			}
			for c, n := range z.codes {
				sum.codes[c] += n
			}
			for i := range z.inBucket {
				sum.inBucket[i] += z.inBucket[i]
			}
			sum.count += z.count
			sum.msec += z.msec
		}
		h := z.host
		fmt.Fprintf(&b, "nginx_vts_server_bytes_total{host=\"%s\",direction=\"in\"} %d\n", h, z.count*120)
		fmt.Fprintf(&b, "nginx_vts_server_bytes_total{host=\"%s\",direction=\"out\"} %d\n", h, z.count*800)
		for i, n := range z.classes {
			fmt.Fprintf(&b, "nginx_vts_server_requests_total{host=\"%s\",code=\"%dxx\"} %d\n", h, i+1, n)
		}
		avg := 0.0
		if z.count > 0 {
			avg = float64(z.msec) / float64(z.count) / 1000
		}
		fmt.Fprintf(&b, "nginx_vts_server_request_seconds_total{host=\"%s\"} %.3f\n", h, float64(z.msec)/1000)
		fmt.Fprintf(&b, "nginx_vts_server_request_seconds{host=\"%s\"} %.3f\n", h, avg)
		if measure != nil {
			all := len(measure) == 1 && measure[0] == 0
			listed, other := measure, uint64(0)
			if all {
				listed = nil
				for c := 100; c < 600; c++ {
					listed = append(listed, c)
				}
			}
			for c, n := range z.codes {
				if !slices.Contains(listed, c) {
					other += n
				}
			}
			fmt.Fprintf(&b, "nginx_vts_status_code_requests_total{host=\"%s\",code=\"other\"} %d\n", h, other)
			for _, c := range listed {
				if z.codes[c] == 0 && all {
					continue
				}
				fmt.Fprintf(&b, "nginx_vts_status_code_requests_total{host=\"%s\",code=\"%d\"} %d\n", h, c, z.codes[c])
			}
		}
		if len(z.buckets) > 0 {
			for i, le := range z.buckets {
				fmt.Fprintf(&b, "nginx_vts_server_request_duration_seconds_bucket{host=\"%s\",le=\"%.3f\"} %d\n", h, le, z.inBucket[i])
			}
			fmt.Fprintf(&b, "nginx_vts_server_request_duration_seconds_bucket{host=\"%s\",le=\"+Inf\"} %d\n", h, z.count)
			fmt.Fprintf(&b, "nginx_vts_server_request_duration_seconds_sum{host=\"%s\"} %.3f\n", h, float64(z.msec)/1000)
			fmt.Fprintf(&b, "nginx_vts_server_request_duration_seconds_count{host=\"%s\"} %d\n", h, z.count)
		}
		for _, st := range []string{"miss", "bypass", "expired", "stale", "updating", "revalidated", "hit", "scarce"} {
			fmt.Fprintf(&b, "nginx_vts_server_cache_total{host=\"%s\",status=\"%s\"} 0\n", h, st)
		}
	}
	return b.String()
}

// The vts preset over three nginx configurations of the module, scraped
// by a real Prometheus: with every status code measured and a histogram,
// its ratios are those of the requests counted, the "*" zone is not
// counted again, and the hosts table ranks the server zones; without
// measure_status_codes 499/s has no value (nor the slow ratio without a
// histogram), and with a list of codes lacking 499 it has none either
// once a status outside the list was counted (499s may be among them).
func TestVTSPreset(t *testing.T) {
	root := t.TempDir()
	buckets := []float64{0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}
	zone := func(host string, b []float64) *vtsZone { return &vtsZone{host: host, buckets: b} }
	full := []*vtsZone{zone("api.example.com", buckets), zone("www.example.com", buckets), zone("static.example.com", buckets)}
	bare := []*vtsZone{zone("api.example.com", nil)}
	listed := []*vtsZone{zone("api.example.com", buckets)}
	write := func() {
		for name, f := range map[string]string{
			"full.txt":   vtsExposition(full, []int{0}),
			"bare.txt":   vtsExposition(bare, nil),
			"listed.txt": vtsExposition(listed, []int{200, 404, 500}),
		} {
			tmp := filepath.Join(root, "."+name)
			if err := os.WriteFile(tmp, []byte(f), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// every counter that moves well above what the batch adds, so rate()
	// extrapolates each alike (see TestMtailPresetOnARealFleet)
	for _, z := range slices.Concat(full[:2], bare, listed) {
		z.add(2000, 200, 0.01)
		z.add(1000, 499, 0.01)
		z.add(1000, 502, 0.01)
		z.add(1000, 200, 2.5)
	}
	full[2].add(1000, 200, 0.01) // static: no 499 ever
	write()
	addr := promtest.ServeFiles(t, root)
	job := func(name string) string {
		return fmt.Sprintf("  - job_name: vts-%s\n    metrics_path: /%s.txt\n    static_configs: [{targets: [%q]}]\n", name, name, addr)
	}
	url := promtest.Start(t, "global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n"+job("full")+job("bare")+job("listed"))
	waitProm(t, url, `count(nginx_vts_server_requests_total offset 2s)`, 5*(4+2+2)) // all scraped twice over

	// the batch: api 100 requests (50 given up, 20 slow, 10 bad
	// gateway), www 100 fast ones; static none
	for _, z := range []*vtsZone{full[0], bare[0], listed[0]} {
		z.add(50, 499, 0.01)
		z.add(20, 200, 2.5)
		z.add(10, 502, 0.01)
		z.add(20, 200, 0.01)
	}
	full[1].add(100, 200, 0.01)
	write()

	sel := func(j string, more ...string) string {
		return strings.Join(append([]string{fmt.Sprintf("job=%q", "vts-"+j)}, more...), ",")
	}
	cfg := prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: url, HTTP: promcfg.DefaultHTTPClientConfig}},
		Presets: []prom.PresetConfig{
			{Kind: "vts", Name: "full", Selector: sel("full"), By: "host"},
			{Kind: "vts", Name: "api", Selector: sel("full", `host="api.example.com"`)},
			{Kind: "vts", Name: "static", Selector: sel("full", `host="static.example.com"`)},
			{Kind: "vts", Name: "bare", Selector: sel("bare")},
			{Kind: "vts", Name: "listed", Selector: sel("listed")},
		},
	}
	q, err := prom.New(cfg, prom.Options{Now: time.Now, Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Prom: q, Now: time.Now, Refresh: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// what the snapshot gets wrong; each query is evaluated at its own
	// instant, and a ratio of two is exact only when their rate()s
	// extrapolated alike, and after every target's scrape took the batch:
	// asked again until it holds
	problems := func(s *sources.Snapshot) []string {
		var out []string
		v := func(name string) float64 { in, _ := s.Indicator(name); return in.Value.Value }
		for _, c := range []struct {
			what      string
			got, want float64
		}{
			{"full 499s per request", v("full.499_rate") / v("full.qps"), 0.25},
			{"full.slow_ratio", v("full.slow_ratio"), 0.1},
			{"full.5xx_ratio", v("full.5xx_ratio"), 0.05},
			{"api 499s per request", v("api.499_rate") / v("api.qps"), 0.5},
			// www's 100 and api's 100, static's none: "*" (their sum)
			// would make it 4
			{"full.qps / api.qps", v("full.qps") / v("api.qps"), 2},
			{"bare.5xx_ratio", v("bare.5xx_ratio"), 0.1},
			{"listed.slow_ratio", v("listed.slow_ratio"), 0.2}, // it has a histogram: 20 of its 100
		} {
			if !near(c.got, c.want) {
				out = append(out, fmt.Sprintf("%s = %g, want %g", c.what, c.got, c.want))
			}
		}
		for _, c := range []struct {
			name string
			want float64 // NaN: no value
		}{
			{"static.499_rate", 0},          // every code measured, none outside: no 499 is 0
			{"bare.499_rate", math.NaN()},   // no codes measured
			{"bare.slow_ratio", math.NaN()}, // no histogram
			{"listed.499_rate", math.NaN()}, // 499s counted as "other"
		} {
			in, _ := s.Indicator(c.name)
			got := in.Value
			switch {
			case got.Health != sources.HealthOK:
				out = append(out, fmt.Sprintf("%s: %s %q", c.name, got.Health, got.Err))
			case math.IsNaN(c.want) != math.IsNaN(got.Value) || !math.IsNaN(c.want) && got.Value != c.want:
				out = append(out, fmt.Sprintf("%s = %g, want %g", c.name, got.Value, c.want))
			}
		}
		if len(s.Tops) != 1 || s.Tops[0].Title != "full hosts" || len(s.Tops[0].Rows) != 3 || s.Tops[0].Rows[0].Key != "api.example.com" ||
			s.Tops[0].Rows[0].S499 == 0 || slices.ContainsFunc(s.Tops[0].Rows, func(r sources.TopRow) bool { return r.Key == "*" }) {
			out = append(out, fmt.Sprintf("hosts table %+v", s.Tops))
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c.Refresh()
		c.Tick(time.Now())
		p := problems(c.Snapshot())
		if len(p) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute:\n%s", strings.Join(p, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
