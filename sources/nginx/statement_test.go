package nginx

import (
	"strings"
	"testing"
)

// Statements as they stand in real nginx.conf files, read as nginx reads
// them: what the format text becomes, and where errors point.
func TestReadStatement(t *testing.T) {
	cases := []struct {
		name, spec string
		source     string // the format text nginx would compile
		vars       string
		esc        Escape
	}{
		{name: "comments between parts and at line ends", spec: `# Grafana dashboard format
log_format json_analytics escape=json '{'
    '"msec": "$msec", ' # request unixtime in seconds with a milliseconds resolution
    '"status": "$status", ' # response status code
    '"request_time": "$request_time"'   # request processing time in seconds with msec resolution
  '}';`, source: `{"msec": "$msec", "status": "$status", "request_time": "$request_time"}`, vars: "msec status request_time", esc: EscapeJSON},
		{name: "newline after escape=json", spec: "log_format j escape=json\n  '{\"s\":$status}';", source: `{"s":$status}`, vars: "status", esc: EscapeJSON},
		{name: "tabs and CRLF between words", spec: "log_format\tx\r\n\t'$status'\r\n\t' $request_time';", source: `$status $request_time`, vars: "status request_time"},
		{name: "ltsv escapes", spec: `log_format ltsv 'time:$time_local\thost:$remote_addr\tstatus:$status\treqtime:$request_time';`,
			source: "time:$time_local\thost:$remote_addr\tstatus:$status\treqtime:$request_time", vars: "time_local remote_addr status request_time"},
		{name: "quote escapes", spec: `log_format q "$remote_addr \"$request\" \'$status\' \\ $request_time";`, source: `$remote_addr "$request" '$status' \ $request_time`, vars: "remote_addr request status request_time"},
		{name: "other escapes kept", spec: `log_format q '$status \x $request_time';`, source: `$status \x $request_time`, vars: "status request_time"},
		{name: "a variable ends with its part", spec: `log_format p '$status' '_x $request_time';`, source: `$status_x $request_time`, vars: "status request_time"},
		{name: "bare words", spec: `log_format b $remote_addr - $status;`, source: `$remote_addr-$status`, vars: "remote_addr status"},
		{name: "names ignore case", spec: `log_format u '$Remote_Addr $STATUS';`, source: `$Remote_Addr $STATUS`, vars: "remote_addr status"},
		{name: "hash inside a word", spec: `log_format h '$status #1 $request_time';`, source: `$status #1 $request_time`, vars: "status request_time"},
		{name: "no semicolon", spec: "log_format x '$status'", source: `$status`, vars: "status"},
		{name: "pasted parts only", spec: `'$remote_addr [$time_local] ' # the time
  '"$request" $status';`, source: `$remote_addr [$time_local] "$request" $status`, vars: "remote_addr time_local request status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := CompileFormat(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if f.Source != c.source {
				t.Fatalf("source = %q, want %q", f.Source, c.source)
			}
			if got := strings.Join(f.Variables(), " "); got != c.vars {
				t.Fatalf("vars = %q, want %q", got, c.vars)
			}
			if f.Escape != c.esc {
				t.Fatalf("escape = %v", f.Escape)
			}
		})
	}
}

func TestStatementErrors(t *testing.T) {
	cases := []struct{ name, spec, err string }{
		{"unclosed quote names its line", "log_format x\n  '$status'\n  '$request_time;", "nginx: log_format x at line 3 col 3: unbalanced quote ': no closing '"},
		{"text glued to a closing quote", "log_format x '$status'x;", "nginx: log_format x at col 23: unexpected x after the closing '"},
		{"bad escape mode", "log_format x\n escape=html '$status';", "nginx: log_format x at line 2 col 2: unknown escape=html"},
		{"format error points into the statement", "log_format x escape=json\n  '{\"a\":$remote_addr$status}';", "nginx: log_format x at line 2 col 21: variables $remote_addr and $status have no delimiter"},
		{"dollar alone", "log_format x '$status $ x';", "nginx: log_format x at col 23: '$' without a variable name"},
		{"bad brace name", "log_format x '${sta-tus} x';", "nginx: log_format x at col 20: '-' cannot be in a variable name"},
		{"missing name", "log_format ;", "nginx: log_format at col 13: missing name"},
		{"no parts", "log_format x escape=json;", "format is empty"},
		{"a block", "log_format x { '$status' }", "unexpected {: a log_format statement has no block"},
		{"not a builtin", "Main", `nginx: format "Main" is not a builtin (auto, combined, main, timed, upstreaminfo) and has no $variables`},
		{"two statements", "log_format x '$status';\nlog_format y '$status';", "nginx: log_format x at line 2 col 1: text after the statement's ';'"},
		{"a newline inside the format", "log_format x '$status\\n$request_time';", "nginx: log_format x at col 22: a newline inside the format splits each entry"},
		{"unbalanced bracket in a later line", "log_format x '$status'\n '[$time_local';", "nginx: log_format x at line 2 col 3: '[' without ']'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CompileFormat(c.spec)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

func FuzzReadStatement(f *testing.F) {
	for _, s := range []string{
		"log_format x '$status';",
		"log_format j escape=json\n '{' # c\n '\"s\":$status' '}';",
		`log_format l 'a:$status\tb:$request_time\n\'\"\\';`,
		"# c\nlog_format x \"$a\" '$b' $c;",
		"log_format x '$status'x",
		"log_format x '${a",
		`'$a' "$b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fm, err := CompileFormat(spec)
		if err != nil {
			var se *specError
			if asSpec(err, &se) && (se.col < 1 || se.line < 0) {
				t.Fatalf("bad position in %v", err)
			}
			return
		}
		if len(fm.steps) == 0 {
			t.Fatal("compiled with no steps")
		}
		p := NewParser(fm, ClientXFF)
		var r Record
		p.Parse([]byte(fm.Source), &r)
	})
}

func asSpec(err error, se **specError) bool {
	e, ok := err.(*specError)
	if ok {
		*se = e
	}
	return ok
}
