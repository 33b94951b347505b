// Package promtest finds the Prometheus binary for tests that start a
// real server on loopback.
package promtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Binary returns the Prometheus binary (Debian: /usr/bin/prometheus). When
// it is not installed the test is skipped, or fails when
// WARROOM_REQUIRE_INTEGRATION=1 (as .ci/run sets it).
func Binary(t testing.TB) string {
	t.Helper()
	return need(t, "prometheus", "/usr/bin/prometheus", "prometheus")
}

// need finds a Debian package's program among where (absolute paths or
// names on PATH); when it is missing the test is skipped, or fails with
// WARROOM_REQUIRE_INTEGRATION=1 (as .ci/run sets it).
func need(t testing.TB, pkg string, where ...string) string {
	t.Helper()
	for _, p := range where {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatalf("%s not installed (apt-get install %s); WARROOM_REQUIRE_INTEGRATION=1 requires it", pkg, pkg)
	}
	t.Skipf("%s not installed (apt-get install %s); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure", pkg, pkg)
	return ""
}

// Start runs a real Prometheus on a free loopback port with the given
// prometheus.yml and its own data directory, and returns its URL once it
// is ready; it is killed when the test ends.
func Start(t testing.TB, config string) string {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	addr := FreeAddr(t)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "http://"+addr+"/-/ready", bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	return "http://" + addr
}

// run starts bin with args, its output in dir/out.log, kills it when the
// test ends, and waits until ready answers 200. kill ends it sooner, and
// returns once it has exited.
func run(t testing.TB, dir, ready, bin string, args ...string) (kill func()) {
	t.Helper()
	logPath := filepath.Join(dir, "out.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	kill = func() { cmd.Process.Kill(); <-done }
	t.Cleanup(kill)
	WaitHTTP(t, ready, done, logPath)
	return kill
}

// FreeAddr is a loopback address with a port free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitHTTP waits until url answers 200, failing with the log at logPath
// when the process ends first (done closed) or after 30 seconds.
func WaitHTTP(t testing.TB, url string, done <-chan struct{}, logPath string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s: the process exited:\n%s", url, log)
		case <-deadline:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s not ready after 30s:\n%s", url, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Mtail returns the mtail binary (Debian: /usr/bin/mtail), skipping or
// failing like Binary when it is missing.
func Mtail(t testing.TB) string {
	t.Helper()
	return need(t, "mtail", "mtail")
}

// StartMtail runs mtail on a free loopback port with one program (its
// text) over the log at logPath, and returns its host:port once it
// serves /metrics.
func StartMtail(t testing.TB, program, logPath string) string {
	t.Helper()
	return StartMtailProcess(t, program, logPath).Addr
}

// MtailProcess is a running mtail.
type MtailProcess struct {
	Addr string // host:port it serves /metrics on
	// Kill ends it (as a crash would: no goodbye to Prometheus) and
	// returns once it has exited.
	Kill func()
}

// StartMtailProcess is StartMtail, with a way to kill the mtail before
// the test ends.
func StartMtailProcess(t testing.TB, program, logPath string) MtailProcess {
	t.Helper()
	bin := Mtail(t)
	dir := t.TempDir()
	progs := filepath.Join(dir, "progs")
	if err := os.MkdirAll(progs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(progs, "nginx.mtail"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := FreeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	kill := run(t, dir, "http://"+addr+"/metrics", bin, "-progs", progs, "-logs", logPath, "-address", host, "-port", port, "-logtostderr")
	return MtailProcess{Addr: addr, Kill: kill}
}

// Nginx returns the nginx binary (Debian: /usr/sbin/nginx), skipping or
// failing like Binary when it is missing.
func Nginx(t testing.TB) string {
	t.Helper()
	return need(t, "nginx", "nginx", "/usr/sbin/nginx")
}

// ServeFiles runs a real nginx on a free loopback port, with its own
// prefix and config, serving the files under root as text/plain (as an
// exporter answers /metrics), and returns its host:port once it answers.
// Write a file anew with os.Rename, so a scrape never reads half of it.
func ServeFiles(t testing.TB, root string) string {
	t.Helper()
	bin := Nginx(t)
	prefix := t.TempDir()
	for _, d := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers read root's temp dirs
	}
	addr := FreeAddr(t)
	var temps string
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		temps += fmt.Sprintf("%s_temp_path %s/tmp/%s; ", k, prefix, k)
	}
	conf := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
  %[3]s
  server {
    listen %[4]s;
    root %[5]s;
  }
}
`, user, prefix, temps, addr, root)
	path := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "ready"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(prefix, "out.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", path)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		// nginx's master stops its workers on SIGINT; killed, it would
		// leave them serving
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	WaitHTTP(t, "http://"+addr+"/ready", done, logPath)
	return addr
}

// StartVictoriaMetrics runs a real single-node VictoriaMetrics (Debian's
// victoria-metrics) on a free loopback port, scraping as the given
// prometheus.yml's scrape_configs say, with its own data directory, and
// returns its URL once it is ready: it answers Prometheus's query API, so
// the same queries can be asked of it.
func StartVictoriaMetrics(t testing.TB, config string) string {
	t.Helper()
	bin := need(t, "victoria-metrics", "/usr/bin/victoria-metrics", "victoria-metrics")
	dir := t.TempDir()
	addr := FreeAddr(t)
	if err := os.WriteFile(filepath.Join(dir, "scrape.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "http://"+addr+"/health", bin, "-promscrape.config="+filepath.Join(dir, "scrape.yml"),
		"-storageDataPath="+filepath.Join(dir, "data"), "-httpListenAddr="+addr, "-loggerLevel=ERROR",
		"-search.latencyOffset=0s",             // answer about the last seconds at once, as Prometheus does
		"-promscrape.config.strictParse=false") // a prometheus.yml has more than scrape settings
	return "http://" + addr
}
