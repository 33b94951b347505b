package prom

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/config"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeProm is a loopback server answering /api/v1/query and
// /api/v1/query_range from a function of the parsed request.
type fakeProm struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []fakeReq
}

type fakeReq struct {
	method, path, expr string
	start, end         time.Time
	step               time.Duration
	timeout            string
	at                 time.Time
}

func newFakeProm(t *testing.T, answer func(w http.ResponseWriter, r fakeReq)) *fakeProm {
	t.Helper()
	f := &fakeProm{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fr := fakeReq{
			method: r.Method, path: r.URL.Path, expr: r.Form.Get("query"), timeout: r.Form.Get("timeout"),
			start: parseTS(r.Form.Get("start")), end: parseTS(r.Form.Get("end")), at: parseTS(r.Form.Get("time")),
		}
		if s, err := strconv.ParseFloat(r.Form.Get("step"), 64); err == nil {
			fr.step = time.Duration(s * float64(time.Second))
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, fr)
		f.mu.Unlock()
		answer(w, fr)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeProm) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeReq(nil), f.reqs...)
}

func parseTS(s string) time.Time {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(math.Round(v * 1000)))
}

// writeVector answers an instant query with one sample per value.
func writeVector(w http.ResponseWriter, at time.Time, vals ...float64) {
	type sample struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	res := []sample{}
	for i, v := range vals {
		res = append(res, sample{
			Metric: map[string]string{"i": strconv.Itoa(i)},
			Value:  [2]any{float64(at.UnixMilli()) / 1000, strconv.FormatFloat(v, 'f', -1, 64)},
		})
	}
	writeData(w, "vector", res, nil)
}

func writeData(w http.ResponseWriter, typ string, result any, warnings []string) {
	w.Header().Set("Content-Type", "application/json")
	body := map[string]any{"status": "success", "data": map[string]any{"resultType": typ, "result": result}}
	if warnings != nil {
		body["warnings"] = warnings
		body["infos"] = []string{"info: " + warnings[0]}
	}
	json.NewEncoder(w).Encode(body)
}

// writeMatrix answers a range query with one series whose value at each
// step is the step's Unix time in seconds.
func writeMatrix(w http.ResponseWriter, r fakeReq) {
	var vals [][2]any
	for t := r.start; !t.After(r.end); t = t.Add(r.step) {
		vals = append(vals, [2]any{float64(t.Unix()), strconv.FormatInt(t.Unix(), 10)})
	}
	writeData(w, "matrix", []map[string]any{{"metric": map[string]string{"job": "fake"}, "values": vals}}, nil)
}

func testConfig(servers map[string]string, queries ...QueryConfig) Config {
	var c Config
	for name, u := range servers {
		c.Servers = append(c.Servers, ServerConfig{Name: name, URL: u, HTTP: defaultHTTP()})
	}
	for _, q := range queries {
		if q.Kind == "" {
			q.Kind = KindInstant
		}
		if q.Unit == "" {
			q.Unit = sources.UnitCount
		}
		if q.MaxSeries == 0 {
			q.MaxSeries = DefaultMaxSeries
		}
		if q.Expr == "" {
			q.Expr = "up"
		}
		if q.Server == "" {
			q.Server = c.Servers[0].Name
		}
		c.Queries = append(c.Queries, q)
	}
	return c
}

func mustNew(t *testing.T, c Config, o Options) *Querier {
	t.Helper()
	q, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func get(t *testing.T, s Snapshot, name string) Result {
	t.Helper()
	r, ok := s.Get(name)
	if !ok {
		t.Fatalf("no result %q", name)
	}
	return r
}

func defaultHTTP() promcfg.HTTPClientConfig { return promcfg.DefaultHTTPClientConfig }

type modelDuration = model.Duration

func loadYAML(s string, v any) error { return config.Load(strings.NewReader(s), v) }
