package prom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
	"warroom/sources/prom/promtest"
)

// basicAuthServer is a server entry for the shared Prometheus, with the
// password in a file as a user would keep it.
func basicAuthServer(t *testing.T, name, url, password string) ServerConfig {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pass")
	must(t, os.WriteFile(file, []byte(password+"\n"), 0o600))
	http := promcfg.DefaultHTTPClientConfig
	http.BasicAuth = &promcfg.BasicAuth{Username: promUser, PasswordFile: file}
	return ServerConfig{Name: name, URL: url, HTTP: http}
}

func qc(name, server, expr string, kind Kind, legend string) QueryConfig {
	return QueryConfig{Name: name, Server: server, Expr: expr, Kind: kind, Legend: legend,
		Unit: sources.UnitPerSecond, MaxSeries: DefaultMaxSeries, Interval: modelSeconds(2)}
}

// waitAnswered polls until every query answered with data, or fails.
func waitAnswered(t *testing.T, q *Querier, names ...string) Snapshot {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		snap, _ := q.EvaluateAll(context.Background())
		ok := true
		for _, n := range names {
			r := get(t, snap, n)
			if r.Health != sources.HealthOK || r.Empty() || math.IsNaN(r.Value.Value) {
				ok = false
			}
		}
		if ok {
			return snap
		}
		if time.Now().After(deadline) {
			t.Fatalf("queries never answered with data: %+v", snap.Results)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// near allows for float rounding only: the target stamps each sample with
// the instant its value was computed for, so irate is exact however the
// scrapes are timed.
func near(got, want float64) bool { return math.Abs(got-want) <= want*1e-9 }

func TestPromInstantAndRange(t *testing.T) {
	p := sharedProm(t)
	cfg := Config{
		Servers: []ServerConfig{
			basicAuthServer(t, "main", p.url(), promPass),
			{Name: "hang", URL: hangingListener(t), HTTP: promcfg.DefaultHTTPClientConfig},
		},
		Queries: []QueryConfig{
			qc("by_code", "main", `sum by (code) (irate(warroom_test_requests_total[3s]))`, KindInstant, "{{code}}"),
			qc("errors", "main", `irate(warroom_test_requests_total{code="500"}[3s])`, KindRange, "{{code}} {{job}}"),
			{Name: "hung", Server: "hang", Expr: "up", Kind: KindInstant, Unit: sources.UnitCount, MaxSeries: 1, Interval: modelSeconds(1)},
		},
	}
	began := time.Now()
	q := mustNew(t, cfg, Options{Now: time.Now, Window: 30 * time.Second, Width: 30})
	snap := waitAnswered(t, q, "by_code", "errors")

	bc := get(t, snap, "by_code")
	if len(bc.Series) != 2 || bc.Series[0].Name != "200" || bc.Series[1].Name != "500" {
		t.Fatalf("by_code series = %+v", bc.Series)
	}
	if !near(bc.Value.Value, rate200) || !near(bc.Series[1].Points[0].V, rate500) {
		t.Errorf("rates = %v, %v; want %v, %v", bc.Value.Value, bc.Series[1].Points[0].V, rate200, rate500)
	}
	// evaluated while the test ran (Prometheus' times are whole milliseconds)
	if bc.Value.Unit != sources.UnitPerSecond || bc.Value.At.Before(began.Truncate(time.Millisecond)) || bc.Value.At.After(time.Now()) {
		t.Errorf("value meta = %+v", bc.Value)
	}

	er := get(t, snap, "errors")
	if er.Step != time.Second || len(er.Series) != 1 || er.Series[0].Name != "500 warroom_test" {
		t.Fatalf("errors = step %v, %+v", er.Step, er.Series)
	}
	n := 0
	for _, pt := range er.Series[0].Points {
		if math.IsNaN(pt.V) {
			continue
		}
		n++
		if !near(pt.V, rate500) {
			t.Errorf("range point at %v = %v, want ≈ %v", pt.At, pt.V, rate500)
		}
	}
	if n == 0 || len(er.Series[0].Points) > 31 {
		t.Errorf("range: %d values in %d points", n, len(er.Series[0].Points))
	}

	// The hanging server gave up at its deadline; the others did not wait on it.
	if h := get(t, snap, "hung"); h.Health != sources.HealthUnreachable || !strings.Contains(h.Err, "no answer within 1s") {
		t.Errorf("hung = %v %q", h.Health, h.Err)
	}
}

// countingTransport records how many evaluation points each range request
// asks for.
type countingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	points []int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && strings.HasSuffix(req.URL.Path, "/query_range") {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		start, _ := strconv.ParseFloat(form.Get("start"), 64)
		end, _ := strconv.ParseFloat(form.Get("end"), 64)
		step, _ := strconv.ParseFloat(form.Get("step"), 64)
		c.mu.Lock()
		c.points = append(c.points, int((end-start)/step)+1)
		c.mu.Unlock()
	}
	return c.next.RoundTrip(req)
}

// TestPromIncremental polls a range query twice, the second time for the
// new tail only, and checks the merged series against a full fetch of the
// same window. The polls end at instants of the test's own clock, kept
// behind the real one so every sample for them has been scraped: the
// tail's length and the series are the data's, not the machine's speed.
func TestPromIncremental(t *testing.T) {
	p := sharedProm(t)
	ct := &countingTransport{}
	cfg := Config{
		Servers: []ServerConfig{basicAuthServer(t, "main", p.url(), promPass)},
		Queries: []QueryConfig{qc("c", "main", `warroom_test_requests_total{code="200"}`, KindRange, "")},
	}
	const behind = 5 * time.Second
	clk := newClock(time.Now().Add(-behind))
	opts := Options{Now: clk.Now, Window: 60 * time.Second, Width: 60}
	withCount := opts
	withCount.WrapTransport = func(_ string, rt http.RoundTripper) http.RoundTripper { ct.next = rt; return ct }
	q := mustNew(t, cfg, withCount)

	// the first poll backfills the window; a Prometheus just started may
	// have nothing that old yet, so the clock follows the real one until
	// the series has a value
	var first Result
	deadline := time.Now().Add(30 * time.Second)
	for {
		snap, _ := q.EvaluateAll(context.Background())
		if first = get(t, snap, "c"); first.Health == sources.HealthOK && !first.Empty() && !math.IsNaN(first.Value.Value) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the query never answered with data: %s", first)
		}
		time.Sleep(500 * time.Millisecond)
		clk.Add(time.Now().Add(-behind).Sub(clk.Now()))
	}
	firstEnd := first.At
	// three steps later, once the real clock is as far past that as before
	clk.Add(firstEnd.Add(3 * time.Second).Sub(clk.Now()))
	time.Sleep(time.Until(clk.Now().Add(behind)))
	if _, err := q.EvaluateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := get(t, q.Snapshot(), "c")
	ct.mu.Lock()
	points := append([]int(nil), ct.points...)
	ct.mu.Unlock()
	if points[0] != 61 {
		t.Errorf("backfill asked for %d points, want 61", points[0])
	}
	// the three new steps and two of overlap
	if tail := points[len(points)-1]; tail != 5 {
		t.Errorf("incremental poll asked for %d points, want 5: only the new tail", tail)
	}
	pts := r.Series[0].Points
	if !r.At.Equal(firstEnd.Add(3*time.Second)) || !pts[len(pts)-1].At.Equal(r.At) || len(pts) > 61 {
		t.Fatalf("merged series: %d points, last %v, at %v (first at %v)", len(pts), pts[len(pts)-1].At, r.At, firstEnd)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].At.Sub(pts[i-1].At) != time.Second {
			t.Fatalf("points %d,%d not one step apart: %v %v", i-1, i, pts[i-1].At, pts[i].At)
		}
		if pts[i].V < pts[i-1].V {
			t.Fatalf("the counter went down from %v to %v at %v", pts[i-1].V, pts[i].V, pts[i].At)
		}
	}
	// what the two polls merged is what one fetch of the window says
	snap, err := mustNew(t, cfg, opts).EvaluateAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := get(t, snap, "c").Series[0].Points
	if len(want) != len(pts) {
		t.Fatalf("merged %d points, a full fetch %d", len(pts), len(want))
	}
	for i := range want {
		if !pts[i].At.Equal(want[i].At) || pts[i].V != want[i].V && !(math.IsNaN(pts[i].V) && math.IsNaN(want[i].V)) {
			t.Fatalf("point %d: merged %v, a full fetch %v", i, pts[i], want[i])
		}
	}
}

