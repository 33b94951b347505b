package nginx

import (
	"strings"
	"testing"
)

func TestCompileFormat(t *testing.T) {
	cases := []struct {
		name, spec string
		vars       string // space-joined variable names, or
		err        string // expected error substring
		esc        Escape
	}{
		{name: "builtin combined", spec: "combined", vars: "remote_addr remote_user time_local request status body_bytes_sent http_referer http_user_agent"},
		{name: "builtin main", spec: "main", vars: "remote_addr remote_user time_local request status body_bytes_sent http_referer http_user_agent http_x_forwarded_for"},
		{name: "builtin timed", spec: "timed", vars: "remote_addr remote_user time_local request status body_bytes_sent http_referer http_user_agent request_time upstream_response_time"},
		{name: "builtin upstreaminfo", spec: "upstreaminfo", vars: "remote_addr remote_user time_local request status body_bytes_sent http_referer http_user_agent request_length request_time proxy_upstream_name proxy_alternative_upstream_name upstream_addr upstream_response_length upstream_response_time upstream_status req_id"},
		{name: "bare", spec: `$remote_addr [$time_iso8601] "$request" $status ${request_time}s`, vars: "remote_addr time_iso8601 request status request_time"},
		{name: "statement", spec: `log_format  timed  '$remote_addr - $remote_user [$time_local] '
                     '"$request" $status $body_bytes_sent '
                     '$request_time';`, vars: "remote_addr remote_user time_local request status body_bytes_sent request_time"},
		{name: "statement json", spec: `log_format j escape=json '{"ip":"$remote_addr","t":"$time_iso8601","s":$status}';`, vars: "remote_addr time_iso8601 status", esc: EscapeJSON},
		{name: "pasted quoted", spec: `'$remote_addr [$time_local] "$request" $status'`, vars: "remote_addr time_local request status"},
		{name: "no delimiter", spec: `$remote_addr$status`, err: "col 13: variables $remote_addr and $status have no delimiter"},
		{name: "unbalanced dquote", spec: `$remote_addr "$request $status`, err: `col 14: unbalanced quote "`},
		{name: "unbalanced bracket", spec: `$remote_addr [$time_local $status`, err: "col 14: '[' without ']'"},
		{name: "unbalanced squote", spec: `log_format x '$remote_addr $status;`, err: "unbalanced quote '"},
		{name: "bad escape", spec: `log_format x escape=html '$status';`, err: "unknown escape=html"},
		{name: "empty", spec: ``, err: "format is empty"},
		{name: "no vars", spec: `hello world`, err: "no variables"},
		{name: "a word", spec: `hello`, err: `format "hello" is not a builtin`},
		{name: "lone dollar", spec: `$ $status`, err: "col 1: '$' without a variable name"},
		{name: "unclosed brace", spec: `${status`, err: "col 1: unclosed ${"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := CompileFormat(c.spec)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(f.Variables(), " "); got != c.vars {
				t.Fatalf("vars = %q, want %q", got, c.vars)
			}
			if f.Escape != c.esc {
				t.Fatalf("escape = %v, want %v", f.Escape, c.esc)
			}
		})
	}
}
