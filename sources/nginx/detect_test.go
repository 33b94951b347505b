package nginx

import (
	"fmt"
	"strings"
	"testing"
)

// sampleLines writes n lines of a builtin format as nginx would, with the
// variables a war room sees vary: requests, statuses, lists of upstream
// tries, forwarded-for chains.
func sampleLines(name string, n int) [][]byte {
	var out [][]byte
	for i := range n {
		combined := fmt.Sprintf(`10.0.%d.%d - - [01/Dec/2026:23:59:%02d +0800] "GET /api/yearend/result?id=%d HTTP/1.1" %d %d "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"`,
			i%7, i%250, i%60, i, []int{200, 200, 304, 499, 502}[i%5], 100+i)
		var l string
		switch name {
		case "combined":
			l = combined
		case "main":
			l = combined + []string{` "-"`, ` "198.51.100.23"`, ` "198.51.100.23, 10.0.0.1"`}[i%3]
		case "timed":
			l = combined + []string{` 0.012 0.010`, ` 1.204 1.200`, ` 0.000 -`, ` 3.001 1.500, 1.500`}[i%4]
		case "upstreaminfo":
			l = combined + []string{
				` 512 0.012 [default-web-80] [] 10.0.0.1:80 120 0.010 200 4f1c2a0d9b8e7f6a5c4d3b2a1f0e9d8c`,
				` 512 1.204 [default-web-80] [] 10.0.0.1:80, 10.0.0.2:80 0, 120 0.600, 0.600 502, 200 8e7f6a5c4d3b2a1f0e9d8c4f1c2a0d9b`,
				` 300 0.000 [] [] - - - - 00000000000000000000000000000000`,
			}[i%3]
		case "custom":
			// combined plus two variables no builtin has in this order
			l = combined + fmt.Sprintf(" %d 0.%03d", 300+i, i%1000)
		case "json":
			l = fmt.Sprintf(`{"time":"2026-12-01T23:59:%02d+08:00","remote_addr":"10.0.0.%d","status":%d,"request_time":0.012}`, i%60, i%250, 200)
		}
		out = append(out, []byte(l))
	}
	return out
}

func TestDetectPicksEachBuiltin(t *testing.T) {
	for _, name := range BuiltinNames {
		t.Run(name, func(t *testing.T) {
			d := Detect(sampleLines(name, 300))
			if d.Format == nil || d.Format.Name != name || d.Partial {
				t.Fatalf("picked %v: %s", d.Format, d)
			}
			if !strings.HasPrefix(d.String(), "format "+name+" (detected: reads 300 of 300 lines)") {
				t.Fatalf("String = %q", d)
			}
		})
	}
}

func TestDetectToleratesAFewBadLines(t *testing.T) {
	lines := sampleLines("main", 1000)
	for i := 0; i < 10; i++ { // 1%: a TLS hello, a cut line...
		lines[i*97] = []byte("\\x16\\x03\\x01 garbage")
	}
	if d := Detect(lines); d.Format == nil || d.Format.Name != "main" {
		t.Fatalf("99%%: %s", d)
	}
	lines[5] = []byte("cut")
	if d := Detect(lines); d.Format != nil {
		t.Fatalf("under 99%%: picked %s", d)
	}
}

func TestDetectPartialAndNone(t *testing.T) {
	d := Detect(sampleLines("custom", 100))
	if d.Format == nil || d.Format.Name != "combined" || !d.Partial {
		t.Fatalf("custom: %s", d)
	}
	// the strict times keep "timed" from reading "$request_length $request_time" as its two times
	if tr := d.trial(mustFormat(t, "timed")); tr.Format != nil {
		t.Fatalf("found a trial for a fresh format")
	}
	for _, tr := range d.Trials {
		if tr.Format.Name == "timed" && tr.OK != 0 {
			t.Fatalf("timed read %d custom lines", tr.OK)
		}
	}
	want := `format combined (detected: reads 100 of 100 lines, but not to their end: col `
	if s := d.String(); !strings.HasPrefix(s, want) || !strings.Contains(s, `" 300 0.000" left after the format's end`) {
		t.Fatalf("String = %q", s)
	}

	d = Detect(sampleLines("json", 50))
	if d.Format != nil || d.Closest == nil {
		t.Fatalf("json: %s", d)
	}
	if s := d.String(); !strings.Contains(s, "no built-in format reads these lines (closest: ") || !strings.Contains(s, "sample line 1 col 1: the format starts with") && !strings.Contains(s, "col 1: no") {
		t.Fatalf("String = %q", s)
	}
	if d := Detect(nil); d.Format != nil || d.String() != "no lines to detect the format from yet" {
		t.Fatalf("empty: %s", d)
	}
}

func TestTryFormatNamesTheColumn(t *testing.T) {
	f := mustFormat(t, "timed")
	line := `10.0.0.1 - - [31/Dec/2026:23:59:59 +0800] "GET / HTTP/1.1" 200 12 "-" "ua" fast 0.1`
	tr := TryFormat(f, [][]byte{[]byte(line)})
	if tr.OK != 0 || tr.Bad == nil {
		t.Fatalf("%+v", tr)
	}
	if want := strings.Index(line, "fast") + 1; tr.Bad.Col != want || tr.Bad.Reason != ReasonNumber || tr.Bad.What != "$request_time is not a number as nginx writes it" {
		t.Fatalf("bad = %+v, want col %d", *tr.Bad, want)
	}
	line = `10.0.0.1 - - [31/Dec/2026:23:59:59 +0800] "GET / HTTP/1.1" 2000 12 "-" "ua" 0.1 0.1`
	tr = TryFormat(f, [][]byte{[]byte(line)})
	if want := strings.Index(line, "2000") + 1; tr.Bad == nil || tr.Bad.Col != want || tr.Bad.Reason != ReasonStatus {
		t.Fatalf("bad = %+v, want col %d", tr.Bad, want)
	}
	tr = TryFormat(f, [][]byte{[]byte(`10.0.0.1 - - 31/Dec/2026`)})
	if tr.Bad == nil || tr.Bad.Col != 12 || tr.Bad.What != `no " [" after $remote_user` {
		t.Fatalf("bad = %+v", tr.Bad)
	}
	tr = TryFormat(mustFormat(t, `[$time_local] $status`), [][]byte{[]byte(`x [31/Dec/2026:23:59:59 +0800] 200`)})
	if tr.Bad == nil || tr.Bad.Col != 1 || tr.Bad.What != `the format starts with "["` {
		t.Fatalf("bad = %+v", tr.Bad)
	}
}

// A log with a few foreign lines (another vhost's, a reload's stragglers)
// is read by the closest builtin, the one that reads its lines whole and
// has the times, not one that reads them in part.
func TestDetectClosestOfAMixedLog(t *testing.T) {
	lines := append(sampleLines("upstreaminfo", 985), sampleLines("json", 15)...)
	d := Detect(lines)
	f, fits := d.Use()
	if d.Format != nil || f == nil || f.Name != "upstreaminfo" || !fits {
		t.Fatalf("picked %v, closest %v fits %v: %s", d.Format, f, fits, d)
	}
	if sh := d.Short(); sh != "upstreaminfo, 985 of 1000 lines" {
		t.Fatalf("short %q", sh)
	}
	lines = append(sampleLines("upstreaminfo", 800), sampleLines("json", 200)...)
	if f, fits := Detect(lines).Use(); f.Name != "upstreaminfo" || fits {
		t.Fatalf("80%%: %v fits %v", f.Name, fits)
	}
}
