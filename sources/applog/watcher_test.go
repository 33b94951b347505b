package applog

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

var now = time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC) // 01:30 in Asia/Shanghai

func newWatcher(t *testing.T, o Options) *Watcher {
	t.Helper()
	if o.Name == "" {
		o.Name = "app"
	}
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	o.Location = time.UTC
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const nodeTrace = `2026-12-31T17:30:01.123Z error: SequelizeDatabaseError: read ECONNRESET
    at Query.formatError (/app/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)
    at Query.run (/app/node_modules/sequelize/lib/dialects/mysql/query.js:77:18)
2026-12-31T17:30:02.000Z info: GET /yearend-api/v1/rank 200
`

func TestMultilineCountsOnce(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte(nodeTrace))
	w.Flush()
	v := w.View(now.Add(5 * time.Second))
	if len(v.Lines) != 1 {
		t.Fatalf("lines %+v", v.Lines)
	}
	l := v.Lines[0]
	if !l.At.Equal(time.Date(2026, 12, 31, 17, 30, 1, 123e6, time.UTC)) || l.Pattern != "sequelize_database_error,econnreset" || !strings.Contains(l.Text, "(+2 lines)") {
		t.Fatalf("line %+v", l)
	}
	if n, _ := w.Count("app.db", now, now.Add(time.Minute)); n != 1 {
		t.Fatalf("db count %d, want 1 (one entry, two patterns)", n)
	}
	if n, _ := w.Count("econnreset", now, now.Add(time.Minute)); n != 1 {
		t.Fatalf("econnreset %d", n)
	}
	if w.Entries() != 2 {
		t.Fatalf("entries %d", w.Entries())
	}
}

func TestTraceSplitAcrossBatches(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("2026-12-31T17:30:05Z Error: boom\n"))
	w.Ingest([]byte("    at x (a.js:1:1)\n    at PROTOCOL_CONNECTION_LOST (b.js:2:2)\n"))
	w.Flush()
	if n, _ := w.Count("app.protocol_connection_lost", now, now.Add(time.Minute)); n != 1 {
		t.Fatalf("count %d", n)
	}
}

func TestJSONLogs(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	pino := `{"level":50,"time":1798738260000,"pid":1,"msg":"query failed","err":{"type":"SequelizeConnectionError","message":"connect ECONNREFUSED 10.0.0.5:3306"}}`
	winston := `{"level":"error","message":"Timeout acquiring a connection. The pool is probably full.","timestamp":"2026-12-31T17:31:00.000Z"}`
	w.Ingest([]byte(pino + "\n" + winston + "\n"))
	w.Flush()
	v := w.View(now.Add(2 * time.Minute))
	if len(v.Lines) != 2 {
		t.Fatalf("lines %+v", v.Lines)
	}
	if v.Lines[0].Text != "ERROR query failed: SequelizeConnectionError: connect ECONNREFUSED 10.0.0.5:3306" || !v.Lines[0].At.Equal(time.UnixMilli(1798738260000)) {
		t.Fatalf("pino %+v", v.Lines[0])
	}
	if v.Lines[1].Text != "ERROR Timeout acquiring a connection. The pool is probably full." {
		t.Fatalf("winston %+v", v.Lines[1])
	}
}

func TestUserPatternsAndPrefilter(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"upstream"}, Patterns: []Pattern{
		{Name: "redis", Regexp: `Redis.*(ECONNRESET|timeout)`},
		{Name: "draw", Substring: "draw failed"},
	}})
	if w.patterns[4].Name != "redis" || fmt.Sprintf("%q", w.patterns[4].lits) != `["ECONNRESET" "timeout"]` {
		t.Fatalf("prefilter %q", w.patterns[4].lits)
	}
	w.Ingest([]byte(`2026/12/31 17:30:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream
Redis connection timeout after 2000ms
redis lowercase timeout
lottery draw failed for user 7
`))
	w.Flush()
	for name, want := range map[string]uint64{"upstream": 1, "upstream_timed_out": 1, "redis": 1, "draw": 1, "no_live_upstreams": 0} {
		v := w.View(now)
		var got uint64
		found := false
		for _, p := range v.Patterns {
			if p.Name == name {
				got, found = p.Total, true
			}
		}
		if !found || got != want {
			t.Errorf("%s: total %d (found %v), want %d", name, got, found, want)
		}
	}
}

