package nginx

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// autoSource runs a source with no format over path, from the beginning.
func autoSource(t *testing.T, path string) *Source {
	t.Helper()
	cfg := DefaultSourceConfig
	cfg.Paths, cfg.Start = []string{path}, "beginning"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.AutoFormat() || cfg.CompiledFormat() != nil {
		t.Fatal("the default format is not auto")
	}
	s, err := NewSource(cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// waitLines polls until the source has read n lines (not a timing assertion).
func waitLines(t *testing.T, s *Source, n uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got, _ := s.Aggregator().Unreadable(); got >= n {
			return
		}
		if time.Now().After(deadline) {
			got, _ := s.Aggregator().Unreadable()
			t.Fatalf("read %d lines, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func appendLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(bytes.Join(lines, []byte{'\n'}), '\n')); err != nil {
		t.Fatal(err)
	}
}

func TestAutoFormatFromTheFilesLastLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendLines(t, path, sampleLines("main", 300))
	s := autoSource(t, path)
	waitLines(t, s, 300)
	if note, short, bad := s.FormatNote(); bad || note != "format main (detected: reads 300 of 300 lines)" || short != "main" {
		t.Fatalf("note %q bad %v", note, bad)
	}
	if _, bad := s.Aggregator().Unreadable(); bad.Total() != 0 {
		t.Fatalf("unreadable: %v", bad)
	}
	if _, codes, _ := s.Aggregator().Counts(); codes[499] != 60 || codes[200] != 120 {
		t.Fatalf("codes %v", codes)
	}
}

func TestAutoFormatFromTheFirstLinesThatCome(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := autoSource(t, path)
	if note, _, _ := s.FormatNote(); note != "format to be detected from the first lines" {
		t.Fatalf("before any line: %q", note)
	}
	appendLines(t, path, sampleLines("upstreaminfo", 30))
	waitLines(t, s, 30)
	// the lines may come in more than one read (a loaded machine): the
	// pick is made on those first read, every one of them fitting
	note, _, _ := s.FormatNote()
	if m := regexp.MustCompile(`^format upstreaminfo \(detected: reads (\d+) of (\d+) lines\)$`).FindStringSubmatch(note); m == nil || m[1] != m[2] {
		t.Fatalf("note %q", note)
	}
	if b, _, _ := s.Aggregator().Counts(); b.Requests != 30 || b.Slow != 10 {
		t.Fatalf("requests %d slow %d, want 30 and 10", b.Requests, b.Slow)
	}
}

// nginx reloaded with another log_format: the parse rate falls, and the
// source picks again from the new lines.
func TestAutoFormatJudgesAgainAfterAReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendLines(t, path, sampleLines("main", 200))
	s := autoSource(t, path)
	waitLines(t, s, 200)
	appendLines(t, path, sampleLines("timed", 1500))
	waitLines(t, s, 1700)
	note, _, bad := s.FormatNote()
	if bad || !strings.HasPrefix(note, "format timed, was main until ") || !strings.Contains(note, "(its parse rate fell below 90%): format timed (detected: reads 1000 of 1000 lines)") {
		t.Fatalf("note %q", note)
	}
	// the old format read the new lines in part (no times) while the
	// source judged again; the lines after are read whole
	_, unread := s.Aggregator().Unreadable()
	b, _, _ := s.Aggregator().Counts()
	if unread.Total() != 0 || b.Requests != 1700 {
		t.Fatalf("requests %d unread %d", b.Requests, unread.Total())
	}
	if b.Slow == 0 || b.Timed == 0 {
		t.Fatalf("slow %d of %d timed: the new format's times are not read", b.Slow, b.Timed)
	}
}

func TestAutoFormatWhenNoneFits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendLines(t, path, sampleLines("json", 40))
	s := autoSource(t, path)
	waitLines(t, s, 40)
	note, short, bad := s.FormatNote()
	if !bad || !strings.HasPrefix(short, "no builtin format reads the log (closest ") || !strings.HasPrefix(note, "no built-in format reads these lines (closest: ") || !strings.Contains(note, `{"time":"2026-12-01T23:59:00+08:00"`) {
		t.Fatalf("note %q bad %v", note, bad)
	}
}

