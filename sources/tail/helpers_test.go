package tail

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"warroom/sources/tail/tailtest"
)

func TestMain(m *testing.M) {
	// The benchmark's writer runs in a child process so its CPU time is not
	// counted as the follower's.
	if spec := os.Getenv(writerEnv); spec != "" {
		os.Exit(runWriterProcess(spec))
	}
	os.Exit(m.Run())
}

// collector gathers delivered lines per path, copying them out of the batch.
type collector struct {
	mu      sync.Mutex
	byPath  map[string][]string
	batches int
}

func newCollector() *collector { return &collector{byPath: map[string][]string{}} }

func (c *collector) emit(b Batch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches++
	n := 0
	for line := range b.All() {
		c.byPath[b.Path] = append(c.byPath[b.Path], string(line))
		n++
	}
	if n != b.Lines {
		panic(fmt.Sprintf("batch says %d lines, has %d", b.Lines, n))
	}
	if len(b.Data) == 0 || b.Data[len(b.Data)-1] != '\n' {
		panic(fmt.Sprintf("batch data does not end in a newline: %q", b.Data))
	}
}

func (c *collector) lines(path string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.byPath[path])
}

func (c *collector) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range c.byPath {
		out = append(out, l...)
	}
	return out
}

// waitFor polls cond with a generous deadline; it is not a timing assertion.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	tailtest.WaitFor(t, what, cond)
}

// waitLine waits until path has delivered the line want and returns the
// lines before it.
func (c *collector) waitLine(t testing.TB, path, want string) []string {
	t.Helper()
	var got []string
	waitFor(t, "line "+strconv.Quote(want)+" from "+path, func() bool {
		got = c.lines(path)
		return slices.Contains(got, want)
	})
	return got[:slices.Index(got, want)]
}

// start runs a Follower until the test ends.
func start(t testing.TB, opts Options) (*Follower, *collector) {
	t.Helper()
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx, c.emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return f, c
}

// statusOf waits for path's entry in f's status to satisfy cond.
func statusOf(t testing.TB, f *Follower, path string, cond func(FileStatus) bool) FileStatus {
	t.Helper()
	var last FileStatus
	waitFor(t, "status of "+path, func() bool {
		for _, s := range f.Status() {
			if s.Path == path {
				last = s
				return cond(s)
			}
		}
		return false
	})
	return last
}

func seq(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, lineText(i))
	}
	return out
}

func lineText(i int) string { return fmt.Sprintf("line %06d", i) }

func appendFile(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func joinLines(lines []string) string {
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return string(b)
}

// testReader is a reader for driving fileTail.check directly.
func testReader(opts Options, c *collector) *reader {
	o := opts.withDefaults()
	return &reader{
		opts:       o,
		buf:        make([]byte, o.BufferBytes+1),
		scratch:    make([]byte, fingerprintBytes),
		emit:       c.emit,
		graceTicks: 2,
		now:        o.Now(),
	}
}

// checkUntilQuiet checks t until it reports nothing more to read.
func checkUntilQuiet(ft *fileTail, r *reader) {
	for ft.check(r, false) {
	}
}

// msClock is the test's fixed clock, and msTimestamp reads lines that start
// with a Unix time in milliseconds.
var msClock = time.UnixMilli(1_800_000_000_000)

func msTimestamp(line []byte) (time.Time, bool) {
	var v int64
	i := 0
	for ; i < len(line) && line[i] >= '0' && line[i] <= '9'; i++ {
		v = v*10 + int64(line[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(v), true
}

func gzipFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
