package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/ui"
)

// receiver is a real webhook endpoint on loopback that answers 400 until
// told to accept, and keeps every body it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	accept bool
	bodies []string
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies = append(r.bodies, string(b))
		if !r.accept {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"code":0,"msg":"success"}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setAccept(ok bool) { r.mu.Lock(); r.accept = ok; r.mu.Unlock() }

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hookConfig reads one access log whose silence after absent is crit (and
// the 499 rate's after twice as long), told to one webhook of kind at url.
func hookConfig(t *testing.T, dir, access, absent, kind, url string) string {
	t.Helper()
	d, err := time.ParseDuration(absent)
	must(t, err)
	path := filepath.Join(dir, "warroom.yml")
	must(t, os.WriteFile(path, []byte(fmt.Sprintf(`access_logs:
  - {name: nginx, paths: [%q], format: timed}
rules:
  - {indicator: nginx.qps, absent: %s}
  - {indicator: nginx.499_rate, absent: %s}
notify:
  webhooks:
    - {name: oncall, kind: %s, url: %q, group_wait: 0s, min_interval: 0s}
`, access, absent, model.Duration(2*d), kind, url)), 0o644))
	return path
}

// The status bar shows a webhook that fails (✖ oncall: HTTP 400) like a
// failing source, and the next message it delivers clears it: the
// collector, the notifier, a real receiver and the screen's own frame.
func TestStatusBarShowsFailingWebhook(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, nil, 0o644))
	hook := newReceiver(t)
	cfgPath := hookConfig(t, dir, access, "1s", "feishu", hook.URL+"/open-apis/bot/v2/hook/t0ken")
	cfg, err := loadConfig(cfgPath)
	must(t, err)
	clock := collect.NewSteppedClock(stageEnd)
	o, _, err := cfg.collectOptions(clock.Now, "")
	must(t, err)
	sinks, d, err := outputs(cfg.TimelineFile, cfg.Notify, nil, nil)
	must(t, err)
	o.Sinks = sinks
	c, err := collect.New(o)
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	statusBar := func() string {
		c.SetView(sources.View{Points: 80})
		frame := ui.Frame(c.Snapshot(), 80, 24, ui.Options{NoColor: true, Window: 15 * time.Minute})
		lines := strings.Split(frame, "\n")
		return lines[len(lines)-1]
	}
	tick := func(d time.Duration) { clock.Set(stageEnd.Add(d)); c.Tick(stageEnd.Add(d)) }
	tick(0)
	tick(time.Second) // qps absent: crit, paged, refused with 400
	eventually(t, "the failure in the status bar", func() bool { return strings.Contains(statusBar(), "✖ oncall: HTTP 400") })
	if bar := statusBar(); strings.Contains(bar, "t0ken") {
		t.Errorf("the URL's token in the status bar: %q", bar)
	}
	hook.setAccept(true)
	tick(2 * time.Second) // 499_rate absent: crit, paged, delivered
	eventually(t, "the status bar cleared", func() bool { return !strings.Contains(statusBar(), "oncall") })
	if n := len(hook.got()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// `warroom watch` says on stderr when a webhook fails and when it works
// again, and when the timeline file cannot be written; the all-clear of
// a crit under min_state crit goes out.
func TestWatchStderrShowsFailingOutputs(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, nil, 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "tl"), 0o755))
	hook := newReceiver(t)
	cfg := filepath.Join(dir, "w.yml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`refresh: 100ms
access_logs:
  - {name: nginx, paths: [%q], format: timed}
rules:
  - {indicator: nginx.qps, absent: 3s}
timeline_file: tl/timeline.jsonl
notify:
  webhooks:
    - {name: hook, kind: generic, url: %q, group_wait: 0s, min_interval: 0s}
`, access, hook.URL)), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := watchContext
	watchContext = func() context.Context { return ctx }
	defer func() { watchContext = old }()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"watch", "-c", cfg}, &out, &errb) }()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("exit %d: %s", code, errb.String())
		}
	}()

	eventually(t, "the webhook's 400 on stderr: "+errb.String(), func() bool {
		return strings.Contains(errb.String(), `warroom watch: notify: generic webhook "hook": POST failed: HTTP 400: invalid_payload`+"\n")
	})
	// the crit reached the timeline file; now its directory goes
	eventually(t, "the crit in the timeline file", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "tl", "timeline.jsonl"))
		return strings.Contains(string(b), `"to":"crit"`)
	})
	must(t, os.RemoveAll(filepath.Join(dir, "tl")))
	hook.setAccept(true)
	line := fmt.Sprintf("10.0.0.1 - - [%s] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\" 0.010 0.010\n", time.Now().Format("02/Jan/2006:15:04:05 -0700"))
	f, err := os.OpenFile(access, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	_, err = f.WriteString(line)
	must(t, err)
	must(t, f.Close())

	eventually(t, "the all-clear delivered: "+strings.Join(hook.got(), "\n"), func() bool {
		for _, b := range hook.got() {
			if strings.Contains(b, `"all_clear":true`) && strings.Contains(b, "✔ all clear") {
				return true
			}
		}
		return false
	})
	eventually(t, "the recovery and the timeline failure on stderr: "+errb.String(), func() bool {
		s := errb.String()
		return strings.Contains(s, `warroom watch: notify: generic webhook "hook": delivered again after 1 failed messages`+"\n") &&
			strings.Contains(s, "warroom watch: timeline_file: open "+filepath.Join(dir, "tl", "timeline.jsonl")+": no such file or directory\n")
	})
	if !strings.Contains(out.String(), `"from":"crit","to":"ok"`) {
		t.Errorf("stdout lacks the recovery: %s", out.String())
	}
}

// `warroom snapshot` probes the outputs without writing or sending: one
// that could not work is said on stderr, shows in --frame's status bar,
// and makes the exit status 1.
func TestSnapshotShowsOutputsThatCannotWork(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, nil, 0o644))
	blocker := filepath.Join(dir, "blocker") // a file where directories should be
	must(t, os.WriteFile(blocker, nil, 0o644))
	cfg := filepath.Join(dir, "w.yml")
	write := func(extra string) {
		must(t, os.WriteFile(cfg, []byte(fmt.Sprintf("access_logs:\n  - {name: nginx, paths: [%q], format: timed}\n%s", access, extra)), 0o644))
	}
	write("timeline_file: blocker/timeline.jsonl\nreports_dir: blocker/reports\n" +
		"notify:\n  webhooks:\n    - {name: oncall, kind: slack, url_file: missing-url}\n")
	var out, errb bytes.Buffer
	code := run([]string{"snapshot", "-c", cfg, "--frame", "200x20"}, &out, &errb)
	if code != exitProblem {
		t.Errorf("exit %d, want %d", code, exitProblem)
	}
	for _, want := range []string{
		"warroom snapshot: timeline_file: open " + filepath.Join(blocker, "timeline.jsonl") + ": not a directory\n",
		"warroom snapshot: reports: stat " + filepath.Join(blocker, "reports") + ": not a directory\n",
		`warroom snapshot: notify: webhook "oncall": url_file: open ` + filepath.Join(dir, "missing-url") + ": no such file or directory\n",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	bar := lines[len(lines)-1]
	for _, want := range []string{"! timeline_file", "! reports", "! notify"} {
		if !strings.Contains(bar, want) {
			t.Errorf("status bar lacks %q: %q", want, bar)
		}
	}
	// outputs that can work: nothing is said, nothing created
	write("timeline_file: logs/timeline.jsonl\nreports_dir: reports/night\n")
	must(t, os.Mkdir(filepath.Join(dir, "logs"), 0o755))
	out.Reset()
	errb.Reset()
	run([]string{"snapshot", "-c", cfg}, &out, &errb)
	if strings.Contains(errb.String(), "timeline_file") || strings.Contains(errb.String(), "reports") {
		t.Errorf("stderr %s", errb.String())
	}
	for _, p := range []string{filepath.Join(dir, "logs", "timeline.jsonl"), filepath.Join(dir, "reports")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("the probe created %s", p)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "logs")); len(entries) != 0 {
		t.Errorf("the probe left %v", entries)
	}
}

// What a person sees of the outputs in tmux: the screen in a background
// window rings the bell (tmux flags the window) and sends the desktop
// notification with the time's zone; a webhook answering 400 shows in the
// status bar until its next message is delivered.
func TestScreenOutputsInTmux(t *testing.T) {
	findTmux(t)
	bin := buildWarroom(t)
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	must(t, os.WriteFile(access, nil, 0o644))
	hook := newReceiver(t)
	cfg := hookConfig(t, dir, access, "4s", "slack", hook.URL)
	s := startTmux(t, 100, 30, "sleep 600")
	s.run("set-option", "-g", "allow-passthrough", "on")
	// the screen starts once the pane's output is piped, so no alarm can
	// come before (a loaded machine may take seconds to run pipe-pane)
	gate := filepath.Join(dir, "go")
	s.run("new-window", "-d", "-n", "dash", fmt.Sprintf("sh -c 'while [ ! -e %s ]; do sleep 0.05; done; exec %s -c %s'", gate, bin, cfg))
	osc := filepath.Join(dir, "out.bin")
	s.run("pipe-pane", "-t", "dash", "-o", "cat > "+osc)
	must(t, os.WriteFile(gate, nil, 0o644))
	capture := func() string { return s.run("capture-pane", "-p", "-t", "dash") }
	eventually(t, "the 400 in the status bar", func() bool { return strings.Contains(capture(), "✖ oncall: HTTP 400") })
	if flag := strings.TrimSpace(s.run("display", "-p", "-t", "dash", "#{window_bell_flag}")); flag != "1" {
		t.Errorf("no bell flagged on the background window: %q", flag)
	}
	eventually(t, "the desktop notification", func() bool {
		b, _ := os.ReadFile(osc)
		// the silence is as long as the tick that saw it: 4 s, or more
		// on a loaded machine
		return regexp.MustCompile("\x1b]9;warroom: ✖ CRIT nginx.qps: no data for \\d+s · ").Match(b)
	})
	b, _ := os.ReadFile(osc)
	zone := time.Now().Format("MST") // no schedule: the machine's zone
	if !strings.Contains(string(b), " "+zone+"\a") {
		t.Errorf("the notification's time lacks its zone %s: %q", zone, b)
	}
	hook.setAccept(true)
	eventually(t, "the status bar cleared: "+capture(), func() bool { return !strings.Contains(capture(), "oncall") })
}
