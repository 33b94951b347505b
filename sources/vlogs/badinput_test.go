package vlogs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/nginx"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// proxy stands between a stream and the real VictoriaLogs, passing
// requests on or answering as a broken server would.
type proxy struct {
	mode atomic.Value // string
	srv  *httptest.Server
}

func newProxy(t *testing.T, target string) *proxy {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = nil
	p := &proxy{}
	p.mode.Store("pass")
	stop := make(chan struct{})
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p.mode.Load().(string) {
		case "html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Sign in to the hotel Wi-Fi</title></head><body>\x1b[2J</body></html>")
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"error","error":"too many concurrent requests \u001b]0;owned\u0007; try again later"}`)
		case "empty":
		case "hang":
			io.Copy(io.Discard, r.Body) // then a closed connection ends the request's context
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(stop) }) // first: Close waits for the requests
	return p
}

// hangingListener accepts connections and never answers.
func hangingListener(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + l.Addr().String()
}

// feed writes live traffic until ctx ends: to VictoriaLogs (errors
// ignored: the server is stopped on purpose) and to an access log.
func feed(ctx context.Context, vl *vltest.Server, logPath string) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for j := range 5 {
			status := []string{"200", "200", "499", "502", "304"}[(i+j)%5]
			line := fmt.Sprintf(`10.0.0.%d - - [%s] "GET /r HTTP/1.1" %s 5 "-" "t" 0.100 -`, j, now.UTC().Format("02/Jan/2006:15:04:05 -0700"), status)
			f.WriteString(line + "\n")
			enc.Encode(map[string]string{"_time": now.UTC().Format(time.RFC3339Nano), "_msg": line, "app": "nginx",
				"host": fmt.Sprintf("web-%d", j), "status": status, "request_time": "0.100", "path": "/r", "remote_addr": fmt.Sprintf("10.0.0.%d", j)})
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, vl.URL+"/insert/jsonline?_stream_fields=host,app", &body)
		req.Header.Set("Content-Type", "application/stream+json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}

// waitFor polls cond until it holds, or fails after a generous deadline
// saying what it last saw.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened; last saw %s", what, saw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A stream whose server goes bad — down, hanging, answering an HTML page,
// a 5xx or nothing — says so in its health within a poll or two, with the
// reason (sanitized, no terminal escapes), shows no value as current,
// and recovers by itself when the server does; the other streams and the
// access log go on being read all along.
func TestBadServersShowAndRecover(t *testing.T) {
	vl := vltest.Start(t)
	px := newProxy(t, vl.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logPath := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(logPath, nil, 0o644)
	var fed sync.WaitGroup
	fed.Go(func() { feed(ctx, vl, logPath) })
	defer fed.Wait()
	defer cancel()

	second := model.Duration(time.Second)
	cfg := vlogs.Config{
		Servers: []vlogs.ServerConfig{
			{Name: "vl", URL: vl.URL, Timeout: second},
			{Name: "edge", URL: px.srv.URL, Timeout: second},
			{Name: "hung", URL: hangingListener(t), Timeout: second},
		},
		Streams: []vlogs.StreamConfig{
			{Name: "direct", Server: "vl", Filter: "app:=nginx"},
			{Name: "edge", Server: "edge", Filter: "app:=nginx"},
			{Name: "hung", Server: "hung", Filter: "app:=nginx"},
		},
	}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now, Refresh: 200 * time.Millisecond, DetailEvery: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ncfg := nginx.DefaultSourceConfig
	ncfg.Name, ncfg.Paths, ncfg.Format = "web", []string{logPath}, "timed"
	if err := ncfg.Validate(); err != nil {
		t.Fatal(err)
	}
	web, err := nginx.NewSource(ncfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := collect.New(collect.Options{Nginx: []*nginx.Source{web}, Sources: srcs, Now: time.Now, Refresh: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var ran sync.WaitGroup
	ran.Go(func() { c.Run(ctx) })
	defer ran.Wait()
	defer cancel()

	type seen struct {
		status sources.SourceStatus
		qps    sources.Value
	}
	look := func(name string) seen {
		s := c.Snapshot()
		var out seen
		for _, st := range s.Sources {
			if st.Name == name {
				out.status = st
			}
		}
		in, _ := s.Indicator(name + ".qps")
		out.qps = in.Value
		return out
	}
	healthy := func(name string) (bool, string) {
		x := look(name)
		return x.status.Health == sources.HealthOK && x.qps.Health == sources.HealthOK && x.qps.Value > 0 && x.status.Detail == "",
			fmt.Sprintf("%s: %+v, qps %+v", name, x.status, x.qps)
	}
	// bad says the stream shows health h with a reason holding want, and
	// no value as current
	bad := func(name string, h sources.Health, want string) func() (bool, string) {
		return func() (bool, string) {
			x := look(name)
			return x.status.Health == h && strings.Contains(x.status.Detail, want) && x.qps.Health == h && math.IsNaN(x.qps.Value) &&
					x.qps.Err == x.status.Detail && !strings.ContainsRune(x.status.Detail, 0x1b),
				fmt.Sprintf("%s: %+v, qps %+v", name, x.status, x.qps)
		}
	}
	others := func(t *testing.T) {
		t.Helper()
		for _, name := range []string{"direct", "web"} {
			if ok, saw := healthy(name); !ok {
				t.Errorf("while edge is bad: %s", saw)
			}
		}
	}
	for _, name := range []string{"direct", "edge", "web"} {
		waitFor(t, name+" healthy", func() (bool, string) { return healthy(name) })
	}
	waitFor(t, "hung unreachable", bad("hung", sources.HealthUnreachable, "no answer within 1s"))

	for _, step := range []struct {
		mode, want string
		health     sources.Health
	}{
		{"html", "not VictoriaLogs JSON (an HTML page?)", sources.HealthError},
		{"503", "HTTP 503: too many concurrent requests", sources.HealthError},
		{"empty", "empty answer", sources.HealthError},
		{"hang", "no answer within 1s", sources.HealthUnreachable},
	} {
		px.mode.Store(step.mode)
		waitFor(t, "edge "+step.mode, bad("edge", step.health, step.want))
		others(t)
		px.mode.Store("pass")
		waitFor(t, "edge recovered from "+step.mode, func() (bool, string) { return healthy("edge") })
	}

	vl.Stop(t)
	waitFor(t, "direct unreachable", bad("direct", sources.HealthUnreachable, "connection refused"))
	waitFor(t, "edge behind a proxy whose upstream is down", bad("edge", sources.HealthError, "HTTP 502"))
	if ok, saw := healthy("web"); !ok {
		t.Errorf("the access log stopped with VictoriaLogs: %s", saw)
	}
	vl.Restart(t)
	for _, name := range []string{"direct", "edge"} {
		waitFor(t, name+" recovered", func() (bool, string) { return healthy(name) })
	}
	if ok, saw := bad("hung", sources.HealthUnreachable, "no answer within 1s")(); !ok {
		t.Errorf("the hanging server: %s", saw)
	}
}