func TestPromErrors(t *testing.T) {
	p := sharedProm(t)
	// Prometheus 2.42's web config checks basic auth only, so bearer tokens
	// are checked by this loopback reverse proxy, which then logs in to
	// Prometheus with basic auth.
	const token = "bearer-token-for-test"
	target, _ := url.Parse(p.url())
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		r.SetBasicAuth(promUser, promPass)
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	tokFile := filepath.Join(t.TempDir(), "token")
	must(t, os.WriteFile(tokFile, []byte(token), 0o600))
	bearer := func(name string, file, inline string) ServerConfig {
		h := promcfg.DefaultHTTPClientConfig
		h.Authorization = &promcfg.Authorization{Type: "Bearer", CredentialsFile: file, Credentials: promcfg.Secret(inline)}
		return ServerConfig{Name: name, URL: proxy.URL, HTTP: h}
	}
	cfg := Config{
		Servers: []ServerConfig{
			basicAuthServer(t, "main", p.url(), promPass),
			basicAuthServer(t, "wrongpw", p.url(), "not-the-password"),
			{Name: "noauth", URL: p.url(), HTTP: promcfg.DefaultHTTPClientConfig},
			bearer("bearer", tokFile, ""),
			bearer("badtoken", "", "wrong-token"),
		},
		Queries: []QueryConfig{
			qc("ok", "main", `vector(1)`, KindInstant, ""),
			qc("bad_promql", "main", `sum(rate(warroom_test_requests_total[5m])`, KindInstant, ""),
			qc("bad_range", "main", `rate(warroom_test_requests_total)`, KindRange, ""),
			qc("wrongpw", "wrongpw", `vector(1)`, KindInstant, ""),
			qc("noauth", "noauth", `vector(1)`, KindInstant, ""),
			qc("bearer", "bearer", `vector(2)`, KindInstant, ""),
			qc("badtoken", "badtoken", `vector(1)`, KindInstant, ""),
		},
	}
	q := mustNew(t, cfg, Options{Now: time.Now})
	snap, err := q.EvaluateAll(context.Background())
	if err == nil {
		t.Fatal("want errors")
	}
	want := map[string]struct {
		h   sources.Health
		msg string
	}{
		"ok":         {sources.HealthOK, ""},
		"bearer":     {sources.HealthOK, ""},
		"bad_promql": {sources.HealthError, "bad_data: invalid parameter \"query\": 1:42: parse error: unclosed left parenthesis"},
		"bad_range":  {sources.HealthError, "bad_data: 1:6: parse error: expected type range vector in call to function \"rate\""},
		"wrongpw":    {sources.HealthError, "client error: 401: Unauthorized"},
		"noauth":     {sources.HealthError, "client error: 401"},
		"badtoken":   {sources.HealthError, "client error: 401: bad token"},
	}
	for name, w := range want {
		r := get(t, snap, name)
		if r.Health != w.h || !strings.Contains(r.Err, w.msg) {
			t.Errorf("%s: %v %q, want %v containing %q", name, r.Health, r.Err, w.h, w.msg)
		}
	}
	if v := get(t, snap, "bearer").Value.Value; v != 2 {
		t.Errorf("through the bearer proxy: %v", v)
	}
}

