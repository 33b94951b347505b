package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// tmuxSession is a detached tmux server of the test's own (its own socket,
// no user config) running one command: what a person sees is capture-pane.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func findTmux(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("tmux"); err == nil {
		return p
	}
	if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal("tmux not found and WARROOM_REQUIRE_INTEGRATION=1 (apt-get install tmux)")
	}
	t.Skip("tmux not installed (apt-get install tmux); set WARROOM_REQUIRE_INTEGRATION=1 to make this a failure")
	return ""
}

// buildWarroom compiles the binary under test; a terminal test needs a real
// process, not the test binary.
func buildWarroom(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "warroom")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	findTmux(t)
	s := &tmuxSession{t: t, socket: fmt.Sprintf("warroom-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	s.run("-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.run("capture-pane", "-p") }

// waitFor polls the screen until every want is on it.
func (s *tmuxSession) waitFor(d time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		screen := s.capture()
		missing := ""
		for _, w := range want {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %v the screen still lacks %q:\n%s", d, missing, screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitGone polls the screen until gone is no longer on it.
func (s *tmuxSession) waitGone(d time.Duration, gone string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		screen := s.capture()
		if !strings.Contains(screen, gone) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %v the screen still shows %q:\n%s", d, gone, screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func checkFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line terminal", len(lines), h)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > w {
			t.Errorf("line %d is %d cells wide on a %d-column terminal: %q", i+1, n, w, l)
		}
	}
}

// TestDemoInTmux runs `warroom demo` in an 80×24 tmux pane — half a screen,
// as on a milestone night — and drives it with keys: the countdown and the
// four key indicators are readable, the stage end turns the phase HOT and
// the rules raise something, help/pause work, a resize to 40×12 keeps the
// key numbers, and q gives the terminal back.
func TestDemoInTmux(t *testing.T) {
	findTmux(t)
	bin := buildWarroom(t)
	dir := t.TempDir()
	s := startTmux(t, 80, 24, fmt.Sprintf("%s demo --in 8s --dir %s; sleep 30", bin, dir))

	screen := s.waitFor(60*time.Second, "Year-end gala (demo)", "QPS", "slow", "499", "DB", "APPROACHING")
	checkFits(t, screen, 80, 24)

	// the stage end: HOT, and the storm trips a rule
	screen = s.waitFor(60*time.Second, "HOT")
	screen = s.waitFor(60*time.Second, "CRIT", "unacked")
	checkFits(t, screen, 80, 24)

	s.run("send-keys", "?")
	s.waitFor(20*time.Second, "quit")
	s.run("send-keys", "Escape")
	// a lone ESC followed at once by a key reads as alt+key, as in any
	// terminal program; a person's next key comes after the help closed
	s.waitGone(20*time.Second, "quit")
	s.waitFor(20*time.Second, "QPS")
	s.run("send-keys", "p")
	s.waitFor(20*time.Second, "PAUSED")
	s.run("send-keys", "p")

	s.run("resize-window", "-x", "200", "-y", "60")
	screen = s.waitFor(20*time.Second, "QPS", "slow", "499", "DB", "HOT")
	checkFits(t, screen, 200, 60)

	s.run("resize-window", "-x", "40", "-y", "12")
	screen = s.waitFor(20*time.Second, "QPS")
	checkFits(t, screen, 40, 12)

	s.run("send-keys", "q")
	s.waitFor(20*time.Second, "demo logs kept in") // the shell is back
	for _, f := range []string{"access.log", "app.log"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (size %v)", f, err, st)
		}
	}
}

