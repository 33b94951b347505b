package nginx_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources/nginx"
)

// realNginx is an nginx started by the test on a loopback port with its own
// prefix, config and logs; it never touches the system's nginx.
type realNginx struct {
	bin, conf, prefix, log string
	buffered               string // the same lines, written with buffer=32k flush=2s
	port                   int
}

func findNginx(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal("nginx not found and WARROOM_REQUIRE_INTEGRATION=1 (apt-get install nginx)")
	}
	t.Skip("nginx not installed (apt-get install nginx); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	return freePorts(t, 1)[0]
}

// freePorts finds n distinct free loopback ports: each is held until all
// are found, or the kernel may hand the same one out twice (two server
// blocks on one port, one log getting both servers' lines).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

func startNginx(t *testing.T, upstream, deadUpstream string) *realNginx {
	t.Helper()
	n := &realNginx{bin: findNginx(t), prefix: nginxPrefix(t), port: freePort(t)}
	os.WriteFile(filepath.Join(n.prefix, "html", "index.html"), []byte("ok\n"), 0o644)
	n.log = filepath.Join(n.prefix, "logs", "access.log")
	n.buffered = filepath.Join(n.prefix, "logs", "buffered.log")
	conf := fmt.Sprintf(`%s
http {
  log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                  '$status $body_bytes_sent "$http_referer" '
                  '"$http_user_agent" $request_time $upstream_response_time';
  access_log %[2]s/logs/access.log main;
  access_log %[2]s/logs/buffered.log main buffer=32k flush=2s;
  %[3]s
  server {
    listen 127.0.0.1:%[4]d;
    root %[2]s/html;
    location /api/ { proxy_pass http://%[5]s; proxy_read_timeout 10s; }
    location /down/ { proxy_pass http://%[6]s; }
  }
}
`, nginxMain(n.prefix), n.prefix, nginxTempPaths(n.prefix), n.port, upstream, deadUpstream)
	n.conf = launchNginx(t, n.bin, n.prefix, conf, n.url("/index.html"))
	return n
}

