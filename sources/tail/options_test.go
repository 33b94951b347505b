package tail

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	ts := func([]byte) (time.Time, bool) { return time.Time{}, false }
	cases := []struct {
		name string
		opts Options
		err  string
	}{
		{"nothing", Options{}, "tail: no paths and no command"},
		{"both", Options{Paths: []string{"/x"}, Command: []string{"cat"}}, "both paths and a command"},
		{"bad glob", Options{Paths: []string{"/var/log/[x.log"}}, "tail: /var/log/[x.log: bad glob"},
		{"empty path", Options{Paths: []string{""}}, "empty path"},
		{"last without timestamp", Options{Paths: []string{"/x"}, Start: Start{Kind: StartLast, Last: time.Minute}}, "needs a timestamp reader"},
		{"last on a command", Options{Command: []string{"cat"}, Start: Start{Kind: StartLast, Last: time.Minute}, Timestamp: ts}, "cannot be searched"},
		{"negative poll", Options{Paths: []string{"/x"}, Poll: -time.Second}, "poll must not be negative"},
		{"ok glob", Options{Paths: []string{"/var/log/nginx/*access.log"}}, ""},
		{"ok last", Options{Paths: []string{"/x"}, Start: Start{Kind: StartLast, Last: time.Minute}, Timestamp: ts}, ""},
	}
	for _, c := range cases {
		_, err := New(c.opts)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		}
	}
}

func TestRunOnce(t *testing.T) {
	f, err := New(Options{Paths: []string{t.TempDir() + "/x.log"}})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	must(t, f.Run(ctx, func(Batch) {}))
	if err := f.Run(ctx, func(Batch) {}); err == nil || !strings.Contains(err.Error(), "called twice") {
		t.Fatalf("second Run: %v", err)
	}
}
