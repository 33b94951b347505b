package nginx

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// nginxEscape writes v as nginx's escape=default does: '"', '\' and bytes
// below 0x20 or above 0x7e as \xHH.
func nginxEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '"' || c == '\\' || c < 0x20 || c > 0x7e {
			fmt.Fprintf(&b, `\x%02X`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// randomValue is a plausible (sometimes odd) value of an nginx variable.
func randomValue(rng *rand.Rand, name string) string {
	text := func(n int) string {
		const pool = "abc XYZ/-.;()\"\\\x01\xe4\xbd\xa0[]{}:,=?&09"
		b := make([]byte, rng.IntN(n))
		for i := range b {
			b[i] = pool[rng.IntN(len(pool))]
		}
		return string(b)
	}
	secs := func() string {
		return fmt.Sprintf("%d.%03d", rng.IntN(12), rng.IntN(1000))
	}
	switch name {
	case "remote_addr":
		return fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256))
	case "time_local":
		return time.Unix(1798700000+rng.Int64N(100000), 0).UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "time_iso8601":
		return time.Unix(1798700000+rng.Int64N(100000), 0).UTC().Format(time.RFC3339)
	case "request":
		return []string{"GET", "POST", "\x16\x03"}[rng.IntN(3)] + " /" + text(30) + " HTTP/1.1"
	case "status":
		return []string{"200", "499", "504", "2x0"}[rng.IntN(4)]
	case "body_bytes_sent":
		return fmt.Sprint(rng.IntN(100000))
	case "request_time":
		return secs()
	case "upstream_response_time":
		return []string{"-", secs(), secs() + ", " + secs(), secs() + " : -"}[rng.IntN(4)]
	case "http_x_forwarded_for":
		return []string{"-", "203.0.113.7", "203.0.113.7, 10.0.0.1"}[rng.IntN(3)]
	case "request_length":
		return fmt.Sprint(rng.IntN(5000))
	case "proxy_upstream_name":
		return "default-web-80"
	case "proxy_alternative_upstream_name":
		return ""
	case "req_id":
		return fmt.Sprintf("%032x", rng.Uint64())
	case "upstream_addr":
		return []string{"-", "10.0.0.1:80", "10.0.0.1:80, 10.0.0.2:80", "10.0.0.1:80 : 10.0.0.3:8080"}[rng.IntN(4)]
	case "upstream_response_length":
		return []string{"-", "0", "512", "0, 512", "0 : 512"}[rng.IntN(5)]
	case "upstream_status":
		return []string{"-", "200", "502, 200", "504 : 200"}[rng.IntN(4)]
	}
	return text(60)
}

