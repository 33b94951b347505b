package prom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources"
)

// hangingListener accepts connections and never answers them.
func hangingListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String()
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestBadInput runs one querier against many broken servers at once: each
// query gets a clear health and reason, and the good query is unaffected.
func TestBadInput(t *testing.T) {
	var servers []*httptest.Server
	serve := func(f func(w http.ResponseWriter, r *http.Request)) string {
		s := httptest.NewServer(http.HandlerFunc(f))
		servers = append(servers, s)
		return s.URL
	}
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	servers = append(servers, tlsSrv)
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	now := time.Unix(1_700_000_000, 0)
	big := strings.Repeat("x", 200<<10)
	urls := map[string]string{
		"good": serve(func(w http.ResponseWriter, r *http.Request) { writeVector(w, now, 42) }),
		"nan":  serve(func(w http.ResponseWriter, r *http.Request) { writeVector(w, now, math.NaN()) }),
		"none": serve(func(w http.ResponseWriter, r *http.Request) { writeVector(w, now) }),
		"warn": serve(func(w http.ResponseWriter, r *http.Request) {
			writeData(w, "vector", []any{}, []string{"PromQL warning: \x1b]0;pwned\x07encountered a mix of histograms"})
		}),
		"html200": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html><head><title>Login</title></head><body>please log in</body></html>")
		}),
		"html502": serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>")
		}),
		"timeout503": serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`)
		}),
		"truncated": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"val`)
		}),
		"announced": serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			fmt.Fprint(w, big)
		}),
		"streamed": serve(func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // chunked: no length announced
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[],"pad":"`+big+`"}}`)
		}),
		"weird": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"weird"}`)
		}),
		"weirddata": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"weird","data":{"resultType":"vector","result":[]}}`)
		}),
		"nostatus": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":{"resultType":"vector","result":[]}}`)
		}),
		"nodata": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"success"}`)
		}),
		"error200": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}`)
		}),
		"error200bare": serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"error"}`)
		}),
		"loop": serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
		}),
		"tls":     tlsSrv.URL, // self-signed: not trusted
		"hang":    hangingListener(t),
		"refused": closedPort(t),
	}
	var qs []QueryConfig
	for name := range urls {
		qs = append(qs, QueryConfig{Name: name, Server: name, Interval: modelSeconds(1)})
	}
	clk := newClock(now)
	q := mustNew(t, testConfig(urls, qs...), Options{Now: clk.Now, MaxBodyBytes: 64 << 10})

	start := time.Now()
	snap, err := q.EvaluateAll(context.Background())
	// A generous bound: the hanging server must not hold the call up much
	// past its 1 s deadline.
	if el := time.Since(start); el > 20*time.Second {
		t.Fatalf("EvaluateAll took %v", el)
	}
	if err == nil {
		t.Fatal("EvaluateAll: want an error when queries fail")
	}

	want := map[string]struct {
		h   sources.Health
		msg string
	}{
		"good":         {sources.HealthOK, ""},
		"nan":          {sources.HealthOK, ""},
		"none":         {sources.HealthOK, ""},
		"warn":         {sources.HealthOK, ""},
		"html200":      {sources.HealthError, "not Prometheus API JSON"},
		"html502":      {sources.HealthError, "server error: 502: 502 Bad Gateway"},
		"timeout503":   {sources.HealthError, "timeout: query timed out in expression evaluation"},
		"truncated":    {sources.HealthError, "truncated JSON body"},
		"announced":    {sources.HealthError, "response body too large"},
		"streamed":     {sources.HealthError, "response body too large"},
		"loop":         {sources.HealthError, "redirect loop"},
		"weird":        {sources.HealthError, `bad_response: unexpected status "weird" (want "success" or "error")`},
		"weirddata":    {sources.HealthError, `bad_response: unexpected status "weird"`},
		"nostatus":     {sources.HealthError, `bad_response: no "status" in the answer`},
		"nodata":       {sources.HealthError, `no "data" in a "success" answer`},
		"error200":     {sources.HealthError, "execution: many-to-many matching not allowed"},
		"error200bare": {sources.HealthError, `status "error" without an errorType or error`},
		"tls":          {sources.HealthUnreachable, "TLS: "},
		"hang":         {sources.HealthUnreachable, "no answer within 1s"},
		"refused":      {sources.HealthUnreachable, "connection refused"},
	}
	if r := get(t, snap, "html502"); !strings.HasPrefix(r.Err, "server error: 502") {
		t.Errorf("html502: %q should start with the message, not say server error twice", r.Err)
	}
	for name, w := range want {
		r := get(t, snap, name)
		t.Logf("%-10s %-11v %s", name, r.Health, r.Err)
		if r.Health != w.h || !strings.Contains(r.Err, w.msg) {
			t.Errorf("%s: health %v, err %q; want %v containing %q", name, r.Health, r.Err, w.h, w.msg)
		}
		if r.Health != sources.HealthOK && !strings.Contains(err.Error(), fmt.Sprintf("prom: query %q: ", name)) {
			t.Errorf("%s: missing from the joined error: %v", name, err)
		}
		if r.Value.Health != r.Health {
			t.Errorf("%s: value health %v != result health %v", name, r.Value.Health, r.Health)
		}
	}
	if g := get(t, snap, "good"); g.Value.Value != 42 || !g.Value.At.Equal(now) {
		t.Errorf("good = %+v", g.Value)
	}
	if n := get(t, snap, "nan"); !math.IsNaN(n.Value.Value) || n.Empty() {
		t.Errorf("nan = %+v", n)
	}
	if n := get(t, snap, "none"); !n.Empty() || !math.IsNaN(n.Value.Value) {
		t.Errorf("empty result = %+v", n)
	}
	w := get(t, snap, "warn")
	if len(w.Warnings) != 1 || len(w.Infos) != 1 || strings.ContainsAny(w.Warnings[0], "\x1b\x07") {
		t.Errorf("warnings = %q infos = %q", w.Warnings, w.Infos)
	}
}

func modelSeconds(n int) (d modelDuration) { return modelDuration(time.Duration(n) * time.Second) }

// TestStaleNeverCurrent: after a good answer, silence makes the value
// stale against the clock, and its At keeps saying when it was true.
func TestStaleNeverCurrent(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	clk := newClock(t0)
	fail := false
	var mu sync.Mutex
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		writeVector(w, r.at, 7)
	})
	q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "x", Interval: modelSeconds(5)}), Options{Now: clk.Now})
	if _, err := q.EvaluateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Add(10 * time.Second)
	if r := get(t, q.Snapshot(), "x"); r.Health != sources.HealthOK {
		t.Fatalf("after 2 intervals: %v", r.Health)
	}
	clk.Add(time.Second)
	r := get(t, q.Snapshot(), "x")
	if r.Health != sources.HealthStale || r.Value.Health != sources.HealthStale || !r.Value.At.Equal(t0) || r.Value.Value != 7 {
		t.Fatalf("after 11s of silence: %+v", r.Value)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	q.EvaluateAll(context.Background())
	r = get(t, q.Snapshot(), "x")
	if r.Health != sources.HealthError || !strings.Contains(r.Err, "503") || !r.At.Equal(t0) {
		t.Fatalf("after a 503: %+v", r)
	}
}

// TestSecretsNeverShown puts known secrets in the config, provokes errors
// from servers that echo what they receive, and looks for the secrets in
// everything the package produces.
func TestSecretsNeverShown(t *testing.T) {
	const (
		pass  = "pw-7f3a9c-SECRET"
		token = "tok-51d0e2-SECRET"
		hdr   = "hdr-88aa11-SECRET"
	)
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			r.Header.Write(&b)
			w.WriteHeader(code)
			fmt.Fprintf(w, "<html><title>denied %s</title><pre>%s</pre></html>", r.Header.Get("Authorization"), b.String())
		}
	}
	s401 := httptest.NewServer(echo(http.StatusUnauthorized))
	defer s401.Close()
	s500 := httptest.NewServer(echo(http.StatusInternalServerError))
	defer s500.Close()
	sWarn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeData(w, "vector", []any{}, []string{"you sent " + r.Header.Get("Authorization") + " and " + r.Header.Get("X-Api-Key")})
	}))
	defer sWarn.Close()
	yaml := fmt.Sprintf(`
