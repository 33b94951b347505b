package nginx

import (
	"fmt"
	"testing"
)

// Values that hold the literal that ends them, in the shapes real formats
// give them. Each case names what must be read; the full parser and the
// aggregator's counting parser must both read it.
func TestValuesHoldingTheirDelimiter(t *testing.T) {
	type want struct {
		client, method, path, proto string
		status                      int
		req, up                     int64
		time                        int64
	}
	const t0 = 1798732801 // 01/Jan/2027:00:00:01 +0800
	cases := []struct {
		name, format, line string
		client             ClientField
		want               want
	}{
		{name: "unquoted request", format: `$remote_addr [$time_local] $request $status $request_time`,
			line: `10.0.0.1 [01/Jan/2027:00:00:01 +0800] GET /x?a=1 HTTP/1.1 200 0.123`,
			want: want{client: "10.0.0.1", method: "GET", path: "/x?a=1", proto: "HTTP/1.1", status: 200, req: 123000, up: -1, time: t0}},
		{name: "unquoted request, no request", format: `$remote_addr [$time_local] $request $status $request_time`,
			line: `10.0.0.1 [01/Jan/2027:00:00:01 +0800] - 400 0.000`,
			want: want{client: "10.0.0.1", path: "-", status: 400, req: 0, up: -1, time: t0}},
		{name: "unquoted request with a space in the target", format: `$remote_addr [$time_local] $request $status $request_time`,
			line: `10.0.0.1 [01/Jan/2027:00:00:01 +0800] GET /a b HTTP/1.0 200 0.001`,
			want: want{client: "10.0.0.1", method: "GET", path: "/a b", proto: "HTTP/1.0", status: 200, req: 1000, up: -1, time: t0}},
		{name: "time_local without brackets", format: `$remote_addr $time_local $status $request_time`,
			line: `10.0.0.1 01/Jan/2027:00:00:01 +0800 200 0.010`,
			want: want{client: "10.0.0.1", status: 200, req: 10000, up: -1, time: t0}},
		{name: "upstream lists before a space", format: `$time_local|$status|$upstream_addr $upstream_status $upstream_response_time $request_time`,
			line: `01/Jan/2027:00:00:01 +0800|200|10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 502, 504 : 200 0.100, 0.200 : 0.300 0.650`,
			want: want{status: 200, req: 650000, up: 600000, time: t0}},
		{name: "upstream list before a comma literal", format: `$time_local,$status,$upstream_response_time, $request_time`,
			line: `01/Jan/2027:00:00:01 +0800,200,0.100, 0.200, 0.350`,
			want: want{status: 200, req: 350000, up: 300000, time: t0}},
		{name: "upstream list before a colon literal", format: `$time_local $status $upstream_response_time : $request_time`,
			line: `01/Jan/2027:00:00:01 +0800 200 0.100 : 0.200 : 0.350`,
			want: want{status: 200, req: 350000, up: 300000, time: t0}},
		{name: "upstream list before a comma and a length", format: `$remote_addr, $time_local, $upstream_response_time, $body_bytes_sent, $request, $status`,
			line: `10.0.0.1, 01/Jan/2027:00:00:01 +0800, -, 5, GET /x HTTP/1.1, 200`,
			want: want{client: "10.0.0.1", method: "GET", path: "/x", proto: "HTTP/1.1", status: 200, req: -1, up: -1, time: t0}},
		{name: "addresses before a colon literal", format: `[$time_local] $status to: $upstream_addr: $request urt $upstream_response_time`,
			line: `[01/Jan/2027:00:00:01 +0800] 200 to: 10.0.0.1:80 : 10.0.0.2:8080: GET /a HTTP/1.1 urt 0.001 : 0.002`,
			want: want{method: "GET", path: "/a", proto: "HTTP/1.1", status: 200, req: -1, up: 3000, time: t0}},
		{name: "a format ending in a newline", format: "log_format nl '$status $request_time\\n';",
			line: `200 0.001`,
			want: want{status: 200, req: 1000, up: -1}},
		{name: "upstream dash list", format: `$time_local $status $upstream_response_time $request_time`,
			line: `01/Jan/2027:00:00:01 +0800 502 -, 0.002 0.003`,
			want: want{status: 502, req: 3000, up: 2000, time: t0}},
		{name: "unquoted forwarded-for chain before remote_addr", format: `$http_x_forwarded_for - $remote_addr [$time_local] "$request" $status`, client: ClientXFF,
			line: `198.51.100.23, 10.0.0.1 - 10.0.0.2 [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200`,
			want: want{client: "198.51.100.23", method: "GET", path: "/", proto: "HTTP/1.1", status: 200, req: -1, up: -1, time: t0}},
		{name: "unquoted forwarded-for chain, remote_addr counted", format: `$http_x_forwarded_for - $remote_addr [$time_local] "$request" $status`,
			line: `198.51.100.23, 10.0.0.1 - 10.0.0.2 [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200`,
			want: want{client: "10.0.0.2", method: "GET", path: "/", proto: "HTTP/1.1", status: 200, req: -1, up: -1, time: t0}},
		{name: "chain joined to remote_addr by a comma", format: `$http_x_forwarded_for, $remote_addr [$time_local] $status`,
			line: `198.51.100.23, 10.0.0.1, 10.0.0.2 [01/Jan/2027:00:00:01 +0800] 200`,
			want: want{client: "10.0.0.2", status: 200, req: -1, up: -1, time: t0}},
		{name: "decoded uri with spaces", format: `$remote_addr [$time_local] "$request_method $uri $server_protocol" $status`,
			line: `10.0.0.1 [01/Jan/2027:00:00:01 +0800] "GET /a b/c d HTTP/2.0" 404`,
			want: want{client: "10.0.0.1", method: "GET", path: "/a b/c d", proto: "HTTP/2.0", status: 404, req: -1, up: -1, time: t0}},
		{name: "ltsv", format: "log_format ltsv 'time:$time_local\\thost:$remote_addr\\treq:$request\\tstatus:$status\\treqtime:$request_time\\tapptime:$upstream_response_time';",
			line: "time:01/Jan/2027:00:00:01 +0800\thost:10.0.0.1\treq:GET /x HTTP/1.1\tstatus:499\treqtime:1.500\tapptime:-",
			want: want{client: "10.0.0.1", method: "GET", path: "/x", proto: "HTTP/1.1", status: 499, req: 1500000, up: -1, time: t0}},
		{name: "json strings and bare numbers", format: `log_format j escape=json '{"t":"$time_local","ip":"$remote_addr","r":"$request","s":$status,"rt":$request_time,"urt":"$upstream_response_time"}';`,
			line: `{"t":"01/Jan/2027:00:00:01 +0800","ip":"10.0.0.1","r":"GET /q?\"x\" HTTP/1.1","s":200,"rt":0.020,"urt":"0.010, 0.005"}`,
			want: want{client: "10.0.0.1", method: "GET", path: `/q?\"x\"`, proto: "HTTP/1.1", status: 200, req: 20000, up: 15000, time: t0}},
		{name: "json empty upstream", format: `log_format j escape=json '{"t":"$time_local","s":$status,"urt":"$upstream_response_time","rt":$request_time}';`,
			line: `{"t":"01/Jan/2027:00:00:01 +0800","s":301,"urt":"","rt":0.000}`,
			want: want{status: 301, req: 0, up: -1, time: t0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustFormat(t, c.format)
			for _, p := range []*Parser{NewParser(f, c.client), newCountingParser(f, c.client)} {
				var r Record
				if reason := p.Parse([]byte(c.line), &r); reason != ReasonNone {
					tr := TryFormat(f, [][]byte{[]byte(c.line)})
					t.Fatalf("reason %v: %v", reason, tr.Bad)
				}
				got := want{client: string(r.Client), status: r.Status, req: r.ReqTime, up: r.UpTime, time: r.Time}
				if p.f == f && len(p.steps) > 0 && &p.steps[0] == &f.steps[0] { // the full parser fills every field
					got.method, got.path, got.proto = string(r.Method), string(r.Path), string(r.Proto)
				} else {
					c.want.method, c.want.proto = "", ""
					got.path = string(r.Path)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("read  %+v\nwant %+v", got, c.want)
				}
			}
		})
	}
}