// A regexp runs only on entries holding a literal every match holds — one
// of an alternation's — or on every entry when there is none.
func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct {
		expr string
		want string
	}{
		{`ER_CON_COUNT_ERROR|Too many connections`, `["ER_CON_COUNT_ERROR" "Too many connections"]`},
		{`Redis.*(ECONNRESET|timeout)`, `["ECONNRESET" "timeout"]`},
		{`Redis (conn|timeout)`, `["Redis "]`}, // "conn" is shorter than "Redis "
		{`pool (\d+) exhausted`, `[" exhausted"]`},
		{`(?i)deadlock`, `[]`},
		{`deadlock|\d+ waiting`, `["deadlock" " waiting"]`},
		{`deadlock|\d+`, `[]`}, // a branch with none: every entry may match
		{`(`, `[]`},
	} {
		if got := fmt.Sprintf("%q", requiredLiterals(c.expr)); got != c.want {
			t.Errorf("requiredLiterals(%q) = %s, want %s", c.expr, got, c.want)
		}
	}
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("ERROR 1040 (HY000): Too many connections\nER_CON_COUNT_ERROR\ntoo many connections\n"))
	w.Flush()
	if n, _ := w.Count("too_many_connections", now, now.Add(time.Second)); n != 2 {
		t.Errorf("too_many_connections counted %d, want 2 (each branch once, not the lowercase)", n)
	}
}

func TestSanitizedAndBounded(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}, Keep: 3})
	for i := 0; i < 10; i++ {
		// ten messages that read differently: three are kept, the last
		w.Ingest([]byte("read ECONNRESET \x1b]0;owned\x07 \x1b[2J " + strings.Repeat("x", i) + "\n"))
	}
	w.Flush()
	v := w.View(now)
	if len(v.Lines) != 3 {
		t.Fatalf("kept %d lines, want 3", len(v.Lines))
	}
	for i, l := range v.Lines {
		if strings.ContainsAny(l.Text, "\x1b\x07") {
			t.Fatalf("control bytes in %q", l.Text)
		}
		if !strings.HasSuffix(l.Text, " "+strings.Repeat("x", 7+i)) || l.Count != 1 {
			t.Errorf("line %d is %q ×%d, want the %dth message once", i, l.Text, l.Count, 8+i)
		}
	}
	// no timestamp in the line: counted at the clock's time
	if s, _ := w.Series("app.db", now, now.Add(time.Second), time.Second); s.Points[0].V != 600 {
		t.Fatalf("per-minute rate %+v", s.Points)
	}
	// a step cut short by the end is per the seconds it covers
	f := now.Truncate(30 * time.Second)
	if s, _ := w.Series("app.db", f, now.Add(time.Second), 30*time.Second); len(s.Points) != 1 || math.Abs(s.Points[0].V*now.Add(time.Second).Sub(f).Minutes()-10) > 1e-9 {
		t.Fatalf("short last step %+v from %v to %v", s.Points, f, now.Add(time.Second))
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		o   Options
		err string
	}{
		{Options{Packs: []string{"nope"}}, `unknown pack "nope"`},
		{Options{Patterns: []Pattern{{Name: "x", Regexp: "("}}}, `pattern "x": error parsing regexp`},
		{Options{Patterns: []Pattern{{Name: "x"}}}, `pattern "x": give substring or regexp`},
		{Options{Patterns: []Pattern{{Name: "x", Substring: "a", Regexp: "b"}}}, "not both"},
		{Options{Packs: []string{"db"}, Patterns: []Pattern{{Name: "econnreset", Substring: "a"}}}, "already used"},
		{Options{}, "no patterns"},
	}
	for _, c := range cases {
		c.o.Name = "app"
		if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%+v: err %v, want %q", c.o, err, c.err)
		}
	}
}

func TestConfig(t *testing.T) {
	cases := []struct{ in, err string }{
		{"name: app\npaths: [/var/log/app.log]\n", ""},
		{"name: app\npacks: [db, upstream]\npatterns:\n  - {name: redis, regexp: 'Redis.*timeout'}\n", ""},
		{"name: app\npacks: [dbx]\n", `line 2: packs[0]: unknown pack "dbx"`},
		{"name: app\npatterns:\n  - {name: ok, substring: a}\n  - {name: bad, regexp: '('}\n", "line 4: patterns[1]: pattern \"bad\": error parsing regexp"},
		{"name: app\nkeep: 0\n", "line 2: keep: must be between 1 and 10000"},
		{"name: app\npatern: []\n", "line 2: patern: unknown field"},
	}
	for _, c := range cases {
		var sc SourceConfig
		err := config.Load(strings.NewReader(c.in), &sc)
		if c.err == "" {
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: err %v, want %q", c.in, err, c.err)
		}
	}
	var sc SourceConfig
	if err := yaml.Unmarshal([]byte("name: x\n"), &sc); err != nil || sc.Packs[0] != "db" || sc.Keep != 200 {
		t.Fatalf("defaults %+v %v", sc, err)
	}
}

