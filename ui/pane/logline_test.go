package pane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"warroom/sources"
	"warroom/sources/applog"
)

var logAt = time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC) // 00:00 in Shanghai, a stage end

// errorLine is a real error entry as a service writes it, what a person
// must read of it (its class and message), and the words a pattern matched.
type errorLine struct {
	name, entry, core, key string
}

var errorLines = []errorLine{
	{"node", "2026-12-31T23:59:58.123+08:00 ERROR [yearend-api] SequelizeDatabaseError: read ECONNRESET\n" +
		"    at Query.formatError (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)\n" +
		"    at Query.run (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:68:18)\n" +
		"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n",
		"SequelizeDatabaseError: read ECONNRESET", "read ECONNRESET"},
	{"go", "2026/12/31 23:59:57 rank: query failed: dial tcp 10.0.0.5:3306: connect: connection refused\n",
		"dial tcp 10.0.0.5:3306: connect: connection refused", "connect: connection refused"},
	{"java", "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n" +
		"\tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174)\n" +
		"\tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:836)\n",
		"CommunicationsException: Communications link failure", "Communications link failure"},
	{"nginx", `2026/12/31 23:59:56 [error] 31#31: *90211 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.8.0.3, server: api.example.com, request: "GET /yearend-api/v1/rank HTTP/1.1", upstream: "http://10.0.0.7:8080/yearend-api/v1/rank", host: "api.example.com"` + "\n",
		"upstream timed out (110: Connection timed out) while reading response header from upstream", "upstream timed out (110: Connection timed out)"},
}

// logView runs entries through a real watcher, as the app-log source
// does, with the packs and a Go service's own pattern.
func logView(t *testing.T, entries ...string) sources.LogView {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	w, err := applog.New(applog.Options{Name: "app", Packs: []string{"db", "upstream"},
		Patterns: []applog.Pattern{{Name: "conn_refused", Substring: "connect: connection refused"}},
		Now:      func() time.Time { return logAt }, Location: sh})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		w.Ingest([]byte(e))
	}
	w.Flush()
	return w.View(logAt)
}

func logSnapshot(v sources.LogView) *sources.Snapshot {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return &sources.Snapshot{At: logAt, Zone: sh, Logs: []sources.LogView{v}}
}

// At any width, a cut line keeps the error's class and message when they
// fit beside the time and the count, else the matched words, else their
// head — never "ERROR [yearend-api] Sequeli…".
func TestLogKeepsTheError(t *testing.T) {
	for _, c := range errorLines {
		for _, n := range []int{1, 120} {
			v := logView(t, strings.Repeat(c.entry, n))
			if len(v.Lines) != 1 || v.Lines[0].Count != uint64(max(n, 1)) {
				t.Fatalf("%s: lines %+v, want one ×%d", c.name, v.Lines, n)
			}
			for w := 14; w <= 120; w++ {
				m := NewLog("", Options{Styles: PlainStyles()})
				m.SetSize(w, 4)
				m.SetSnapshot(logSnapshot(v))
				rows := strings.Split(m.View(), "\n")
				row := strings.TrimRight(strings.Trim(rows[2], "│"), " ")
				avail := w - 2
				if avail >= timeCells+keyCells {
					if !strings.HasPrefix(row, "23:59:5") && !strings.HasPrefix(row, "00:00:00") {
						t.Fatalf("%s at %d: %q has no time", c.name, w, row)
					}
					avail -= timeCells
				}
				if n > 1 {
					if !strings.HasSuffix(row, fmt.Sprintf(" ×%d", n)) {
						t.Fatalf("%s at %d: %q has no count", c.name, w, row)
					}
					avail -= Width(fmt.Sprintf(" ×%d", n))
				}
				want, need := c.core, Width(c.core)
				if len(c.core) > len(c.key) && strings.HasPrefix(c.core, c.key) {
					need++ // it runs into what follows the match, cut with "…"
				}
				switch {
				case need <= avail:
				case Width(c.key) <= avail:
					want = c.key
				default:
					want = ansi.Truncate(c.key, avail, "…")
				}
				if !strings.Contains(row, want) {
					t.Errorf("%s ×%d at %d cells: %q, want %q in it", c.name, n, w, row, want)
				}
			}
		}
	}
}