// The readers of values that hold their delimiter never panic or read past
// a line, and the counting parser agrees with the full one on them.
func FuzzParseShapes(f *testing.F) {
	formats := []string{
		`$remote_addr [$time_local] $request $status $request_time`,
		`$time_local|$status|$upstream_addr $upstream_status $upstream_response_time $request_time`,
		`$time_local,$status,$upstream_response_time, $request_time`,
		`$http_x_forwarded_for, $remote_addr [$time_local] $status`,
		`$remote_addr [$time_local] "$request_method $uri $server_protocol" $status`,
		`[$time_local] $status to: $upstream_addr: $request urt $upstream_response_time`,
		`log_format j escape=json '{"t":"$time_local","r":"$request","s":$status,"urt":"$upstream_response_time"}';`,
	}
	for i, l := range []string{
		`10.0.0.1 [01/Jan/2027:00:00:01 +0800] GET /a b HTTP/1.0 200 0.001`,
		`01/Jan/2027:00:00:01 +0800|200|10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 502, 504 : 200 0.100, 0.200 : 0.300 0.650`,
		`01/Jan/2027:00:00:01 +0800,200,0.100, 0.200, 0.350`,
		`198.51.100.23, 10.0.0.1, 10.0.0.2 [01/Jan/2027:00:00:01 +0800] 200`,
		`10.0.0.1 [01/Jan/2027:00:00:01 +0800] "GET /a b/c d HTTP/2.0" 404`,
		`[01/Jan/2027:00:00:01 +0800] 200 to: 10.0.0.1:80 : 10.0.0.2:8080: GET /a HTTP/1.1 urt 0.001 : 0.002`,
		`{"t":"01/Jan/2027:00:00:01 +0800","r":"GET /q?\"x\" HTTP/1.1","s":200,"urt":"0.010, 0.005"}`,
	} {
		f.Add(uint8(i), l)
	}
	var compiled []*Format
	for _, spec := range formats {
		fm, err := CompileFormat(spec)
		if err != nil {
			f.Fatal(err)
		}
		compiled = append(compiled, fm)
	}
	f.Fuzz(func(t *testing.T, which uint8, line string) {
		fm := compiled[int(which)%len(compiled)]
		var rf, rc Record
		full, counting := NewParser(fm, ClientXFF), newCountingParser(fm, ClientXFF)
		want, got := full.Parse([]byte(line), &rf), counting.Parse([]byte(line), &rc)
		if want != got {
			t.Fatalf("full %v, counting %v", want, got)
		}
		if want == ReasonNone && (rf.Status != rc.Status || rf.ReqTime != rc.ReqTime || rf.UpTime != rc.UpTime || string(rf.Client) != string(rc.Client) || string(rf.Path) != string(rc.Path)) {
			t.Fatalf("full %+v\ncounting %+v", rf, rc)
		}
		if want == ReasonNone && (full.end > len(line) || full.rest < 0) {
			t.Fatalf("read past the line: end %d rest %d", full.end, full.rest)
		}
	})
}
