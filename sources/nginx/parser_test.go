package nginx

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustFormat(t testing.TB, spec string) *Format {
	t.Helper()
	f, err := CompileFormat(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseMain(t *testing.T) {
	p := NewParser(mustFormat(t, "timed"), ClientRemoteAddr)
	line := `10.1.2.3 - - [31/Dec/2026:23:59:58 +0800] "GET /yearend-api/v1/rank?stage=3 HTTP/1.1" 200 5120 "https://e.example.com/" "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44 NetType/WIFI" 0.152 0.012, 0.134`
	var r Record
	if reason := p.Parse([]byte(line), &r); reason != ReasonNone {
		t.Fatalf("reason %v", reason)
	}
	want := time.Date(2026, 12, 31, 23, 59, 58, 0, time.FixedZone("", 8*3600)).Unix()
	if r.Time != want {
		t.Errorf("time %d, want %d", r.Time, want)
	}
	checks := map[string][2]string{
		"client": {string(r.Client), "10.1.2.3"},
		"method": {string(r.Method), "GET"},
		"path":   {string(r.Path), "/yearend-api/v1/rank?stage=3"},
		"proto":  {string(r.Proto), "HTTP/1.1"},
		"ua":     {string(r.UA), "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44 NetType/WIFI"},
		"ref":    {string(r.Referer), "https://e.example.com/"},
	}
	for k, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", k, v[0], v[1])
		}
	}
	if r.Status != 200 || r.Bytes != 5120 || r.ReqTime != 152000 || r.UpTime != 146000 {
		t.Errorf("status %d bytes %d req %d up %d", r.Status, r.Bytes, r.ReqTime, r.UpTime)
	}
}

