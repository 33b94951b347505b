package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"warroom/sources/vlogs/vltest"
)

// vlNight is a night shipped to VictoriaLogs two hours ago: four hosts
// at 5 requests a second each from ten minutes before the stage end to
// twenty after; web-3 gives up on 10 more a second (499s) from a minute
// after the end for two minutes; the API loses its DB eight minutes
// after the end (an ECONNRESET every 5 s for a minute). The same access
// lines are written to a file in nginx's combined format plus request
// time, so a replay can run on the file's clock.
type vlNight struct {
	vl       *vltest.Server
	end      time.Time // the stage end
	from, to time.Time // the traffic's
	hang     time.Time // web-3's 499s start
	lost     time.Time // the DB's errors start
	access   string    // the file
}

func shipNight(t *testing.T, dir string) *vlNight {
	t.Helper()
	n := &vlNight{vl: vltest.Start(t), end: time.Now().Truncate(time.Minute).Add(-2 * time.Hour)}
	n.from, n.to = n.end.Add(-10*time.Minute), n.end.Add(20*time.Minute)
	n.hang, n.lost = n.end.Add(time.Minute), n.end.Add(8*time.Minute)
	var lines []vltest.Line
	var file strings.Builder
	req := func(at time.Time, host, client, status, rt string) {
		lines = append(lines, vltest.Line{Time: at, Msg: "GET /rank", Fields: map[string]string{"app": "nginx", "host": host,
			"status": status, "request_time": rt, "path": "/rank", "remote_addr": client}})
		fmt.Fprintf(&file, "%s - - [%s] \"GET /rank HTTP/1.1\" %s 10 \"-\" \"ua\" %s\n", client, at.Format("02/Jan/2006:15:04:05 -0700"), status, rt)
	}
	for at := n.from; at.Before(n.to); at = at.Add(time.Second) {
		for h := range 4 {
			for j := range 5 {
				req(at.Add(time.Duration(j)*100*time.Millisecond), fmt.Sprintf("web-%d", h), fmt.Sprintf("10.0.%d.%d", h, j), "200", "0.050")
			}
		}
		if !at.Before(n.hang) && at.Before(n.hang.Add(2*time.Minute)) {
			for j := range 10 {
				req(at.Add(time.Duration(j)*50*time.Millisecond), "web-3", fmt.Sprintf("10.9.0.%d", j), "499", "9.000")
			}
		}
	}
	for i := range 12 {
		lines = append(lines, vltest.Line{Time: n.lost.Add(time.Duration(i) * 5 * time.Second), Msg: "SequelizeDatabaseError: read ECONNRESET",
			Fields: map[string]string{"app": "api", "host": "api-2"}})
	}
	n.vl.Insert(t, "*", lines)
	n.access = filepath.Join(dir, "access.log")
	must(t, os.WriteFile(n.access, []byte(file.String()), 0o644))
	return n
}

// fifth is the DB's fifth error: the built-in rule wants five in a
// minute.
func (n *vlNight) fifth() time.Time { return n.lost.Add(20 * time.Second) }

// config writes a config reading the night: the fleet's access stream
// from VictoriaLogs unless files, then the access log file instead; the
// API's app stream always.
func (n *vlNight) config(t *testing.T, dir string, files bool) string {
	t.Helper()
	access := `    - {name: fleet, filter: "app:=nginx"}
`
	logs := ""
	if files {
		access = ""
		logs = fmt.Sprintf("access_logs:\n  - {name: nginx, paths: [%q], format: \"$remote_addr - $remote_user [$time_local] \\\"$request\\\" $status $body_bytes_sent \\\"$http_referer\\\" \\\"$http_user_agent\\\" $request_time\"}\n", n.access)
	}
	path := filepath.Join(dir, fmt.Sprintf("vl-%v.yml", files))
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`%svictorialogs:
  servers: [{name: vl, url: %q, timeout: 60s}]   # a loaded machine answers late, not wrong
  streams:
%s    - {name: api, kind: app, filter: "app:=api"}
schedule:
  event: Shipped night
  time_zone: Asia/Shanghai
  stages:
    - {name: Final, end: %q}
`, logs, n.vl.URL, access, n.end.In(shanghai).Format("2006-01-02 15:04"))), 0o644))
	return path
}

// firstRaised is when each indicator first left ok in watch's lines.
func firstRaised(t *testing.T, out string) map[string]time.Time {
	t.Helper()
	got := map[string]time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		tr := parseTransitionLine(t, line)
		if _, seen := got[tr.Indicator]; !seen && tr.To != "ok" {
			got[tr.Indicator] = tr.instant
		}
	}
	return got
}