servers:
  - name: basic
    url: %s
    basic_auth: {username: warroom, password: %s}
  - name: bearer
    url: %s
    authorization: {credentials: %s}
    http_headers:
      X-Api-Key: {secrets: [%s]}
  - name: warn
    url: %s
    authorization: {credentials: %s}
    http_headers:
      X-Api-Key: {secrets: [%s]}
  - name: down
    url: http://warroom:%s@%s
  - name: tls
    url: https://127.0.0.1:1
    tls_config: {key: %s, cert: notapem}
queries:
  - {name: a, expr: up, server: basic}
  - {name: b, expr: up, server: bearer}
  - {name: c, expr: up, server: warn}
  - {name: d, expr: up, server: down}
  - {name: e, expr: up, server: tls}
`, s401.URL, pass, s500.URL, token, hdr, sWarn.URL, token, hdr, pass, strings.TrimPrefix(closedPort(t), "http://"), pass)
	var cfg Config
	if err := loadYAML(yaml, &cfg); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	clk := newClock(time.Unix(1_700_000_000, 0))
	q := mustNew(t, cfg, Options{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	snap, err := q.EvaluateAll(context.Background())
	if err == nil {
		t.Fatal("want errors")
	}
	shifted, serr := q.QueryShifted(context.Background(), "a", time.Hour)
	var out strings.Builder
	fmt.Fprintln(&out, err, serr, shifted, cfg, cfg.String(), logs.String())
	fmt.Fprintf(&out, "%+v %#v %v", snap, cfg, q.Snapshot())
	for _, r := range snap.Results {
		fmt.Fprintln(&out, r.String(), r.Err, r.Warnings, r.Infos)
	}
	text := out.String()
	for _, s := range []string{pass, token, hdr} {
		if strings.Contains(text, s) {
			t.Errorf("secret %q appears in output:\n%s", s, text)
		}
	}
	// The errors themselves must still be useful.
	for name, want := range map[string]string{"a": "401", "b": "500", "d": "connection refused", "e": "http client"} {
		if r := get(t, snap, name); !strings.Contains(r.Err, want) {
			t.Errorf("%s: err %q, want %q", name, r.Err, want)
		}
	}
	if c := get(t, snap, "c"); len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "<secret>") {
		t.Errorf("warning not scrubbed as expected: %q", c.Warnings)
	}
	if !strings.Contains(logs.String(), "health changed") {
		t.Errorf("no health logs to check:\n%s", logs.String())
	}
}

// TestInflightLimit: many queries on one slow server never have more than
// four requests in flight, and a query never overlaps itself.
func TestInflightLimit(t *testing.T) {
	var mu sync.Mutex
	inflight, peak := 0, 0
	per := map[string]int{}
	perPeak := 0
	release := make(chan struct{})
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		mu.Lock()
		inflight++
		per[r.expr]++
		peak = max(peak, inflight)
		perPeak = max(perPeak, per[r.expr])
		mu.Unlock()
		<-release
		mu.Lock()
		inflight--
		per[r.expr]--
		mu.Unlock()
		writeVector(w, r.at, 1)
	})
	long := "sum(" + strings.Repeat("rate(http_requests_total{code=~\"5..\"}[1m]) + ", 300) + "0)"
	var qs []QueryConfig
	for i := range 10 {
		qs = append(qs, QueryConfig{Name: fmt.Sprint("q", i), Expr: fmt.Sprintf("%s * %d", long, i), Interval: modelSeconds(10)})
	}
	clk := newClock(time.Unix(1_700_000_000, 0))
	q := mustNew(t, testConfig(map[string]string{"p": f.URL}, qs...), Options{Now: clk.Now})
	var wg sync.WaitGroup
	for range 2 { // two overlapping one-shots: each query must still run alone
		wg.Go(func() { q.EvaluateAll(context.Background()) })
	}
	go func() {
		for {
			time.Sleep(20 * time.Millisecond)
			select {
			case release <- struct{}{}:
			case <-time.After(2 * time.Second):
				return
			}
		}
	}()
	wg.Wait()
	if peak > DefaultMaxInflight || peak == 0 {
		t.Errorf("peak in flight = %d, want 1..%d", peak, DefaultMaxInflight)
	}
	if perPeak != 1 {
		t.Errorf("a query overlapped itself: %d at once", perPeak)
	}
	reqs := f.requests()
	if len(reqs) != 20 {
		t.Errorf("%d requests, want 20", len(reqs))
	}
	for _, r := range reqs {
		if r.method != http.MethodPost || !strings.HasPrefix(r.expr, long[:100]) || len(r.expr) < len(long) {
			t.Fatalf("want the long expression POSTed intact, got %s with %d bytes", r.method, len(r.expr))
		}
		if r.timeout != "9s" {
			t.Fatalf("timeout param = %q, want 9s (0.9 of a 10s deadline)", r.timeout)
		}
	}
}
