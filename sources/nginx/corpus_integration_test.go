package nginx_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRealNginxCorpus has a real nginx write every corpus statement (one
// server and access log per entry) for the same fixed traffic, then
// checks what warroom reads from each log against what the test sent
// and against an independent reading of the log (corpus_check_test.go).
func TestRealNginxCorpus(t *testing.T) {
	bin := findNginx(t)
	entries := loadCorpus(t)
	up := startCorpusUpstreams(t)
	prefix := nginxPrefix(t)
	writeCorpusSite(t, prefix)
	all := freePorts(t, len(entries)+1)
	probe, ports := all[0], all[1:]
	launchNginx(t, bin, prefix, corpusConf(prefix, up, probe, entries, ports),
		fmt.Sprintf("http://127.0.0.1:%d/static/index.html", probe))

	etag, lastMod := corpusValidators(t, probe)
	plan := corpusPlan(etag, lastMod)
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := "127.0.0.1:" + strconv.Itoa(ports[i])
			for j, q := range plan {
				got, err := q.send(addr, fmt.Sprintf("%s-%d", e.name, j), up)
				if err != nil || got != q.want {
					t.Errorf("%s: %s %q: got %d (%v), want %d", e.name, q.method, q.path, got, err, q.want)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow() // the logs would not hold what the checks expect
	}

	for i, e := range entries {
		log := corpusLogPath(prefix, i)
		data := waitForLines(t, log, len(plan))
		t.Run(e.name, func(t *testing.T) {
			checkCorpusLog(t, e, data, plan)
			// nginx wrote every line before the checks: nothing may follow
			if again, _ := os.ReadFile(log); len(nonEmptyLines(again)) != len(plan) {
				t.Errorf("%s: %d lines after the checks, want %d", log, len(nonEmptyLines(again)), len(plan))
			}
		})
	}
}

func corpusLogPath(prefix string, i int) string {
	return filepath.Join(prefix, "logs", fmt.Sprintf("e%02d.log", i+1))
}

// waitForLines polls log until it holds want lines (nginx writes a line
// when the request ends, a 499 when it notices the client left) or a
// generous deadline passes, and returns its content.
func waitForLines(t *testing.T, log string, want int) []byte {
	deadline := time.Now().Add(60 * time.Second)
	for {
		data, err := os.ReadFile(log)
		if err == nil && len(nonEmptyLines(data)) >= want || time.Now().After(deadline) {
			return data
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeCorpusSite writes the static pages: names with a space and UTF-8
// make $uri (decoded) differ from $request_uri.
func writeCorpusSite(t *testing.T, prefix string) {
	dir := filepath.Join(prefix, "html", "static")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"index.html", "a b.html", "caf\u00e9.html", "r\u00e9sum\u00e9.html"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("page\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	locations := fmt.Sprintf(`root %s/html;
location / { }
location = /nocontent { return 204; }
location = /moved { return 301 /static/index.html; }
location = /unavailable { return 503; }
location /api/ { proxy_pass http://app; }
location /timeout/ { proxy_pass http://app; proxy_read_timeout 1s; }
location /down/ { proxy_pass http://dead; }
location /retry/ { proxy_pass http://retry; }
location /accel/ { proxy_pass http://app; }
location /internal/ { internal; proxy_pass http://second; }
location /fallback/ { proxy_pass http://app; proxy_intercept_errors on; error_page 500 = @second; }
location /both/ { proxy_pass http://retry; proxy_intercept_errors on; error_page 500 = @second; }
location @second { proxy_pass http://second; }
`, prefix)
	if err := os.WriteFile(filepath.Join(prefix, "locations.conf"), []byte(locations), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpusConf is the test nginx's config: the upstreams (max_fails=0 so a
// dead server is tried every time, never skipped), what the statements'
// own variables need, every statement under its own name, a probe server
// that logs nothing, and one server with one access log per entry.
func corpusConf(prefix string, up corpusUpstreams, probe int, entries []*corpusEntry, ports []int) string {
	var b strings.Builder
	b.WriteString(nginxMain(prefix))
	fmt.Fprintf(&b, "\nhttp {\n  default_type text/plain;\n  %s\n", nginxTempPaths(prefix))
	fmt.Fprintf(&b, "  upstream app { server %s max_fails=0; }\n", up.app)
	fmt.Fprintf(&b, "  upstream second { server %s max_fails=0; }\n", up.second)
	fmt.Fprintf(&b, "  upstream dead { server %s max_fails=0; }\n", up.dead)
	fmt.Fprintf(&b, "  upstream retry { server %s max_fails=0; server %s backup; }\n", up.dead, up.app)
	seen := map[string]bool{}
	for _, e := range entries {
		for _, h := range e.http {
			if !seen[h] {
				b.WriteString("  " + h + "\n")
				seen[h] = true
			}
		}
	}
	for i, e := range entries {
		// nginx predefines combined and refuses a second definition
		if statementName(e.statement) != "combined" {
			b.WriteString(renameStatement(e.statement, corpusFormatName(i)) + "\n")
		}
	}
	fmt.Fprintf(&b, "  server { listen 127.0.0.1:%d; access_log off; root %s/html; }\n", probe, prefix)
	for i, e := range entries {
		format := corpusFormatName(i)
		if statementName(e.statement) == "combined" {
			format = "combined"
		}
		fmt.Fprintf(&b, "  server {\n    listen 127.0.0.1:%d;\n    server_name localhost;\n    access_log %s %s;\n", ports[i], corpusLogPath(prefix, i), format)
		for _, s := range e.server {
			b.WriteString("    " + s + "\n")
		}
		fmt.Fprintf(&b, "    include %s/locations.conf;\n  }\n", prefix)
	}
	b.WriteString("}\n")
	return b.String()
}

func corpusFormatName(i int) string { return fmt.Sprintf("e%02d", i+1) }

// renameStatement gives a statement another name (several public ones
// are all called main, and nginx wants names unique); the name is not
// part of what nginx writes.
func renameStatement(stmt, name string) string {
	i := strings.Index(stmt, "log_format") + len("log_format")
	for i < len(stmt) && strings.ContainsRune(" \t\r\n", rune(stmt[i])) {
		i++
	}
	j := i
	for j < len(stmt) && !strings.ContainsRune(" \t\r\n", rune(stmt[j])) {
		j++
	}
	return stmt[:i] + name + stmt[j:]
}

// corpusValidators reads the static page's ETag and Last-Modified from
// the probe server, which logs nothing.
func corpusValidators(t *testing.T, probe int) (etag, lastMod string) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/static/index.html", probe))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag, lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("static page without validators: %v", resp.Header)
	}
	return etag, lastMod
}
