package collect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
)

// With a log per host, the snapshot ranks the logs by their 499s, slow
// requests and 5xx over the view: the bad host first, with its exact
// counts; with a single log there is no such table.
func TestLogsTableNamesTheBadHost(t *testing.T) {
	dir := t.TempDir()
	clock := NewSteppedClock(midnight.Add(time.Minute))
	var srcs []*nginx.Source
	for i, host := range []string{"web1", "web2"} {
		var b strings.Builder
		for s := 0; s < 60; s++ {
			at := midnight.Add(time.Duration(s) * time.Second)
			b.WriteString(accessLine(at, "10.0.0.1", "/rank", 200, 0.01))
			if i == 1 && s%2 == 0 { // web2: a 499 every other second, a 502 every tenth
				b.WriteString(accessLine(at, "10.0.0.2", "/rank", 499, 0.01))
			}
			if i == 1 && s%10 == 0 {
				b.WriteString(accessLine(at, "10.0.0.3", "/rank", 502, 2.5))
			}
		}
		path := filepath.Join(dir, host+".log")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := nginx.DefaultSourceConfig
		cfg.Name, cfg.Paths, cfg.Start = host, []string{path}, "beginning"
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		s, err := nginx.NewSource(cfg, clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	c, err := New(Options{Nginx: srcs, Now: clock.Now, Refresh: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for srcs[0].Aggregator().Version() != 60 || srcs[1].Aggregator().Version() != 96 {
		if time.Now().After(deadline) {
			t.Fatal("the logs were not read")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.Tick(midnight.Add(62 * time.Second)) // values end 2 s back: at 00:01:00
	s := snapOf(c, sources.View{Window: 5 * time.Minute})
	var logs *sources.TopTable
	for i := range s.Tops {
		if s.Tops[i].Title == "logs" {
			logs = &s.Tops[i]
		}
	}
	want := []sources.TopRow{{Key: "web2", Count: 96, S499: 30, Slow: 6, S5xx: 6}, {Key: "web1", Count: 60}}
	if logs == nil || !logs.Exact || fmt.Sprint(logs.Rows) != fmt.Sprint(want) {
		t.Fatalf("logs table %+v, want rows %+v", logs, want)
	}
}