// interleave puts every n-th line of b between the lines of a.
func interleave(a, b [][]byte, n int) [][]byte {
	var out [][]byte
	for i, l := range a {
		out = append(out, l)
		if i%n == 0 && len(b) > 0 {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(out, b...)
}

// After a reload nginx's old workers log the requests they were still
// serving in the old format: a few stragglers among the new lines must
// not leave the source on the old format or stuck in an error.
func TestAutoFormatReloadWithStragglers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendLines(t, path, sampleLines("main", 200))
	s := autoSource(t, path)
	waitLines(t, s, 200)
	appendLines(t, path, interleave(sampleLines("upstreaminfo", 1500), sampleLines("main", 30), 20))
	waitLines(t, s, 1730)
	note, short, bad := s.FormatNote()
	if bad || short != "upstreaminfo" && !strings.HasPrefix(short, "upstreaminfo, ") || !strings.Contains(note, "was main until") {
		t.Fatalf("after the reload: note %q short %q bad %v", note, short, bad)
	}
}

// A reload to a format no builtin reads, then to one that does: the error
// clears and the source reads the new lines whole.
func TestAutoFormatErrorClearsAfterTheNextReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendLines(t, path, sampleLines("main", 200))
	s := autoSource(t, path)
	waitLines(t, s, 200)
	appendLines(t, path, sampleLines("json", 300))
	waitLines(t, s, 500)
	if _, short, bad := s.FormatNote(); !bad {
		t.Fatalf("a log no builtin reads: %q", short)
	}
	appendLines(t, path, sampleLines("upstreaminfo", 1200))
	waitLines(t, s, 1700)
	if note, short, bad := s.FormatNote(); bad || short != "upstreaminfo" {
		t.Fatalf("after the second reload: note %q short %q bad %v", note, short, bad)
	}
}

// A stretch of lines the source cannot read is a gap in its charts, not
// a stretch of zero traffic.
func TestUnreadableSecondsAreGaps(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 59, 0, time.FixedZone("CST", 8*3600))
	a := NewAggregator(Options{Format: mustFormat(t, "main"), Now: func() time.Time { return now }})
	good := sampleLines("main", 60) // stamped 23:59:00–23:59:59
	a.Ingest(append(bytes.Join(good, []byte{'\n'}), '\n'))
	now = now.Add(5 * time.Second)
	a.Ingest([]byte(strings.Repeat(`{"status":200}`+"\n", 40)))
	now = now.Add(time.Second)
	a.Ingest([]byte(strings.Repeat(`{"status":200}`+"\n", 40)))
	s, _ := a.Series(MetricQPS, "", now.Add(-10*time.Second), now.Add(time.Second), time.Second)
	gaps := 0
	for _, p := range s.Points {
		if math.IsNaN(p.V) {
			gaps++
			if p.At.Before(now.Add(-time.Second)) {
				t.Errorf("a gap at %s, before the unreadable lines", p.At)
			}
		}
	}
	if gaps != 2 {
		t.Fatalf("%d gaps, want the 2 seconds of unreadable lines: %v", gaps, s.Points)
	}
}

// Lines held for a decision while the follower was still reading back are
// decided on once it is done, though no more lines come.
func TestAutoFormatSettlesWithoutAnotherBatch(t *testing.T) {
	now := time.Now()
	a := newAutoFormat(NewAggregator(Options{Now: func() time.Time { return now }}), func() time.Time { return now })
	a.feed(append(bytes.Join(sampleLines("main", 30), []byte{'\n'}), '\n'), true)
	if a.agg.Format() != nil {
		t.Fatal("decided while still reading back with 30 lines")
	}
	a.settle(true)
	if a.agg.Format() != nil {
		t.Fatal("decided before pendingWait while still reading back")
	}
	now = now.Add(pendingWait)
	a.settle(true)
	if f := a.agg.Format(); f == nil || f.Name != "main" {
		t.Fatalf("after pendingWait: %v", f)
	}
	if n, _ := a.agg.Unreadable(); n != 30 {
		t.Fatalf("%d lines counted, want the 30 held", n)
	}
}
