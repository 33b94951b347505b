package tail

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"\x1b[1;31mred\x1b[0m", "red"},
		{"a\x1b]0;evil title\x07b", "ab"},
		{"a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "alink"},
		{"tab\there\r\x08\x00", "tab here"},
		{"c1 \u009b31m csi", "c1  csi"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"ünïcode ok", "ünïcode ok"},
	}
	for _, c := range cases {
		if got := string(sanitize(nil, []byte(c.in))); got != c.want {
			t.Errorf("sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"x\x1b[31my", "\x1b]0;t\x07", "\u009b1m", "\xff\xfe", "a\tb\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := sanitize(nil, in)
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
		}
		for _, r := range string(out) {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("control %U left in %q (from %q)", r, out, in)
			}
		}
	})
}

func TestStderrTailKeepsLastLines(t *testing.T) {
	var s stderrTail
	for i := range 8 {
		s.Write([]byte(strings.Repeat("x", i) + "\n"))
	}
	s.Write([]byte("unfinished \x1b[1m"))
	if got := s.String(); got != "xxx | xxxx | xxxxx | xxxxxx | xxxxxxx | unfinished" {
		t.Fatalf("got %q", got)
	}
}