// A replay asks VictoriaLogs about the night at the night's instants: a
// config that reads only VictoriaLogs replays --from to --to, and the
// 499s and the DB errors are raised at the night's instants, in watch
// --replay and on the replay screen alike; a config that reads the
// access log from a file replays on the file's clock, and the app
// stream's DB errors come at their instant. A range VictoriaLogs holds
// no line of is said, and a config of engines alone with no range is
// refused.
func TestReplayAsksVictoriaLogsAboutTheNight(t *testing.T) {
	dir := t.TempDir()
	n := shipNight(t, dir)
	in := func(at time.Time) string { return at.In(shanghai).Format("2006-01-02 15:04:05") }
	raisedIn := func(what string, got map[string]time.Time, ind string, at time.Time) {
		t.Helper()
		r, ok := got[ind]
		if !ok {
			t.Errorf("%s: %s never raised (raised: %v)", what, ind, got)
			return
		}
		if d := r.Sub(at); d < 0 || d > 15*time.Second {
			t.Errorf("%s: %s raised at %s, want within 15 s after %s", what, ind, in(r), in(at))
		}
	}

	// the engines' config reads VictoriaLogs through a proxy that can
	// answer 503s, as a server going away mid-replay would
	var down atomic.Bool
	target, _ := url.Parse(n.vl.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{DisableKeepAlives: true} // no idle connection for VictoriaLogs to close under it
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	direct := n.vl.URL
	n.vl.URL = proxy.URL
	engines := n.config(t, dir, false)
	n.vl.URL = direct
	args := []string{"watch", "-c", engines, "--replay", "--from", in(n.end.Add(-5 * time.Minute)), "--to", in(n.end.Add(12 * time.Minute))}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errb.String())
	}
	want := out.String()
	got := firstRaised(t, want)
	raisedIn("engines alone", got, "fleet.499_rate", n.hang)
	raisedIn("engines alone", got, "api.db", n.fifth())
	if _, ok := got["fleet.qps"]; ok {
		t.Errorf("engines alone: fleet.qps raised, on a steady 20/s:\n%s", want)
	}

	r := startReplay(t, engines, replayOptions{speed: 60, rangeFrom: n.end.Add(-5 * time.Minute), rangeTo: n.end.Add(12 * time.Minute)})
	// VictoriaLogs goes away as the replay starts: it holds, paused,
	// saying why, and judges nothing on it; back, it plays on to the same
	// end
	down.Store(true)
	s := r.frames(10, 100*time.Millisecond)
	if s.Replay == nil || !s.Replay.Paused || !strings.Contains(s.Replay.Note, "VictoriaLogs stream ") ||
		!strings.Contains(s.Replay.Note, "HTTP 503: down for maintenance") || !strings.Contains(s.Replay.Note, "space tries again") {
		t.Fatalf("with VictoriaLogs down: at %v, %+v", s.At, s.Replay)
	}
	held := s.At
	s = r.frames(20, 100*time.Millisecond)
	if !s.At.Equal(held) || r.outs[0].Len() != 0 {
		t.Errorf("with VictoriaLogs down the clock moved from %v to %v, and fired %q", held, s.At, r.outs[0].String())
	}
	down.Store(false)
	r.p.TogglePause()
	s = r.frames(10, 100*time.Millisecond)
	if !s.At.After(held) {
		t.Fatalf("back, the replay stays at %v: %+v", s.At, s.Replay)
	}
	// g past the range's end: said at once, and it goes to the end
	r.p.Seek(n.end.Add(time.Hour))
	s = r.p.Snapshot()
	if to := n.end.Add(12 * time.Minute); !strings.HasPrefix(s.Replay.Note, "the range ends ") || !s.Replay.Seeking.Equal(to) {
		t.Errorf("g past the range's end: %+v", s.Replay)
	}
	for i := 0; i < 1000 && !s.Replay.Seeking.IsZero(); i++ {
		s = r.frames(1, 100*time.Millisecond)
	}
	r.p.TogglePause() // paused where it went: play the last seconds
	r.toEnd()
	if got := r.outs[0].String(); got != want {
		t.Errorf("the replay screen fired\n%s\nwatch --replay printed\n%s", got, want)
	}

	files := n.config(t, dir, true)
	out.Reset()
	errb.Reset()
	if code := run([]string{"watch", "-c", files, "--replay"}, &out, &errb); code != exitOK {
		t.Fatalf("watch --replay of the file: exit %d: %s", code, errb.String())
	}
	got = firstRaised(t, out.String())
	raisedIn("on the file's clock", got, "nginx.499_rate", n.hang)
	raisedIn("on the file's clock", got, "api.db", n.fifth())

	// a range before the night: said, and nothing raised but the
	// absence of lines
	out.Reset()
	errb.Reset()
	early := []string{"watch", "-c", engines, "--replay", "--from", in(n.from.Add(-30 * time.Minute)), "--to", "+2m"}
	if code := run(early, &out, &errb); code != exitOK || !strings.Contains(errb.String(), "stream fleet holds no line from") {
		t.Errorf("%v: exit %d, stderr %q", early, code, errb.String())
	}
	for ind := range firstRaised(t, out.String()) {
		if ind == "fleet.499_rate" || ind == "api.db" {
			t.Errorf("a range with no line raised %s:\n%s", ind, out.String())
		}
	}

	errb.Reset()
	if code := run([]string{"replay", "-c", engines}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "give --from TIME") {
		t.Errorf("engines alone without a range: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"replay", "-c", files, "--to", "+1h"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--to is for a config that reads no log file") {
		t.Errorf("--to with files: exit %d, %q", code, errb.String())
	}
}