func TestParseFields(t *testing.T) {
	cases := []struct {
		name, format, line string
		client             ClientField
		reason             Reason
		check              func(r *Record) string
	}{
		{name: "upstream colon list", format: "timed",
			line:  `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 502 0 "-" "ua" 3.001 1.000 : 2.001`,
			check: func(r *Record) string { return expectInt(r.UpTime, 3001000) }},
		{name: "upstream dash", format: "timed",
			line:  `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET /a.js HTTP/1.1" 304 0 "-" "ua" 0.000 -`,
			check: func(r *Record) string { return expectInt(r.UpTime, -1) + expectBool(r.upstreamDash, true) }},
		{name: "upstream dash then time", format: "timed",
			line:  `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.5 -, 0.250`,
			check: func(r *Record) string { return expectInt(r.UpTime, 250000) }},
		{name: "ua with quotes escaped", format: "combined",
			line:  `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "a\x22b c"`,
			check: func(r *Record) string { return expectStr(r.UA, `a\x22b c`) }},
		{name: "garbage request", format: "combined",
			line:  `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "\x16\x03\x01" 400 150 "-" "-"`,
			check: func(r *Record) string { return expectStr(r.Path, `\x16\x03\x01`) + expectInt(int64(r.Status), 400) }},
		{name: "xff first hop", format: `$remote_addr "$http_x_forwarded_for" [$time_local] $status`, client: ClientXFF,
			line:  `10.0.0.1 "203.0.113.9, 10.0.0.7" [01/Jan/2027:00:00:01 +0000] 200`,
			check: func(r *Record) string { return expectStr(r.Client, "203.0.113.9") }},
		{name: "xff dash falls back", format: `$remote_addr "$http_x_forwarded_for" [$time_local] $status`, client: ClientXFF,
			line:  `10.0.0.1 "-" [01/Jan/2027:00:00:01 +0000] 200`,
			check: func(r *Record) string { return expectStr(r.Client, "10.0.0.1") }},
		{name: "iso time and msec", format: `$time_iso8601 $msec $status`,
			line:  `2027-01-01T00:00:01+08:00 1798732801.250 200`,
			check: func(r *Record) string { return expectInt(r.Time, 1798732801) + expectInt(int64(r.Milli), 250) }},
		{name: "time_local without brackets", format: `$time_local $status $remote_addr`, line: `01/Jan/2027:00:00:01 +0800 499 10.0.0.1`,
			check: func(r *Record) string { return expectInt(r.Time, 1798732801) + expectInt(int64(r.Status), 499) }},
		{name: "time_local too short", format: `[$time_local] $status`, line: `[01/Jan/2027:00:00:01] 200`, reason: ReasonTime},
		{name: "time_local too long", format: `[$time_local] $status`, line: `[01/Jan/2027:00:00:01 +08000] 200`, reason: ReasonTime},
		{name: "time_local at the end", format: `$status $time_local`, line: `200 01/Jan/2027:00:00:01 +0800x`, reason: ReasonTime},
		{name: "iso Z before a 3-byte value", format: `$time_iso8601 $request_method $uri $status`, line: `2027-01-01T00:00:01Z POST /x 200`,
			check: func(r *Record) string { return expectInt(r.Time, 1798761601) + expectStr(r.Path, "/x") }},
		{name: "iso with fractions", format: `$time_iso8601 $remote_user $status`, line: `2027-01-01T00:00:01.12Z - 200`,
			check: func(r *Record) string { return expectInt(r.Time, 1798761601) + expectInt(int64(r.Status), 200) }},
		{name: "iso Z", format: `$time_iso8601 $status`, line: `2027-01-01T00:00:01Z 200`,
			check: func(r *Record) string { return expectInt(r.Time, 1798761601) }},
		{name: "json escape", format: `log_format j escape=json '{"ip":"$remote_addr","ua":"$http_user_agent","s":$status,"t":"$time_iso8601"}';`,
			line:  `{"ip":"1.2.3.4","ua":"say \"hi\"","s":499,"t":"2027-01-01T00:00:01+00:00"}`,
			check: func(r *Record) string { return expectStr(r.UA, `say \"hi\"`) + expectInt(int64(r.Status), 499) }},
		{name: "skipped var with spaces in brackets", format: `[$time_local] [$ssl_cipher stuff] $status`,
			line:  `[01/Jan/2027:00:00:01 +0000] [ECDHE RSA AES stuff] 404`,
			check: func(r *Record) string { return expectInt(int64(r.Status), 404) }},
		{name: "uri and args", format: `$time_msec_ignored [$time_local] $request_method $uri $args $status`,
			line:  `x [01/Jan/2027:00:00:01 +0000] GET /pay/order/1 a=1 200`,
			check: func(r *Record) string { return expectStr(r.Path, "/pay/order/1") + expectStr(r.Method, "GET") }},
		{name: "crlf", format: "combined",
			line:  "1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\r",
			check: func(r *Record) string { return expectStr(r.UA, "ua") }},
		{name: "truncated", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200`, reason: ReasonTruncated},
		{name: "layout", format: "timed", line: `hello world`, reason: ReasonTruncated},
		{name: "prefix literal", format: `[$time_local] $status`, line: `01/Jan/2027:00:00:01 +0000] 200`, reason: ReasonLayout},
		{name: "bad status", format: "combined", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 2x0 1 "-" "ua"`, reason: ReasonStatus},
		{name: "bad time", format: "combined", line: `1.1.1.1 - - [32/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"`, reason: ReasonTime},
		{name: "bad month", format: "combined", line: `1.1.1.1 - - [01/Foo/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"`, reason: ReasonTime},
		{name: "bad number", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" fast 0.1`, reason: ReasonNumber},
		{name: "request_time short form not a number", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.1x3 0.1`, reason: ReasonNumber},
		{name: "request_time short form starts badly", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" /.123 0.1`, reason: ReasonNumber},
		{name: "request_time short form bad tenths", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.:23 0.1`, reason: ReasonNumber},
		{name: "request_time short form ends badly", format: "timed", line: `1.1.1.1 - - [01/Jan/2027:00:00:01 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.12x 0.1`, reason: ReasonNumber},
		{name: "request_time dash and long form", format: `$request_time $status $request_time [$time_local]`,
			line:  `- 200 12.3456789 [01/Jan/2027:00:00:01 +0800]`,
			check: func(r *Record) string { return expectInt(r.ReqTime, 12345678) }},
		{name: "request_time dash", format: `$status $request_time [$time_local]`, line: `200 - [01/Jan/2027:00:00:01 +0800]`,
			check: func(r *Record) string { return expectInt(r.ReqTime, -1) }},
		{name: "request_time short form", format: `$status $request_time [$time_local]`, line: `200 9.087 [01/Jan/2027:00:00:01 +0800]`,
			check: func(r *Record) string { return expectInt(r.ReqTime, 9087000) }},
		{name: "nul", format: "combined", line: "\x00\x00\x00\x00", reason: ReasonNUL},
		{name: "empty", format: "combined", line: "", reason: ReasonEmpty},
		{name: "too long", format: "combined", line: strings.Repeat("a", MaxLine+1), reason: ReasonTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewParser(mustFormat(t, c.format), c.client)
			var r Record
			reason := p.Parse([]byte(c.line), &r)
			if reason != c.reason {
				t.Fatalf("reason = %v, want %v", reason, c.reason)
			}
			if c.check != nil {
				if msg := c.check(&r); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
}

func expectInt(got, want int64) string {
	if got != want {
		return "got " + itoa(got) + ", want " + itoa(want) + "; "
	}
	return ""
}

func expectBool(got, want bool) string {
	if got != want {
		return "bool mismatch; "
	}
	return ""
}

func expectStr(got []byte, want string) string {
	if string(got) != want {
		return "got " + string(got) + ", want " + want + "; "
	}
	return ""
}

func itoa(v int64) string {
	return strings.TrimSpace(strings.Replace(time.Duration(v).String(), "ns", "", 1))
}

func TestParseTimeCacheAcrossSeconds(t *testing.T) {
	p := NewParser(mustFormat(t, `[$time_local] $status`), ClientRemoteAddr)
	var r Record
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)
	for i := 0; i < 5; i++ {
		ts := base.Add(time.Duration(i) * time.Second)
		for j := 0; j < 2; j++ { // second line of the same second hits the cache
			line := "[" + ts.Format("02/Jan/2006:15:04:05 -0700") + "] 200"
			if reason := p.Parse([]byte(line), &r); reason != ReasonNone {
				t.Fatal(reason)
			}
			if r.Time != ts.Unix() {
				t.Fatalf("%s parsed as %d, want %d", line, r.Time, ts.Unix())
			}
		}
	}
}

func TestParseAllocs(t *testing.T) {
	p := NewParser(mustFormat(t, "timed"), ClientXFF)
	line := []byte(`10.1.2.3 - - [31/Dec/2026:23:59:58 +0800] "GET /a?b=1 HTTP/1.1" 200 5120 "-" "ua" 0.152 0.012, 0.134`)
	var r Record
	if n := testing.AllocsPerRun(100, func() { p.Parse(line, &r) }); n != 0 {
		t.Fatalf("Parse allocates %v per line", n)
	}
}

func TestParseSecondsShortForm(t *testing.T) {
	for _, s := range []string{"0.195", "9.999", "1.000", "a.123", "1.2x3", "1.23", "12.345", "0.0001", "-", "1,234", "/.123"} {
		got, ok := parseSeconds([]byte(s))
		// the general path, reached by a leading zero that doesn't change the value
		want, wok := parseSeconds([]byte("0" + s))
		if s[0] < '0' || s[0] > '9' {
			want, wok = 0, false
		}
		if got != want || ok != wok {
			t.Errorf("parseSeconds(%q) = %d %v, want %d %v", s, got, ok, want, wok)
		}
	}
}

// splitRequestRef is splitRequest without its fast path.
func splitRequestRef(v []byte, r *Record) {
	sp := bytes.IndexByte(v, ' ')
	if sp < 0 {
		r.Path = v
		return
	}
	r.Method = v[:sp]
	rest := v[sp+1:]
	if last := bytes.LastIndexByte(rest, ' '); last >= 0 && bytes.HasPrefix(rest[last+1:], []byte("HTTP/")) {
		r.Proto = rest[last+1:]
		rest = rest[:last]
	}
	r.Path = rest
}

func TestSplitRequestAgreesWithSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	// the parser splits the usual request itself
	p := NewParser(mustFormat(t, `$status "$request" -`), ClientRemoteAddr)
	parts := []string{"GET", " ", "/", "a", "HTTP/", "1.1", "2.0", "1 1", "HTTP/1.1", " HTTP/1.1", "\\x16", "?", "OPTIONS", "/yearend-api/v1"}
	for i := 0; i < 100000; i++ {
		var b []byte
		for n := rng.IntN(10); n >= 0; n-- {
			b = append(b, parts[rng.IntN(len(parts))]...)
		}
		var got, parsed, want Record
		splitRequest(b, &got)
		splitRequestRef(b, &want)
		if string(got.Method) != string(want.Method) || string(got.Path) != string(want.Path) || string(got.Proto) != string(want.Proto) {
			t.Fatalf("%q: split as %q %q %q, want %q %q %q", b, got.Method, got.Path, got.Proto, want.Method, want.Path, want.Proto)
		}
		if bytes.IndexByte(b, '"') >= 0 {
			continue
		}
		if reason := p.Parse([]byte(`200 "`+string(b)+`" -`), &parsed); reason != ReasonNone {
			t.Fatalf("%q: %v", b, reason)
		}
		if string(parsed.Method) != string(want.Method) || string(parsed.Path) != string(want.Path) || string(parsed.Proto) != string(want.Proto) {
			t.Fatalf("%q: parsed as %q %q %q, want %q %q %q", b, parsed.Method, parsed.Path, parsed.Proto, want.Method, want.Path, want.Proto)
		}
	}
}

func TestLastIndexByte(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const c = '"'
	pool := []byte{c, c ^ 0x80, 0, 0x80, 0xff, c - 1, c + 1, 'a'}
	for i := 0; i < 100000; i++ {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			b[j] = pool[rng.IntN(len(pool))]
		}
		if got, want := lastIndexByte(b, c), bytes.LastIndexByte(b, c); got != want {
			t.Fatalf("%q: %d, want %d", b, got, want)
		}
	}
}
