package tail

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func commandOptions(argv ...string) Options {
	return Options{Command: argv, RestartMin: 10 * time.Millisecond, RestartMax: 40 * time.Millisecond}
}

func TestCommandRestartsAndReportsStderr(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	script := `n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1"
echo "run $n a"; printf 'run %s b\nrun %s unterminated' $n $n
printf 'oops \033[31mred\033[0m \033]0;title\007%s\n' $n >&2
exit 3`
	f, c := start(t, commandOptions("sh", "-c", script, "sh", counter))
	name := `sh -c "` // the script is quoted in the command line
	var path string
	waitFor(t, "three runs", func() bool {
		for _, s := range f.Status() {
			path = s.Path
		}
		return slices.Contains(c.lines(path), "run 3 unterminated")
	})
	if !strings.HasPrefix(path, name) {
		t.Fatalf("path %q", path)
	}
	got := c.lines(path)[:9]
	want := []string{"run 1 a", "run 1 b", "run 1 unterminated", "run 2 a", "run 2 b", "run 2 unterminated", "run 3 a", "run 3 b", "run 3 unterminated"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	st := statusOf(t, f, path, func(s FileStatus) bool { return s.Rotations >= 2 && strings.Contains(s.Err, "exit status 3") })
	if !strings.Contains(st.Err, "stderr: oops red") || strings.ContainsAny(st.Err, "\x1b\x07") {
		t.Fatalf("err %q", st.Err)
	}
}

func TestCommandMissing(t *testing.T) {
	f, c := start(t, commandOptions("/nonexistent/warroom-no-such-command", "arg"))
	st := statusOf(t, f, "/nonexistent/warroom-no-such-command arg", func(s FileStatus) bool { return s.Rotations >= 2 })
	if !strings.Contains(st.Err, "tail: /nonexistent/warroom-no-such-command arg: ") || !strings.Contains(st.Err, "no such file") {
		t.Fatalf("err %q", st.Err)
	}
	if len(c.all()) != 0 {
		t.Fatalf("lines from nowhere: %q", c.all())
	}
}

func TestCommandStopsWithContext(t *testing.T) {
	f, err := New(commandOptions("sh", "-c", "echo started; sleep 600 & wait"))
	must(t, err)
	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx, c.emit) }()
	waitFor(t, "output", func() bool { return len(c.all()) == 1 })
	cancel()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
