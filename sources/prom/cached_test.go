package prom

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources"
)

// replayingProxy is a caching reverse proxy gone wrong: it forwards the
// first instant query to Prometheus and answers every later one with that
// first answer, whatever time it asks for.
type replayingProxy struct {
	*httptest.Server
	mu       sync.Mutex
	kept     []byte
	replayed int
}

func newReplayingProxy(t *testing.T, target string) *replayingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &replayingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.kept != nil {
			p.replayed++
			w.Header().Set("Content-Type", "application/json")
			w.Write(p.kept)
			return
		}
		rec := httptest.NewRecorder()
		r.SetBasicAuth(promUser, promPass)
		rp.ServeHTTP(rec, r)
		body, _ := io.ReadAll(rec.Result().Body)
		if rec.Code == http.StatusOK {
			p.kept = body
		}
		w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(p.Close)
	return p
}

// TestPromCachedAnswerIsStale asks a real Prometheus the same instant
// query directly and through a proxy that replays its first answer. The
// first answer is current both ways; from then on the proxy's answers
// carry the first evaluation time, not the one asked for: stale, with the
// old value kept at its own time and a reason naming when it is from —
// never current, neither a second later nor 300 s later, while the direct
// answer for the same instants is.
func TestPromCachedAnswerIsStale(t *testing.T) {
	p := sharedProm(t)
	proxy := newReplayingProxy(t, p.url())
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Servers: []ServerConfig{
			basicAuthServer(t, "direct", p.url(), promPass),
			{Name: "cached", URL: proxy.URL, HTTP: defaultHTTP()},
		},
		Queries: []QueryConfig{
			qc("direct", "direct", `vector(time())`, KindInstant, ""),
			qc("cached", "cached", `vector(time())`, KindInstant, ""),
		},
	}
	// the querier's own clock: Prometheus evaluates at whatever time is
	// asked, so the test steps it instead of waiting
	clk := newClock(time.Now().Truncate(time.Second))
	first := clk.Now()
	q := mustNew(t, cfg, Options{Now: clk.Now, Zone: func() *time.Location { return shanghai }})
	snap, err := q.EvaluateAll(context.Background())
	if err != nil {
		t.Fatalf("first answers: %v", err)
	}
	for _, name := range []string{"direct", "cached"} {
		r := get(t, snap, name)
		if r.Health != sources.HealthOK || r.Value.Value != float64(first.Unix()) || !r.Value.At.Equal(first) {
			t.Fatalf("%s, first answer: %s (value at %v), want ok, time() of %v", name, r, r.Value.At, first)
		}
	}

	for _, later := range []time.Duration{2 * time.Second, 300 * time.Second} {
		clk.Add(first.Add(later).Sub(clk.Now()))
		snap, err := q.EvaluateAll(context.Background())
		d, c := get(t, snap, "direct"), get(t, snap, "cached")
		t.Logf("+%v: %s; %s", later, d, c)
		if d.Health != sources.HealthOK || d.Value.Value != float64(first.Add(later).Unix()) {
			t.Errorf("+%v: the direct answer %s, want ok and current", later, d)
		}
		want := "cached answer from " + first.In(shanghai).Format("15:04:05") + " CST, " + age(later) + " before the time asked"
		if c.Health != sources.HealthStale || c.Value.Health != sources.HealthStale || !strings.HasPrefix(c.Err, want) {
			t.Errorf("+%v: the replayed answer %s (%q), want stale: %q", later, c, c.Err, want)
		}
		// the old value is kept, at its own time, so the screen shows its age
		if c.Value.Value != float64(first.Unix()) || !c.Value.At.Equal(first) {
			t.Errorf("+%v: replayed value %v at %v, want %v at %v", later, c.Value.Value, c.Value.At, first.Unix(), first)
		}
		if err == nil || !strings.Contains(err.Error(), `"cached": stale: cached answer`) {
			t.Errorf("+%v: EvaluateAll error %v, want the cached query named", later, err)
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.replayed != 2 {
		t.Errorf("the proxy replayed %d answers, want 2", proxy.replayed)
	}
	if !bytes.Contains(proxy.kept, []byte(`"resultType":"vector"`)) {
		t.Errorf("kept %s", proxy.kept)
	}
}
