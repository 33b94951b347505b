package prom

// Helpers that run a real Prometheus for the integration tests: a temp
// config and data dir, a loopback port, a 1 s scrape of a target served by
// the test, readiness checks, and cleanup.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"warroom/sources/prom/promtest"
)

const (
	promUser = "warroom"
	promPass = "warroom-test-pw"
	// promPassHash is bcrypt(promPass) at the minimum cost, made with
	// libxcrypt (perl -e 'print crypt("warroom-test-pw", "$2b$04$...")');
	// a low cost keeps Prometheus' per-request check cheap.
	promPassHash = "$2b$04$abcdefghijklmnopqrstuuBMiEpcPuIalHMkGJy73nSJy9C7muokW"

	rate200 = 10.0 // per second, see newTarget
	rate500 = 2.0
)

// newTarget serves counters that grow at exactly rate200 and rate500 per
// second, each sample stamped with the instant its value was computed for
// (Prometheus keeps a target's own timestamps): the rates Prometheus
// computes are exact, however late a loaded machine runs the scrape.
func newTarget() *httptest.Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(steadyCounters{start: time.Now(), desc: prometheus.NewDesc("warroom_test_requests_total",
		"Requests served, growing at a known rate.", []string{"code"}, nil)})
	return httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

type steadyCounters struct {
	start time.Time
	desc  *prometheus.Desc
}

func (c steadyCounters) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c steadyCounters) Collect(ch chan<- prometheus.Metric) {
	at := time.Now().Truncate(time.Millisecond) // the exposition's resolution
	for code, rate := range map[string]float64{"200": rate200, "500": rate500} {
		m := prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, rate*at.Sub(c.start).Seconds(), code)
		ch <- prometheus.NewMetricWithTimestamp(at, m)
	}
}

type promProcess struct {
	bin, dir, addr string
	auth           bool
	target         string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func freePort(t testing.TB) string { return promtest.FreeAddr(t) }

// newPromProcess writes the config files; start runs it. target is the
// host:port to scrape ("" for none); auth turns on basic auth through
// Prometheus' own --web.config.file.
func newPromProcess(t testing.TB, dir, target string, auth bool) *promProcess {
	t.Helper()
	p := &promProcess{bin: promtest.Binary(t), dir: dir, addr: freePort(t), auth: auth, target: target}
	cfg := "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
	if target != "" {
		cfg += fmt.Sprintf("scrape_configs:\n  - job_name: warroom_test\n    static_configs:\n      - targets: [%q]\n", target)
	}
	must(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600))
	web := ""
	if auth {
		web = fmt.Sprintf("basic_auth_users:\n  %s: %s\n", promUser, promPassHash)
	}
	must(t, os.WriteFile(filepath.Join(dir, "web.yml"), []byte(web), 0o600))
	return p
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (p *promProcess) url() string { return "http://" + p.addr }

// start runs Prometheus and waits until it is ready and, when it has a
// target, has scraped it successfully.
func (p *promProcess) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(p.dir, "prometheus.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	must(t, err)
	cmd := exec.Command(p.bin,
		"--config.file="+filepath.Join(p.dir, "prometheus.yml"),
		"--web.config.file="+filepath.Join(p.dir, "web.yml"),
		"--storage.tsdb.path="+filepath.Join(p.dir, "data"),
		"--web.listen-address="+p.addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	if err := p.waitReady(30 * time.Second); err != nil {
		p.stop()
		log, _ := os.ReadFile(filepath.Join(p.dir, "prometheus.log"))
		t.Fatalf("prometheus not ready: %v\n%s", err, log)
	}
}

func (p *promProcess) get(path string, into any) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, p.url()+path, nil)
	if p.auth {
		req.SetBasicAuth(promUser, promPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func (p *promProcess) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("prometheus exited")
		case <-time.After(100 * time.Millisecond):
		}
		code, err := p.get("/-/ready", nil)
		if err != nil || code != http.StatusOK {
			last = fmt.Errorf("/-/ready: %d %v", code, err)
			continue
		}
		if p.target == "" {
			return nil
		}
		var targets struct {
			Data struct {
				ActiveTargets []struct {
					Health string `json:"health"`
				} `json:"activeTargets"`
			} `json:"data"`
		}
		if _, err := p.get("/api/v1/targets", &targets); err != nil {
			last = err
			continue
		}
		if at := targets.Data.ActiveTargets; len(at) == 1 && at[0].Health == "up" {
			return nil
		}
		last = fmt.Errorf("target not up yet: %+v", targets.Data.ActiveTargets)
	}
	return last
}

// stop kills Prometheus and waits for it to exit.
func (p *promProcess) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// shared is one authenticated Prometheus scraping one target, started on
// first use and stopped by TestMain, so most integration tests pay for a
// single startup.
var shared struct {
	once   sync.Once
	prom   *promProcess
	target *httptest.Server
	dir    string
	err    string
}

func sharedProm(t *testing.T) *promProcess {
	t.Helper()
	promtest.Binary(t)
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "warroom-prom-")
		if err != nil {
			shared.err = err.Error()
			return
		}
		shared.dir = dir
		shared.target = newTarget()
		p := newPromProcess(t, dir, shared.target.Listener.Addr().String(), true)
		p.start(t)
		shared.prom = p
	})
	if shared.prom == nil {
		t.Fatalf("shared prometheus failed to start earlier %s", shared.err)
	}
	return shared.prom
}

func stopShared() {
	if shared.prom != nil {
		shared.prom.stop()
	}
	if shared.target != nil {
		shared.target.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopShared()
	os.Exit(code)
}