func FuzzIngest(f *testing.F) {
	f.Add([]byte(nodeTrace))
	f.Add([]byte("{\"level\":50,\"time\":\"x\",\"err\":{\"message\":\"read ECONNRESET\"}}\n   at\n"))
	f.Add([]byte("[2026-12-31 00:00:00,123] ERROR Communications link failure\n"))
	for _, c := range realErrors {
		f.Add([]byte(c.entry))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := New(Options{Name: "app", Packs: []string{"db", "upstream"}, Keep: 5, Seconds: 60, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		w.Ingest(data)
		w.Flush()
		for _, l := range w.View(now).Lines {
			if strings.ContainsAny(l.Text, "\x1b\x07\x00") {
				t.Fatalf("control bytes in %q", l.Text)
			}
			checkSpans(t, l)
		}
	})
}

func TestWatcherLineTime(t *testing.T) {
	w, err := New(Options{Name: "app", Packs: []string{"db"}, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	at, ok := w.LineTime([]byte("2026-12-31 23:59:58 ERROR SequelizeDatabaseError: read ECONNRESET"))
	if !ok || !at.Equal(time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)) {
		t.Fatalf("LineTime = %v %v", at, ok)
	}
	// Go's log and nginx's error.log write the date with slashes
	for _, line := range []string{
		"2026/12/31 23:59:58 [error] 7#7: *1 upstream timed out (110: Connection timed out)",
		"2026/12/31 23:59:58.000123 query failed: dial tcp 10.0.0.5:3306: connect: connection refused",
	} {
		if at, ok := w.LineTime([]byte(line)); !ok || at.Truncate(time.Second) != time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC) {
			t.Errorf("LineTime(%q) = %v %v", line, at, ok)
		}
	}
	if _, ok := w.LineTime([]byte("2026/12-31 23:59:58 x")); ok {
		t.Error("a stamp mixing - and / is no stamp")
	}
	if _, ok := w.LineTime([]byte("    at Connection.query (conn.js:1:2)")); ok {
		t.Fatal("a stack frame has no time")
	}
}

// The log pane's per-minute rate and the indicator's value cover the same
// minute [end-1m, end): a burst in the second at end is in neither yet,
// one just inside the minute is in both.
func TestViewRateAgreesWithCount(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	for i := 0; i < 6; i++ {
		w.Ingest([]byte("read ECONNRESET\n")) // stamped now by the clock
	}
	w.Flush()
	for _, end := range []time.Time{now, now.Add(time.Second), now.Add(60 * time.Second), now.Add(61 * time.Second)} {
		n, _ := w.Count("db", end.Add(-time.Minute), end)
		var perMin float64 = -1
		for _, p := range w.View(end).Patterns {
			if p.Name == "db" {
				perMin = p.PerMin
			}
		}
		if perMin != float64(n) {
			t.Errorf("end %s: pane %v/min, indicator %d", end.Sub(now), perMin, n)
		}
	}
}

// A stack trace whose lines arrive after a refresh tick flushed its first
// line belongs to that entry: counted once, shown once, and a pattern only
// its later lines match is counted then.
func TestContinuationAfterFlushReopensTheEntry(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}, Patterns: []Pattern{{Name: "reset", Substring: "ECONNRESET"}}})
	for i := 0; i < 2; i++ {
		w.Ingest([]byte("2026-12-31T17:30:00Z ERROR SequelizeDatabaseError: read ECONNRESET\n"))
		w.Flush() // a tick between the line and its trace
		w.Ingest([]byte("    at Query.formatError (/srv/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)\n" +
			"    at SequelizeDatabaseError: read ECONNRESET\n"))
		w.Flush()
	}
	// the first line matches nothing; the trace written after the tick does
	w.Ingest([]byte("2026-12-31T17:30:01Z ERROR query failed\n"))
	w.Flush()
	w.Ingest([]byte("    at Connection.read ECONNRESET\n"))
	w.Flush()
	v := w.View(now)
	totals := map[string]uint64{}
	for _, p := range v.Patterns {
		totals[p.Name] = p.Total
	}
	if totals["reset"] != 3 || totals["db"] != 3 {
		t.Errorf("totals %v, want 3 entries each", totals)
	}
	// the first two read alike: one line, counted twice
	if len(v.Lines) != 2 || !strings.Contains(v.Lines[0].Text, "(+2 lines)") || v.Lines[0].Count != 2 ||
		!strings.Contains(v.Lines[1].Text, "query failed (+1 lines)") || v.Lines[1].Count != 1 {
		t.Errorf("lines %+v, want the three entries whole, the first two folded", v.Lines)
	}
	if w.Entries() != 3 || w.Version() != 3+3 {
		t.Errorf("%d entries, version %d; want 3, and 3 more for the reopenings", w.Entries(), w.Version())
	}
}