func TestShortLead(t *testing.T) {
	for _, c := range []struct {
		lead string
		room int
		want string
	}{
		{"SequelizeDatabaseError: ", 40, "SequelizeDatabaseError: "},
		{"SequelizeDatabaseError: ", 15, "SequelizeDat…: "},
		{"SequelizeDatabaseError: ", 7, ""}, // a class in five cells says nothing
		{"query failed: dial tcp 10.0.0.5:3306: ", 30, "dial tcp 10.0.0.5:3306: "},
		{"query failed: dial tcp 10.0.0.5:3306: ", 38, "query failed: dial tcp 10.0.0.5:3306: "},
		{"com.mysql.cj.jdbc.exceptions.CommunicationsException: ", 30, "CommunicationsException: "},
		{"rank failed: org.springframework.jdbc.CannotGetJdbcConnectionException: ", 50, "rank failed: CannotGetJdbcConnectionException: "},
		{"Servlet.service() for servlet: ", 20, ""}, // words cut do not read
	} {
		if got := shortLead(c.lead, c.room); got != c.want {
			t.Errorf("shortLead(%q, %d) = %q, want %q", c.lead, c.room, got, c.want)
		}
	}
}

// A line whose spans are unknown or out of range is cut at its end, not
// sliced.
func TestFitMessageBadSpans(t *testing.T) {
	for _, l := range []sources.LogLine{
		{Text: "ERROR x SequelizeDatabaseError: read ECONNRESET"},
		{Text: "ERROR x", Msg: 3, KeyFrom: 2, KeyTo: 9},
		{Text: "ERROR x", Msg: -1, KeyFrom: 0, KeyTo: 3},
	} {
		if got, want := fitMessage(l, 6), ansi.Truncate(l.Text, 6, "…"); got != want {
			t.Errorf("fitMessage(%+v) = %q, want %q", l, got, want)
		}
	}
}

func TestPatternSummary(t *testing.T) {
	pats := []sources.PatternCount{
		{Name: "sequelize_database_error", Group: "db", PerMin: 12, Total: 540},
		{Name: "econnreset", Group: "db", PerMin: 12, Total: 540},
		{Name: "too_many_connections", Group: "db"},
		{Name: "acquire_timeout", Group: "db", PerMin: 3, Total: 20},
		{Name: "upstream_timed_out", Group: "upstream", Total: 4},
		{Name: "conn_refused", Total: 2},
		{Name: "draw_failed"},
		{Name: "db", PerMin: 15, Total: 560, Pack: true},
		{Name: "upstream", Total: 4, Pack: true},
	}
	st := PlainStyles()
	for _, c := range []struct {
		w    int
		tall bool
		want string
	}{
		{80, false, "db 15/min (560)  upstream 0/min (4)  conn_refused 0/min (2)"},
		{44, false, "db 15/min (560)  upstream 0/min (4) +1"},
		{30, false, "db 15/min (560) +2"},
		{12, false, "db 15/min (560) +2"}, // the box cuts it
		{100, true, "db 15/min (560)  upstream 0/min (4)  conn_refused 0/min (2)\n" +
			"sequelize_database_error 12/min (540)  econnreset 12/min (540)  acquire_timeout 3/min (20) +1"},
	} {
		if got := ansi.Strip(strings.Join(patternSummary(st, pats, c.w, c.tall), "\n")); got != c.want {
			t.Errorf("at %d: %q, want %q", c.w, got, c.want)
		}
	}
	if got := ansi.Strip(strings.Join(patternSummary(st, pats[2:3], 44, true), "\n")); got != "no matches yet (1 patterns)" {
		t.Errorf("nothing matched: %q", got)
	}
}

// The pane at the sizes it gets — 46×5 is the 80×24 screen's — showing a
// night's errors: a Java link failure, an nginx upstream timeout, a Go
// refusal and a flood of resets folded into one line.
func TestLogPaneGoldens(t *testing.T) {
	v := logView(t,
		errorLines[2].entry,
		errorLines[3].entry,
		errorLines[1].entry,
		strings.Repeat(errorLines[0].entry, 120))
	for _, sz := range [][2]int{{12, 3}, {20, 5}, {40, 8}, {46, 5}, {60, 14}, {100, 6}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := NewLog("", Options{Styles: DefaultStyles(true)})
			m.SetSize(sz[0], sz[1])
			m.SetSnapshot(logSnapshot(v))
			out := m.View()
			check(t, out, sz[0], sz[1])
			golden.RequireEqual(t, ansi.Strip(out))
		})
	}
}

// A fleet's line keeps its host in sight however narrow the pane, with
// the matched words after it; too narrow for both, the words win.
func TestFitMessageKeepsTheHost(t *testing.T) {
	text := "api-2 [req-609266] pool=main SequelizeDatabaseError: read ECONNRESET at Query.run"
	from := strings.Index(text, "read ECONNRESET")
	l := sources.LogLine{Text: text, Lead: len("api-2 "), Msg: len("api-2 "), KeyFrom: from, KeyTo: from + len("read ECONNRESET")}
	for room, want := range map[int]string{
		40: "api-2 read ECONNRESET at Query.run",
		30: "api-2 read ECONNRESET at Quer…",
		8:  "read EC…",
	} {
		if got := fitMessage(l, room); got != want {
			t.Errorf("at %d: %q, want %q", room, got, want)
		}
	}
}
