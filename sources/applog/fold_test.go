package applog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFoldKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-12-31T17:30:01.123Z ERROR [req-7f3a9c2b] read ECONNRESET", "# ERROR [req-#] read ECONNRESET"},
		{"2026-12-31T17:30:01Z ERROR", "# ERROR"},
		{"dial tcp 10.0.0.5:3306: connect", "dial tcp #: connect"},
		{"after 1.5s, 2 tries", "after #, # tries"},
		{"GET /rank 200 45ms", "GET /rank # #"},
		{"café 12ms", "café #"},
		{"", ""},
	} {
		if got := string(foldKey(nil, c.in)); got != c.want {
			t.Errorf("foldKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A flood of one error is one line with its count and the latest time,
// and the error before it stays in sight.
func TestFloodFoldsIntoOneLine(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}, Keep: 3})
	w.Ingest([]byte("2026-12-31T17:29:00Z ERROR [yearend-api] SequelizeConnectionError: Too many connections\n"))
	last := time.Date(2026, 12, 31, 17, 29, 59, 0, time.UTC)
	for i := 0; i < 120; i++ {
		at := last.Add(time.Duration(i-119) * 250 * time.Millisecond)
		// a request id and a port that differ every time
		w.Ingest([]byte(fmt.Sprintf("%s ERROR [yearend-api] [req-%x] SequelizeDatabaseError: read ECONNRESET 10.0.0.5:%d\n"+
			"    at Query.run (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:68:18)\n",
			at.Format(time.RFC3339Nano), 0xa000+i, 40000+i)))
	}
	w.Flush()
	v := w.View(now)
	if len(v.Lines) != 2 {
		t.Fatalf("%d lines, want 2: %+v", len(v.Lines), v.Lines)
	}
	if l := v.Lines[0]; !strings.Contains(l.Text, "Too many connections") || l.Count != 1 {
		t.Errorf("first line %q ×%d, want the error before the flood", l.Text, l.Count)
	}
	l := v.Lines[1]
	if l.Count != 120 || !l.At.Equal(last) || !strings.Contains(l.Text, "[req-a077]") || !strings.Contains(l.Text, ":40119") {
		t.Errorf("flood line %q ×%d at %s, want the latest of 120 at %s", l.Text, l.Count, l.At, last)
	}
	checkSpans(t, l)
}

// Messages whose words differ are lines of their own; one seen again goes
// last, and the one seen least recently is the first to go.
func TestFoldOrderAndEviction(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}, Keep: 2})
	texts := func() []string {
		var out []string
		for _, l := range w.View(now).Lines {
			out = append(out, fmt.Sprintf("%s×%d", strings.TrimPrefix(l.Text, "SequelizeDatabaseError: "), l.Count))
		}
		return out
	}
	for _, m := range []string{"read ECONNRESET", "read ETIMEDOUT", "read ECONNRESET"} {
		w.Ingest([]byte("SequelizeDatabaseError: " + m + "\n"))
	}
	w.Flush()
	if got := fmt.Sprint(texts()); got != "[read ETIMEDOUT×1 read ECONNRESET×2]" {
		t.Errorf("lines %s, want ETIMEDOUT then ECONNRESET twice", got)
	}
	w.Ingest([]byte("SequelizeDatabaseError: Deadlock found\n"))
	w.Flush()
	if got := fmt.Sprint(texts()); got != "[read ECONNRESET×2 Deadlock found×1]" {
		t.Errorf("lines %s, want ETIMEDOUT (seen least recently) gone", got)
	}
	// a folded message that goes and comes back counts from one again
	w.Ingest([]byte("SequelizeDatabaseError: read ETIMEDOUT\n"))
	w.Flush()
	if got := fmt.Sprint(texts()); got != "[Deadlock found×1 read ETIMEDOUT×1]" {
		t.Errorf("lines %s", got)
	}
}

// An entry read out of order (older than the line it folds into) counts,
// and the line keeps the latest time and text.
func TestFoldKeepsTheLatest(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("2026-12-31T17:29:30Z read ECONNRESET port 2\n2026-12-31T17:29:10Z read ECONNRESET port 1\n"))
	w.Flush()
	v := w.View(now)
	if len(v.Lines) != 1 || v.Lines[0].Count != 2 || !strings.HasSuffix(v.Lines[0].Text, "port 2") ||
		!v.Lines[0].At.Equal(time.Date(2026, 12, 31, 17, 29, 30, 0, time.UTC)) {
		t.Errorf("lines %+v, want one, ×2, the 17:29:30 one", v.Lines)
	}
}
