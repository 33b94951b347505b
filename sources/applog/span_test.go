package applog

import (
	"strings"
	"testing"
	"unicode/utf8"

	"warroom/sources"
)

// Real error lines, as the services that fail on a stage-end night write
// them: where the message starts and which words a cut line keeps.
var realErrors = []struct {
	name  string
	entry string
	msg   string // Text[Msg:] starts with it
	key   string // Text[KeyFrom:KeyTo]
}{
	{"node", "2026-12-31T17:30:01.123+08:00 ERROR [yearend-api] SequelizeDatabaseError: read ECONNRESET\n" +
		"    at Query.formatError (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)\n" +
		"    at Query.run (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:68:18)\n",
		"SequelizeDatabaseError: read ECONNRESET (+2 lines)", "read ECONNRESET"},
	{"winston", "2026-12-31T17:30:01.123Z error: SequelizeDatabaseError: read ECONNRESET\n",
		"SequelizeDatabaseError: read ECONNRESET", "read ECONNRESET"},
	{"pino", `{"level":50,"time":1798738260000,"pid":1,"reqId":"req-7f3a","msg":"query failed","err":{"type":"SequelizeConnectionError","message":"connect ECONNREFUSED 10.0.0.5:3306"}}` + "\n",
		"query failed: SequelizeConnectionError: connect ECONNREFUSED 10.0.0.5:3306", "connect ECONNREFUSED"},
	{"go log", "2026/12/31 17:30:01 query failed: dial tcp 10.0.0.5:3306: connect: connection refused\n",
		"query failed: dial tcp 10.0.0.5:3306: connect: connection refused", "connect: connection refused"},
	{"go slog", `time=2026-12-31T17:30:01.123Z level=ERROR msg="query failed" err="dial tcp 10.0.0.5:3306: connect: connection refused"` + "\n",
		"dial tcp 10.0.0.5:3306: connect: connection refused", "connect: connection refused"},
	{"java trace", "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n" +
		"\tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174)\n",
		"com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure", "Communications link failure"},
	{"spring", "2026-12-31 17:30:01.123 ERROR 1 --- [nio-8080-exec-3] o.h.engine.jdbc.spi.SqlExceptionHelper   : Communications link failure\n",
		"Communications link failure", "Communications link failure"},
	{"spring cause", "2026-12-31 17:30:01.123 ERROR 1 --- [nio-8080-exec-3] c.e.y.RankController : rank failed: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\n",
		"rank failed: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed", "CannotGetJdbcConnectionException"},
	{"nginx", `2026/12/31 17:30:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: api.example.com, request: "GET /api/v2/rank HTTP/1.1"` + "\n",
		"upstream timed out (110: Connection timed out) while", "upstream timed out (110: Connection timed out)"},
}

// errorPatterns are the built-in packs and what a Go service's owner adds.
var errorPatterns = Options{Packs: []string{"db", "upstream"}, Patterns: []Pattern{{Name: "refused", Substring: "connect: connection refused"}}}

func TestSpansOfRealErrors(t *testing.T) {
	for _, c := range realErrors {
		w := newWatcher(t, errorPatterns)
		w.Ingest([]byte(c.entry))
		w.Flush()
		v := w.View(now)
		if len(v.Lines) != 1 {
			t.Fatalf("%s: lines %+v", c.name, v.Lines)
		}
		l := v.Lines[0]
		checkSpans(t, l)
		if !strings.HasPrefix(l.Text[l.Msg:], c.msg) {
			t.Errorf("%s: message starts %q, want %q", c.name, l.Text[l.Msg:], c.msg)
		}
		if got := l.Text[l.KeyFrom:l.KeyTo]; got != c.key {
			t.Errorf("%s: key %q, want %q", c.name, got, c.key)
		}
	}
}

// A match only a stack frame holds is not in the line: no key, and the
// line reads from its start.
func TestSpansMatchNotShown(t *testing.T) {
	w := newWatcher(t, Options{Packs: []string{"db"}})
	w.Ingest([]byte("2026-12-31T17:30:01Z ERROR query failed\n    at Connection.read ECONNRESET\n"))
	w.Flush()
	l := w.View(now).Lines[0]
	if l.Msg != 0 || l.KeyFrom != 0 || l.KeyTo != 0 {
		t.Errorf("spans %d %d %d in %q, want none", l.Msg, l.KeyFrom, l.KeyTo, l.Text)
	}
}

func TestChainStart(t *testing.T) {
	for _, c := range []struct{ text, at, want string }{
		{"error: boom: read ECONNRESET", "read", "boom: read ECONNRESET"},
		{"ERROR failed: x", "x", "failed: x"},
		{"ERROR [api] req=7 failed: x", "x", "failed: x"},
		{"a, b: c: x", "x", "b: c: x"},
		{"at http://h:80 x", "x", "x"}, // no chain: a URL's colon is not followed by a space
		{"Logger : x", "x", "x"},       // " : " separates a logger, not a chain
		{"15:49:03: x", "x", "x"},      // a time is no segment
		{"[2026-12-31 17:30:01] x: y", "y", "x: y"},
	} {
		at := strings.Index(c.text, c.at)
		if got := c.text[chainStart(c.text, at):]; got != c.want {
			t.Errorf("chainStart(%q at %q) reads %q, want %q", c.text, c.at, got, c.want)
		}
	}
}

// checkSpans holds a line's offsets to what LogLine promises.
func checkSpans(t *testing.T, l sources.LogLine) {
	t.Helper()
	if l.KeyTo == 0 {
		if l.Msg != 0 || l.KeyFrom != 0 {
			t.Fatalf("no key but spans %d %d in %q", l.Msg, l.KeyFrom, l.Text)
		}
		return
	}
	if !(0 <= l.Msg && l.Msg <= l.KeyFrom && l.KeyFrom < l.KeyTo && l.KeyTo <= len(l.Text)) {
		t.Fatalf("spans %d %d %d out of order in %q", l.Msg, l.KeyFrom, l.KeyTo, l.Text)
	}
	for _, i := range []int{l.Msg, l.KeyFrom, l.KeyTo} {
		if i < len(l.Text) && !utf8.RuneStart(l.Text[i]) {
			t.Fatalf("offset %d splits a rune in %q", i, l.Text)
		}
	}
}
