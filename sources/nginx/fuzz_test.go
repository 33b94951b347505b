package nginx

import (
	"testing"
	"time"
)

func FuzzCompileFormat(f *testing.F) {
	for _, s := range []string{"main", "combined", `log_format x escape=json '{"a":"$remote_addr"}';`, `$a "$b" [$c]`, `${a}x$b`, `'$a' "$b`, `$`, `[$time_local`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fm, err := CompileFormat(spec)
		if err != nil {
			return
		}
		p := NewParser(fm, ClientXFF)
		var r Record
		p.Parse([]byte(spec), &r)
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`1.1.1.1 - - [31/Dec/2026:23:59:58 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.1 0.1, 0.2`,
		`1.1.1.1 - - [31/Dec/2026:23:59:58 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.1 0.1 : -`,
		`1.1.1.1 - - [31/Dec/2026:23:59:58 +0800] "\x16\x03" 400`,
		"\x00\xff\xfe",
		`1.1.1.1 - - [99/Zzz/9999:99:99:99 +9999] "" 999 -1 "" "" -0.5 ,,,`,
	} {
		f.Add(s)
	}
	fm, err := CompileFormat("timed")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p := NewParser(fm, ClientRemoteAddr)
		var r Record
		if p.Parse([]byte(line), &r) == ReasonNone {
			if r.Status < 100 || r.Status > 999 {
				t.Fatalf("accepted status %d", r.Status)
			}
		}
		a := NewAggregator(Options{Format: fm, Seconds: 60, Minutes: 60, DetailMinutes: 2, Now: func() time.Time { return time.Unix(1798732800, 0) }})
		a.Ingest([]byte(line))
		s := a.Summary(3)
		if s.Lines == 0 && len(line) > 0 {
			t.Fatal("line not counted")
		}
	})
}