// The aggregator's parser skips fields it does not read, and jumps over a
// run of them that ends at the format's last quote. On lines as nginx
// writes them it must agree with the full parser on everything counted.
func TestCountingParserAgreesWithFullParser(t *testing.T) {
	formats := []struct {
		spec   string
		client ClientField
		jumps  bool
	}{
		{"timed", ClientRemoteAddr, true},
		{"main", ClientRemoteAddr, true},
		{"upstreaminfo", ClientRemoteAddr, true},
		{"combined", ClientRemoteAddr, true},
		{`$remote_addr [$time_local] "$request" $status "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_response_time $host`, ClientRemoteAddr, true},
		{`$remote_addr [$time_local] "$request" $status "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_response_time $host`, ClientXFF, false},
		{`[$time_iso8601] "$http_user_agent" $remote_addr "$request" $status $request_time`, ClientRemoteAddr, false},
		{`log_format j escape=json '{"ip":"$remote_addr","ua":"$http_user_agent","s":$status,"t":"$time_iso8601"}';`, ClientRemoteAddr, false},
		// JSON escapes a quote as \", so a raw quote may be in a value
		{`log_format j escape=json '{"t":"$time_iso8601","ua":"$http_user_agent"} $status $request_uri';`, ClientRemoteAddr, false},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, fc := range formats {
		f := mustFormat(t, fc.spec)
		full, counting := NewParser(f, fc.client), newCountingParser(f, fc.client)
		jumps := false
		for _, s := range counting.steps {
			jumps = jumps || s.jump > 0
		}
		if jumps != fc.jumps {
			t.Errorf("%s: jump planned %v, want %v", fc.spec, jumps, fc.jumps)
		}
		accepted := 0
		for i := 0; i < 3000; i++ {
			var b strings.Builder
			b.WriteString(string(f.prefix))
			for _, s := range f.steps {
				v := randomValue(rng, s.name)
				if f.Escape == EscapeDefault {
					v = nginxEscape(v)
				} else {
					v = strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(v)
				}
				b.WriteString(v)
				b.Write(s.after)
			}
			line := []byte(b.String())
			var rf, rc Record
			want, got := full.Parse(line, &rf), counting.Parse(line, &rc)
			if got != want {
				t.Fatalf("%s\n%s\ncounting parser: %v, full parser: %v", fc.spec, line, got, want)
			}
			if want != ReasonNone {
				continue
			}
			accepted++
			w := fmt.Sprint(rf.Time, rf.Milli, rf.HasTime, string(rf.Client), string(rf.Path), rf.Status, rf.Bytes, rf.ReqTime, rf.UpTime, rf.upstreamDash)
			g := fmt.Sprint(rc.Time, rc.Milli, rc.HasTime, string(rc.Client), string(rc.Path), rc.Status, rc.Bytes, rc.ReqTime, rc.UpTime, rc.upstreamDash)
			if g != w {
				t.Fatalf("%s\n%s\ncounting parser read %s\nfull parser read     %s", fc.spec, line, g, w)
			}
		}
		if accepted < 1000 {
			t.Errorf("%s: only %d of 3000 lines accepted; the test compares too little", fc.spec, accepted)
		}
	}
}

// The straight-line start (commonPrefix) must agree with the step loop on
// every line: lines as nginx writes them, and the same lines with bytes
// changed, cut or repeated around the six fields it reads.
func TestCommonPrefixAgreesWithStepLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, spec := range []string{"timed", "main", "combined", "upstreaminfo", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $host`} {
		f := mustFormat(t, spec)
		for _, client := range []ClientField{ClientRemoteAddr, ClientXFF} {
			parsers := []*Parser{NewParser(f, client), newCountingParser(f, client)}
			if !parsers[0].common || !parsers[1].common {
				t.Fatalf("%s: the common start is not recognized", spec)
			}
			fast := 0
			for i := 0; i < 8000; i++ {
				var b strings.Builder
				for _, s := range f.steps {
					v := nginxEscape(randomValue(rng, s.name))
					switch {
					case s.name == "remote_user" && rng.IntN(4) > 0:
						v = "-"
					case s.name == "body_bytes_sent" && rng.IntN(8) == 0:
						v = []string{"-", "", "123456789012345678", "1234567890123456789", "99999999999999999999", "12 3", "0x1"}[rng.IntN(7)]
					case s.name == "remote_addr" && rng.IntN(8) == 0:
						v = []string{"", "2001:db8:85a3:0:0:8a2e:370:7334", "a b", "-"}[rng.IntN(4)]
					}
					b.WriteString(v)
					b.Write(s.after)
				}
				line := []byte(b.String())
				switch rng.IntN(4) {
				case 0: // a byte changed among the first hundred
					line[rng.IntN(min(len(line), 100))] = " -[]\"0a\\"[rng.IntN(8)]
				case 1: // cut short
					line = line[:rng.IntN(len(line))]
				}
				for _, p := range parsers {
					loop := *p
					loop.common = false
					var rf, rl Record
					got, want := p.Parse(line, &rf), loop.Parse(line, &rl)
					if got != want {
						t.Fatalf("%s\n%q\ncommon start: %v, step loop: %v", spec, line, got, want)
					}
					if got != ReasonNone {
						continue
					}
					g := fmt.Sprintf("%+v", rf)
					if w := fmt.Sprintf("%+v", rl); g != w {
						t.Fatalf("%s\n%q\ncommon start read %s\nstep loop read    %s", spec, line, g, w)
					}
				}
				var r Record
				if parsers[1].commonPrefix(line, &r) >= 0 {
					fast++
				}
			}
			if fast < 2000 {
				t.Errorf("%s: the straight-line start took only %d of 8000 lines", spec, fast)
			}
		}
	}
}

// Under escape=json a request may hold \" (nginx's escape for a quote):
// it does not end the value, so the straight-line start must not be used.
func TestCommonPrefixNotForJSON(t *testing.T) {
	f := mustFormat(t, `log_format j escape=json '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`)
	line := []byte(`1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET /a\" 200 1 " 400 150 "-" "curl"`)
	for _, p := range []*Parser{NewParser(f, ClientRemoteAddr), newCountingParser(f, ClientRemoteAddr)} {
		var r Record
		if reason := p.Parse(line, &r); reason != ReasonNone {
			t.Fatal(reason)
		}
		if r.Status != 400 || r.Bytes != 150 || string(r.Path) != `/a\" 200 1 ` {
			t.Fatalf("read status %d, bytes %d, path %q; want 400, 150, %q", r.Status, r.Bytes, r.Path, `/a\" 200 1 `)
		}
	}
}