// TestZeroConfigInTmux starts the screen from flags alone on a log being
// written, as someone would at 23:50 with no config at hand.
func TestZeroConfigInTmux(t *testing.T) {
	findTmux(t)
	bin := buildWarroom(t)
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	f, err := os.Create(access)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := startTmux(t, 100, 30, fmt.Sprintf("%s --access-log %s --app-log %s --no-color; sleep 30", bin, access, filepath.Join(dir, "app.log")))
	stop := make(chan struct{})
	done := make(chan struct{})
	go writeSeconds(f, stop, done)
	defer func() { close(stop); <-done }()
	screen := s.waitFor(60*time.Second, "QPS", "499/s", "DB err/min", "nginx", "app")
	checkFits(t, screen, 100, 30)
	// every second of the log holds 50 requests, 5 of them 499s: once the
	// span is all seconds written since the screen started, that is the rate
	s.waitFor(60*time.Second, " 50/s ", " 5/s ")
	// the 499s are over the built-in rule's levels: the where line under
	// the key stats says where they come from — one path, the five
	// clients whose every tenth request is given up on
	s.waitFor(60*time.Second, "499 ← /api/rank 100% · 5 IPs · top 10.0.0.")

	// hostile log lines: a title change, a screen clear, a bell, a cursor
	// move, in an access-log path and in an app-log error
	hostile := "\x1b]0;pwned\x07\x1b[2J\x1b[H\a\x9b5A"
	fmt.Fprintf(f, "10.6.6.6 - - [%s] \"GET /x%s HTTP/1.1\" 200 1 \"-\" \"%s\" 0.001 0.001\n", time.Now().Format(nginxStamp), hostile, hostile)
	if err := os.WriteFile(filepath.Join(dir, "app.log"), []byte(time.Now().Format(time.RFC3339)+" error SequelizeDatabaseError: read ECONNRESET "+hostile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	screen = s.waitFor(60*time.Second, "SequelizeDatabaseError: read ECONNRESET")
	checkFits(t, screen, 100, 30)
	if title := s.run("display-message", "-p", "#{pane_title}"); strings.Contains(title, "pwned") {
		t.Errorf("a log line set the pane title: %q", title)
	}
	if !strings.Contains(screen, "QPS") {
		t.Errorf("the screen was cleared by a log line:\n%s", screen)
	}
	s.run("send-keys", "q")
	s.waitGone(20*time.Second, "QPS")
}

// writeSeconds writes an access log by its own clock: each second, stamped,
// gets exactly 50 requests (1 in 10 a 499), all in one write, a couple of
// seconds ahead of the wall clock. However late this goroutine runs on a
// loaded machine it never leaves a second short — it catches up — so the
// rate the screen reads is 50/s, not however many lines a ticker managed.
func writeSeconds(f *os.File, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	next := time.Now().Truncate(time.Second)
	var b strings.Builder
	for i := 0; ; {
		for ; !next.After(time.Now().Add(2 * time.Second)); next = next.Add(time.Second) {
			b.Reset()
			stamp := next.Format(nginxStamp)
			for range 50 {
				status := 200
				if i%10 == 0 {
					status = 499
				}
				fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /api/rank?page=%d HTTP/1.1\" %d 512 \"-\" \"curl/8\" 0.012 0.011\n", i%50, stamp, i, status)
				i++
			}
			f.WriteString(b.String())
		}
		select {
		case <-stop:
			return
		case <-tk.C:
		}
	}
}

// TestSignalsGiveTheTerminalBackInTmux stops the screen the two ways it is
// stopped on a real night besides q: SIGTERM (a supervisor, `kill`) must
// leave the shell usable — main screen, cursor shown, mouse reporting off,
// the tty out of raw mode — and a hangup (the ssh connection drops, the
// tmux session is killed) must end the process instead of leaving it
// polling logs with no one watching.
func TestSignalsGiveTheTerminalBackInTmux(t *testing.T) {
	findTmux(t)
	bin := buildWarroom(t)
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sttyFile := filepath.Join(dir, "stty")
	cmd := fmt.Sprintf("%s --access-log %s --mouse; echo EXIT=$?; stty -a > %s; echo STTY-SAVED; sleep 30", bin, access, sttyFile)
	modes := "#{alternate_on} #{cursor_flag} #{mouse_any_flag}#{mouse_button_flag}#{mouse_all_flag}#{mouse_sgr_flag}"

	s := startTmux(t, 80, 24, cmd)
	s.waitFor(60*time.Second, "QPS")
	if got := strings.TrimSpace(s.run("display-message", "-p", modes)); got != "1 0 1101" {
		t.Fatalf("while running: alternate screen, cursor, mouse modes = %q, want \"1 0 1101\" (the test checks what it later wants undone)", got)
	}
	pid := warroomPID(t, s, bin)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	screen := s.waitFor(30*time.Second, "EXIT=", "STTY-SAVED")
	if !strings.Contains(screen, "EXIT=0") {
		t.Errorf("SIGTERM: exit status is not 0:\n%s", screen)
	}
	if got := strings.TrimSpace(s.run("display-message", "-p", modes)); got != "0 1 0000" {
		t.Errorf("after SIGTERM: alternate screen, cursor, mouse modes = %q, want \"0 1 0000\"", got)
	}
	b, err := os.ReadFile(sttyFile)
	if err != nil {
		t.Fatal(err)
	}
	stty := " " + strings.Join(strings.Fields(string(b)), " ") + " "
	for _, mode := range []string{" icanon ", " echo ", " isig "} {
		if !strings.Contains(stty, mode) {
			t.Errorf("after SIGTERM the tty lacks %q (still raw?): %s", strings.TrimSpace(mode), stty)
		}
	}

	h := startTmux(t, 80, 24, cmd)
	h.waitFor(60*time.Second, "QPS")
	pid = warroomPID(t, h, bin)
	h.run("kill-server") // the pty goes away and the pane's processes get SIGHUP
	deadline := time.Now().Add(30 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("after a hangup warroom is still running")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// warroomPID finds the warroom process started by the pane's shell.
func warroomPID(t *testing.T, s *tmuxSession, bin string) int {
	t.Helper()
	shell := strings.TrimSpace(s.run("display-message", "-p", "#{pane_pid}"))
	out, err := exec.Command("pgrep", "-P", shell, "-f", bin).Output()
	if err != nil {
		t.Fatalf("no warroom under the pane's shell %s: %v", shell, err)
	}
	var pid int
	if _, err := fmt.Sscan(string(out), &pid); err != nil {
		t.Fatalf("pgrep: %q: %v", out, err)
	}
	return pid
}

// running reports whether pid is a live process (not gone, not a zombie
// waiting for its killed parent to be reaped).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestReplayInTmux replays the night as filed in an 80×24 pane and drives
// it with keys as a person would the morning after: it starts at the stage's
// window saying REPLAY and its speed, the storm trips a rule, space pauses,
// m goes back to the stage end and pauses there, g goes to the lost DB
// connection at 01:30, ] runs to the end, and q gives the terminal back.
func TestReplayInTmux(t *testing.T) {
	findTmux(t)
	bin := buildWarroom(t)
	dir := t.TempDir()
	access, storm, app := filedNight(t, dir, true)
	cfg := builtinConfigFor(t, dir, []string{access, storm}, app)
	s := startTmux(t, 80, 24, fmt.Sprintf("%s replay -c %s --stage Final --speed 60; echo replay-exited; sleep 30", bin, cfg))

	screen := s.waitFor(60*time.Second, "REPLAY", "60×", "Year-end 2026", "QPS", "499")
	checkFits(t, screen, 80, 24)
	s.waitFor(120*time.Second, "HOT", "unacked") // 00:00:30 the hang, 499s crit seconds later
	s.waitFor(20*time.Second, "✔ app")           // its lines are read: not "app: unknown"
	s.run("send-keys", "Space")
	s.waitFor(20*time.Second, "paused")

	s.run("send-keys", "m")
	screen = s.waitFor(60*time.Second, "00:00:00 CST", "paused")
	checkFits(t, screen, 80, 24)

	s.run("send-keys", "g")
	s.waitFor(20*time.Second, "go to:")
	s.run("send-keys", "01:30:40", "Enter")
	screen = s.waitFor(60*time.Second, "01:30:40 CST", "paused")
	if !strings.Contains(screen, "DB") {
		t.Errorf("at 01:30:40 the DB errors are not on screen:\n%s", screen)
	}
	for range 12 {
		s.run("send-keys", "]")
	}
	s.run("send-keys", "Space")
	s.waitFor(60*time.Second, "end")

	s.run("send-keys", "q")
	s.waitFor(20*time.Second, "replay-exited")
}
