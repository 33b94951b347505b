package nginx

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A format without a time counts a line when it is read, so its history
// cannot be read back: with start beginning the lines already in the file
// are left alone (read back they would all land in one second), and the
// lines written after are counted at the clock's second.
func TestSourceWithoutTimesCountsLinesAsTheyArrive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	line := "10.0.0.1 \"GET /rank HTTP/1.1\" 200 0.010\n"
	if err := os.WriteFile(path, []byte(line+line+line+line+line), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultSourceConfig
	cfg.Paths, cfg.Start, cfg.Format = []string{path}, "beginning", `$remote_addr "$request" $status $request_time`
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC)
	src, err := NewSource(cfg, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for (len(src.Status()) == 0 || src.Status()[0].Loading) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line + line)
	f.Close()
	for time.Now().Before(deadline) {
		if b, _, _ := src.Aggregator().Counts(); b.Requests >= 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	all, _, _ := src.Aggregator().Counts()
	b, _ := src.Aggregator().Sum("", now, now.Add(time.Second))
	if all.Requests != 2 || b.Requests != 2 {
		t.Fatalf("%d requests read, %d at the clock's second; want the 2 written after the start, both now", all.Requests, b.Requests)
	}
}