// time_zone reads zone-less stamps in the log's zone: an error written at
// 00:00:30 in Shanghai is counted at 16:00:30 UTC, in the minute it
// happened, not eight hours away from it.
func TestTimeZoneOfZonelessStamps(t *testing.T) {
	cfg := DefaultSourceConfig
	cfg.Paths, cfg.TimeZone = []string{"/x.log"}, "Asia/Shanghai"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	w, err := New(cfg.Options(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	w.Ingest([]byte("2027-01-01 00:00:30 ERROR SequelizeDatabaseError: read ECONNRESET\n"))
	w.Flush()
	at := time.Date(2026, 12, 31, 16, 0, 30, 0, time.UTC)
	if n, _ := w.Count("db", at, at.Add(time.Second)); n != 1 {
		t.Errorf("the error is not counted at %s", at)
	}
	cfg.TimeZone = "China/Beijing"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "unknown time zone") {
		t.Errorf("bad zone: %v", err)
	}
}

// A steady 6 errors a minute: a last step that covers under half a step
// is left out, not extrapolated into a spike of 60 a minute.
func TestSeriesShortLastStepIsNoSpike(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	base := now.Truncate(time.Minute)
	for s := 0; s < 130; s += 10 {
		w.Ingest([]byte(base.Add(time.Duration(s)*time.Second).Format("2006-01-02T15:04:05Z") + " ERROR read ECONNRESET\n"))
	}
	w.Flush()
	s, _ := w.Series("db", base, base.Add(121*time.Second), time.Minute)
	if len(s.Points) != 2 {
		t.Fatalf("points %+v, want the two whole minutes", s.Points)
	}
	for _, p := range s.Points {
		if p.V != 6 {
			t.Errorf("%s: %v/min, want 6", p.At, p.V)
		}
	}
}

// A stamp before 1970 (garbage in a log) and a count over negative seconds
// (a replay's clock at zero) are counted in totals only, never a panic.
func TestSecondsBefore1970(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("1969-12-31T23:59:00Z ERROR read ECONNRESET\n"))
	w.Flush()
	if n, _ := w.Count("db", time.Unix(-120, 0), time.Unix(0, 0)); n != 0 {
		t.Errorf("counted %d in the ring before 1970", n)
	}
	w.Series("db", time.Unix(-120, 0), time.Unix(0, 0), time.Second)
	w.View(time.Unix(-5, 0))
	if v := w.View(now); len(v.Lines) != 1 {
		t.Errorf("the entry is not shown: %+v", v.Lines)
	}
}

// A line over MaxLine is skipped and counted, not matched by its head; its
// stack goes with it rather than onto the entry before.
func TestTooLongLineSkipped(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("2026-12-31T17:30:01Z info: GET /rank 200\n" +
		"2026-12-31T17:30:02Z error: read ECONNRESET " + strings.Repeat("x", MaxLine) + "\n" +
		"    at Query.run (query.js:77:18)\n" +
		"2026-12-31T17:30:03Z error: SequelizeDatabaseError: PROTOCOL_CONNECTION_LOST\n"))
	w.Flush()
	if n, _ := w.Count("db", now, now.Add(time.Minute)); n != 1 || w.Skipped().TooLong != 1 {
		t.Fatalf("db %d, too long %d; want 1 and 1", n, w.Skipped().TooLong)
	}
	if v := w.View(now.Add(time.Minute)); len(v.Lines) != 1 || strings.Contains(v.Lines[0].Text, "+1 lines") {
		t.Fatalf("lines %+v", v.Lines)
	}
	if w.Entries() != 2 {
		t.Fatalf("entries %d, want 2 (the long one is not an entry)", w.Entries())
	}
}