// nginxPrefix is a fresh prefix with the directories nginx writes to.
func nginxPrefix(t *testing.T) string {
	prefix := t.TempDir()
	for _, d := range []string{"logs", "html", "tmp"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return prefix
}

// nginxMain is the main context of a test nginx: foreground, one worker,
// pid and error log under prefix (as root, workers run as root so they
// can write there).
func nginxMain(prefix string) string {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	return fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/logs/error.log info;
events { worker_connections 1024; }`, user, prefix)
}

// nginxTempPaths keeps every temporary file of nginx under prefix.
func nginxTempPaths(prefix string) string {
	var b strings.Builder
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "%s_temp_path %s/tmp/%s; ", k, prefix, k)
	}
	return b.String()
}

// launchNginx writes conf under prefix, checks it with nginx -t, starts
// nginx, stops it when the test ends and returns once readyURL answers.
func launchNginx(t *testing.T, bin, prefix, conf, readyURL string) string {
	t.Helper()
	path := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", prefix, "-c", path).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(readyURL)
		if err == nil {
			resp.Body.Close()
			return path
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (n *realNginx) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(n.port) + path
}

// TestRealNginxCountsThroughRotation sends known traffic through a real
// nginx — 200s from disk and from an upstream, 404s, 502s from a stopped
// upstream, slow answers, and real 499s from clients that give up — rotates
// the access log mid-run with a rename and `nginx -s reopen`, and checks
// that the live source counts exactly what was sent.
func TestRealNginxCountsThroughRotation(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ms, err := strconv.Atoi(r.URL.Query().Get("sleep")); err == nil {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		w.Write([]byte("answer\n"))
	}))
	defer up.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadAddr := dead.Listener.Addr().String()
	dead.Close() // stopped upstream: connection refused → 502

	n := startNginx(t, up.Listener.Addr().String(), deadAddr)

	cfg := nginx.DefaultSourceConfig
	cfg.Name, cfg.Paths, cfg.Start = "web", []string{n.log}, "beginning"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	src, err := nginx.NewSource(cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- src.Run(ctx) }()
	// the same traffic through `access_log ... buffer=32k flush=2s`: lines
	// arrive seconds late and in bursts, and must count the same
	bcfg := cfg
	bcfg.Name, bcfg.Paths = "buffered", []string{n.buffered}
	bsrc, err := nginx.NewSource(bcfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	go bsrc.Run(ctx)

	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) int {
		resp, err := client.Get(n.url(path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	sent := map[int]int{200: 1} // startNginx's readiness probe
	send := func(path string, want, times int) {
		for i := 0; i < times; i++ {
			if got := get(path); got != want {
				t.Fatalf("GET %s = %d, want %d", path, got, want)
			}
			sent[want]++
		}
	}
	giveUp := func(times int) {
		var wg sync.WaitGroup
		for i := 0; i < times; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{Timeout: 300 * time.Millisecond}
				if resp, err := c.Get(n.url("/api/slow?sleep=3000")); err == nil {
					resp.Body.Close()
					t.Error("a request meant to be abandoned got an answer")
				}
			}()
		}
		wg.Wait()
		sent[499] += times
	}

	send("/index.html", 200, 30)
	send("/api/rank?page=1", 200, 20)
	send("/nope.html", 404, 7)
	send("/down/x", 502, 5)
	giveUp(4)
	send("/api/slow?sleep=1100", 200, 2) // slow but answered
	slowSent := 2

	// rotate the way logrotate + nginx do it
	if err := os.Rename(n.log, n.log+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(n.buffered, n.buffered+".1"); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(n.bin, "-p", n.prefix, "-c", n.conf, "-s", "reopen").CombinedOutput(); err != nil {
		t.Fatalf("nginx -s reopen: %v\n%s", err, out)
	}
	send("/index.html", 200, 15)
	send("/nope.html", 404, 3)
	send("/down/y", 502, 2)
	giveUp(3)

	total := 0
	for _, v := range sent {
		total += v
	}
	// nginx writes a 499 when it notices the client left; wait for every line
	deadline := time.Now().Add(30 * time.Second)
	var b nginx.Bucket
	var codes map[int]uint64
	for {
		b, codes, _ = src.Aggregator().Counts()
		if int(b.Requests) >= total || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything extra would show up now
	b, codes, bad := src.Aggregator().Counts()
	if int(b.Requests) != total || bad != 0 {
		t.Fatalf("counted %d requests (%d malformed), sent %d: %v", b.Requests, bad, total, codes)
	}
	for code, want := range sent {
		if int(codes[code]) != want {
			t.Errorf("status %d: counted %d, sent %d", code, codes[code], want)
		}
	}
	if len(codes) != len(sent) {
		t.Errorf("unexpected codes: %v (sent %v)", codes, sent)
	}
	if int(b.Slow) != slowSent {
		t.Errorf("slow %d, want %d", b.Slow, slowSent)
	}
	// static files and 404s are answered by nginx itself: upstream time "-"
	if want := 1 + 30 + 15 + sent[404]; int(b.NoUpstream) != want {
		t.Errorf("no-upstream %d, want %d", b.NoUpstream, want)
	}
	rotations := int64(0)
	for _, st := range src.Status() {
		rotations += st.Rotations
		if st.Err != "" {
			t.Errorf("source error: %s", st.Err)
		}
	}
	if rotations < 1 {
		t.Errorf("rotation not noticed: %+v", src.Status())
	}
	// the buffered log: everything arrives after at most flush=2s (and at
	// the reopen); same counts, nothing lost across the rotation
	deadline = time.Now().Add(30 * time.Second)
	for {
		if bb, _, _ := bsrc.Aggregator().Counts(); int(bb.Requests) >= total || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	bb, bcodes, bbad := bsrc.Aggregator().Counts()
	if int(bb.Requests) != total || bbad != 0 || bb.Slow != b.Slow {
		t.Errorf("buffered log: counted %d requests (%d malformed, %d slow), sent %d: %v", bb.Requests, bbad, bb.Slow, total, bcodes)
	}
	for code, want := range sent {
		if int(bcodes[code]) != want {
			t.Errorf("buffered log: status %d: counted %d, sent %d", code, bcodes[code], want)
		}
	}

	s := src.Aggregator().Summary(3)
	if !strings.HasPrefix(s.TopPaths[0].Key, "/index.html") || s.TopPaths[0].Count != 46 {
		t.Errorf("top path %+v", s.TopPaths)
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