// TestPromRestart: a stopped server is unreachable, and the same querier
// recovers when it comes back on the same address.
func TestPromRestart(t *testing.T) {
	promtest.Binary(t)
	p := newPromProcess(t, t.TempDir(), "", false)
	p.start(t)
	defer p.stop()
	cfg := Config{
		Servers: []ServerConfig{{Name: "p", URL: p.url(), HTTP: promcfg.DefaultHTTPClientConfig}},
		Queries: []QueryConfig{qc("one", "p", `vector(1)`, KindInstant, "")},
	}
	q := mustNew(t, cfg, Options{Now: time.Now})
	check := func(stage string, h sources.Health, msg string) {
		t.Helper()
		q.EvaluateAll(context.Background())
		r := get(t, q.Snapshot(), "one")
		if r.Health != h || !strings.Contains(r.Err, msg) {
			t.Fatalf("%s: %v %q, want %v %q", stage, r.Health, r.Err, h, msg)
		}
	}
	check("running", sources.HealthOK, "")
	p.stop()
	check("stopped", sources.HealthUnreachable, "connection refused")
	p.start(t)
	check("restarted", sources.HealthOK, "")
}

// TestPromGoneAndInfinite asks a real Prometheus for a series that ends
// two seconds into the test and for answers that are not finite numbers:
// the ended series turns stale with its last value and time once its last
// point falls behind the range's end, ±Inf is an error naming it, and NaN
// (0/0) stays a healthy "no value".
func TestPromGoneAndInfinite(t *testing.T) {
	p := sharedProm(t)
	end := time.Now().Truncate(time.Second).Add(2 * time.Second)
	one := func(q QueryConfig) QueryConfig { q.Interval = modelSeconds(1); return q }
	cfg := Config{
		Servers: []ServerConfig{basicAuthServer(t, "main", p.url(), promPass)},
		Queries: []QueryConfig{
			one(qc("gone", "main", fmt.Sprintf(`vector(77) and on() (vector(time()) < %d)`, end.Unix()), KindRange, "")),
			qc("inf", "main", `vector(1) / 0`, KindInstant, ""),
			qc("ninf", "main", `vector(-1) / 0`, KindRange, ""),
			qc("nan", "main", `vector(0) / 0`, KindInstant, ""),
		},
	}
	q := mustNew(t, cfg, Options{Now: time.Now, Window: 30 * time.Second, Width: 30})
	snap, _ := q.EvaluateAll(context.Background())
	for _, r := range snap.Results {
		t.Logf("%s", r)
	}
	if g := get(t, snap, "gone"); g.Health != sources.HealthOK || g.Value.Value != 77 {
		t.Fatalf("gone while it exists: %s", g)
	}
	for name, want := range map[string]string{"inf": "value is +Inf", "ninf": "value is -Inf"} {
		if r := get(t, snap, name); r.Health != sources.HealthError || r.Err != want || !math.IsNaN(r.Value.Value) {
			t.Errorf("%s: %s, want error %q and no value", name, r, want)
		}
	}
	if n := get(t, snap, "nan"); n.Health != sources.HealthOK || !math.IsNaN(n.Value.Value) || n.Empty() {
		t.Errorf("nan: %s", n)
	}

	// one 1 s step and two 1 s intervals after the last point, and a second
	// for the aligned range end
	time.Sleep(time.Until(end.Add(5 * time.Second)))
	q.EvaluateAll(context.Background())
	g := get(t, q.Snapshot(), "gone")
	t.Logf("%s", g)
	if g.Health != sources.HealthStale || g.Value.Health != sources.HealthStale || g.Value.Value != 77 || !strings.Contains(g.Err, "newest sample at") {
		t.Fatalf("gone after it ended: %s", g)
	}
	if g.Value.At.After(end) || g.Value.At.Before(end.Add(-5*time.Second)) {
		t.Errorf("value at %v, want its last point just before %v", g.Value.At, end)
	}
}
