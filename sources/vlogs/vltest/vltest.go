// Package vltest starts a real VictoriaLogs for tests, on a loopback port
// with its own temporary data directory, and feeds it lines.
package vltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Version is the VictoriaLogs the tests are written against (.ci/run
// installs it).
const Version = "v1.52.1"

const install = "GOBIN=$(go env GOPATH)/bin go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@" + Version

// Binary finds victoria-logs: $WARROOM_VICTORIA_LOGS, then PATH, then
// `go env GOPATH`/bin (where go install puts it). When it is missing the
// test is skipped, or fails when WARROOM_REQUIRE_INTEGRATION=1 (as
// .ci/run sets it).
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WARROOM_VICTORIA_LOGS"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		t.Fatalf("WARROOM_VICTORIA_LOGS=%s: no such file", p)
	}
	if p, err := exec.LookPath("victoria-logs"); err == nil {
		return p
	}
	for _, dir := range gopaths() {
		p := filepath.Join(dir, "bin", "victoria-logs")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal("victoria-logs not found on PATH or in $(go env GOPATH)/bin (" + install + "); WARROOM_REQUIRE_INTEGRATION=1 requires it")
	}
	t.Skip("victoria-logs not installed (" + install + "); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure")
	return ""
}

// gopaths are the GOPATH entries: `go env GOPATH` when go runs, else the
// default go/build computes from the environment.
func gopaths() []string {
	gp := build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		gp = strings.TrimSpace(string(out))
	}
	return filepath.SplitList(gp)
}

// Server is a running VictoriaLogs.
type Server struct {
	URL  string // http://127.0.0.1:port
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
	out  *bytes.Buffer
	// storage is a front node's storage nodes (host:port, comma
	// separated); "" for a single node
	storage string
}

// Start starts a VictoriaLogs with its own data directory and waits until
// it answers; it is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, bin: Binary(t), dir: t.TempDir(), addr: addr}
	s.Restart(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop kills the server (its data stays for Restart).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// StartCluster starts VictoriaLogs in cluster mode — two storage nodes
// and a front node (the same binary, started with -storageNode) that
// takes inserts and answers queries for both — and returns the front.
func StartCluster(t testing.TB) *Server {
	t.Helper()
	var nodes []string
	for range 2 {
		nodes = append(nodes, Start(t).addr)
	}
	s := &Server{bin: Binary(t), dir: t.TempDir(), addr: freeAddr(t), storage: strings.Join(nodes, ",")}
	s.URL = "http://" + s.addr
	s.Restart(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Restart starts the server again on its address and data, and waits
// until it answers.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.out = &bytes.Buffer{}
	args := []string{"-httpListenAddr=" + s.addr, "-storageDataPath=" + filepath.Join(s.dir, "data"),
		"-loggerLevel=ERROR", "-retentionPeriod=100y"}
	if s.storage != "" {
		args = append(args, "-storageNode="+s.storage)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-deadline:
			t.Fatalf("victoria-logs did not answer on %s within 60s: %v\n%s", s.addr, err, s.out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Line is one log line: its time, message and fields.
type Line struct {
	Time   time.Time
	Msg    string
	Fields map[string]string
}

// Insert sends lines with host and app as stream fields, and waits until
// VictoriaLogs counts them all under filter (lines are searchable a
// moment after they are taken).
func (s *Server) Insert(t testing.TB, filter string, lines []Line) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	var from, to time.Time
	for _, l := range lines {
		m := map[string]string{"_time": strconv.FormatFloat(float64(l.Time.UnixNano())/1e9, 'f', 9, 64), "_msg": l.Msg}
		for k, v := range l.Fields {
			m[k] = v
		}
		enc.Encode(m)
		if from.IsZero() || l.Time.Before(from) {
			from = l.Time
		}
		if l.Time.After(to) {
			to = l.Time
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/insert/jsonline?_stream_fields=host,app", &b)
	req.Header.Set("Content-Type", "application/stream+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("insert: %s: %s", resp.Status, body)
	}
	if len(lines) == 0 {
		return
	}
	deadline := time.After(60 * time.Second)
	for {
		n, err := s.Count(filter, from, to.Add(time.Second))
		if err == nil && n >= len(lines) {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("VictoriaLogs counts %d of %d lines inserted (%v)", n, len(lines), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Count is how many lines filter selects in [from, to).
func (s *Server) Count(filter string, from, to time.Time) (int, error) {
	form := url.Values{"query": {"(" + filter + ") | stats count() as n"}, "start": {strconv.FormatInt(from.Unix(), 10)},
		"end": {strconv.FormatInt(to.Unix()+1, 10)}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/select/logsql/query", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var row struct {
		N string `json:"n"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&row); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return strconv.Atoi(row.N)
}
