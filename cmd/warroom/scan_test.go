package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"warroom/sources/nginx/synth"
)

// needTool finds a binary or skips, unless integration is required.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("WARROOM_REQUIRE_INTEGRATION") == "1" {
			t.Fatalf("%s not found and WARROOM_REQUIRE_INTEGRATION=1: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func writeLog(t *testing.T, lines int, extra string) string {
	t.Helper()
	var b bytes.Buffer
	if err := synth.Write(&b, synth.Options{Seed: 42, Lines: lines, Rate: 1500}); err != nil {
		t.Fatal(err)
	}
	b.WriteString(extra)
	p := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type scanOut struct {
	Requests  uint64            `json:"requests"`
	Malformed uint64            `json:"malformed"`
	Status    map[string]uint64 `json:"status"`
	Slow      uint64            `json:"slow"`
	SlowRatio float64           `json:"slow_ratio"`
	Latency   struct{ P50, P95, P99 float64 }
	TopIPs    []struct {
		Key   string `json:"key"`
		Count uint64 `json:"count"`
	} `json:"top_ips"`
	TopExact bool `json:"top_exact"`
	PeakQPS  struct {
		At    string  `json:"at"`
		Value float64 `json:"value"`
	} `json:"peak_qps"`
	First string `json:"first"`
	Last  string `json:"last"`
}

func scanJSONOf(t *testing.T, args ...string) scanOut {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(append([]string{"scan", "--json"}, args...), &out, &errb); code != 0 {
		t.Fatalf("scan exit %d: %s", code, errb.String())
	}
	var s scanOut
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	return s
}

// awk counts the same log independently: requests, statuses, slow (> 1 s),
// requests per client and per second.
const awkProgram = `
BEGIN { FS = "\"" }
NF >= 7 && $3 ~ /^ [0-9][0-9][0-9] / {
	split($3, a, " "); split($7, b, " "); split($1, c, " ")
	req++; st[a[1]]++
	if (b[1] + 0 > 1.0) slow++
	ip[c[1]]++
	sec[c[4]]++
}
END {
	print "requests", req
	print "slow", slow + 0
	for (k in st) print "status", k, st[k]
	for (k in ip) print "ip", k, ip[k]
	for (k in sec) print "sec", k, sec[k]
}`

func TestScanAgreesWithAwk(t *testing.T) {
	awk := needTool(t, "awk")
	bad := "garbage line\n" +
		`1.2.3.4 - - [31/Dec/2026:23:30:01 +0800] "GET / HTTP/1.1" 200` + "\n" + // truncated
		"\x00\x00\x00\x00\n"
	path := writeLog(t, 300000, bad)
	got := scanJSONOf(t, "--time-zone", "Asia/Shanghai", path)

	out, err := exec.Command(awk, awkProgram, path).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := struct {
		requests, slow uint64
		status         map[string]uint64
		ips            map[string]uint64
		peak           uint64
	}{status: map[string]uint64{}, ips: map[string]uint64{}}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		n, _ := strconv.ParseUint(f[len(f)-1], 10, 64)
		switch f[0] {
		case "requests":
			want.requests = n
		case "slow":
			want.slow = n
		case "status":
			want.status[f[1]] = n
		case "ip":
			want.ips[f[1]] = n
		case "sec":
			want.peak = max(want.peak, n)
		}
	}
	if got.Requests != want.requests || got.Requests != 300000 {
		t.Errorf("requests %d, awk %d", got.Requests, want.requests)
	}
	if got.Malformed != 3 {
		t.Errorf("malformed %d, want 3", got.Malformed)
	}
	if got.Slow != want.slow {
		t.Errorf("slow %d, awk %d", got.Slow, want.slow)
	}
	if len(got.Status) != len(want.status) {
		t.Errorf("status %v, awk %v", got.Status, want.status)
	}
	for k, v := range want.status {
		if got.Status[k] != v {
			t.Errorf("status %s: %d, awk %d", k, got.Status[k], v)
		}
	}
	if got.PeakQPS.Value != float64(want.peak) {
		t.Errorf("peak qps %v, awk %d", got.PeakQPS.Value, want.peak)
	}
	type kc struct {
		k string
		n uint64
	}
	var ips []kc
	for k, v := range want.ips {
		ips = append(ips, kc{k, v})
	}
	sort.Slice(ips, func(i, j int) bool {
		if ips[i].n != ips[j].n {
			return ips[i].n > ips[j].n
		}
		return ips[i].k < ips[j].k
	})
	if !got.TopExact || len(got.TopIPs) != 10 {
		t.Fatalf("top ips exact=%v n=%d", got.TopExact, len(got.TopIPs))
	}
	for i, it := range got.TopIPs {
		if it.Key != ips[i].k || it.Count != ips[i].n {
			t.Errorf("top ip %d: %s %d, awk %s %d", i, it.Key, it.Count, ips[i].k, ips[i].n)
		}
	}
	if got.First != "2026-12-31T23:30:00+08:00" {
		t.Errorf("first %s", got.First)
	}
	if got.SlowRatio <= 0 || got.Latency.P50 <= 0 || got.Latency.P99 < got.Latency.P50 {
		t.Errorf("ratios %+v", got)
	}
}

func TestScanGzipEqualsPlain(t *testing.T) {
	path := writeLog(t, 20000, "")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := path + ".1.gz"
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(gz, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	plain, zipped := scanJSONOf(t, path), scanJSONOf(t, gz)
	if plain.Requests != 20000 || plain.Requests != zipped.Requests || plain.Slow != zipped.Slow || plain.Last != zipped.Last {
		t.Fatalf("plain %+v\ngzip %+v", plain, zipped)
	}
	// told by the first bytes, not the name: gzip named without .gz, and
	// plain text named .gz
	must(t, os.WriteFile(path+".2", b.Bytes(), 0o644))
	must(t, os.WriteFile(path+".3.gz", raw, 0o644))
	for _, p := range []string{path + ".2", path + ".3.gz"} {
		if s := scanJSONOf(t, p); s.Requests != plain.Requests || s.Slow != plain.Slow || s.Last != plain.Last || s.Malformed != 0 {
			t.Errorf("%s: %+v\nplain: %+v", filepath.Base(p), s, plain)
		}
	}
}

// TestScanLinesLongerThanItsBuffer runs scan's batching over lines that
// cross batches, one longer than a batch (skipped to its end) and one that
// fits a batch but not MaxLine: every normal line counts once, each long
// one is one malformed line.
func TestScanLinesLongerThanItsBuffer(t *testing.T) {
	var b bytes.Buffer
	if err := synth.Write(&b, synth.Options{Seed: 5, Lines: 3000, Rate: 1500}); err != nil {
		t.Fatal(err)
	}
	logText := b.Bytes()
	cut := bytes.IndexByte(logText[len(logText)/2:], '\n') + len(logText)/2 + 1
	huge := append(bytes.Repeat([]byte("x"), 700<<10), '\n') // over a batch
	long := append(bytes.Repeat([]byte("y"), 100<<10), '\n') // over MaxLine
	var withLong []byte
	withLong = append(withLong, logText[:cut]...)
	withLong = append(withLong, huge...)
	withLong = append(withLong, logText[cut:]...)
	withLong = append(withLong, long...)
	p := filepath.Join(t.TempDir(), "long.log")
	if err := os.WriteFile(p, withLong, 0o644); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(withLong)
	zw.Close()
	if err := os.WriteFile(p+".gz", z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{p, p + ".gz"} {
		s := scanJSONOf(t, f)
		if s.Requests != 3000 || s.Malformed != 2 {
			t.Fatalf("%s: %d requests, %d malformed; want 3000 and 2", f, s.Requests, s.Malformed)
		}
	}
}

func TestScanFromTo(t *testing.T) {
	path := writeLog(t, 15000, "") // 10 s at 1500 lines/s, from 23:30:00 +08:00
	s := scanJSONOf(t, "--time-zone", "UTC", "--from", "2026-12-31T23:30:02+08:00", "--to", "2026-12-31T23:30:04+08:00", path)
	if s.Requests < 2800 || s.Requests > 3200 || s.First != "2026-12-31T15:30:02Z" || s.Last != "2026-12-31T15:30:03Z" {
		t.Fatalf("window: %d requests, %s..%s", s.Requests, s.First, s.Last)
	}
	// a time without an offset is read in --time-zone: the same window
	// as New York writes it
	ny := scanJSONOf(t, "--time-zone", "America/New_York", "--from", "2026-12-31 10:30:02", "--to", "2026-12-31 10:30:04", path)
	if ny.Requests != s.Requests || ny.First != "2026-12-31T10:30:02-05:00" || ny.Last != "2026-12-31T10:30:03-05:00" {
		t.Fatalf("window in New York: %d requests, %s..%s; want %d", ny.Requests, ny.First, ny.Last, s.Requests)
	}
}

func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"scan", filepath.Join(dir, "missing.log")}, 2, "missing.log: no such file"},
		{[]string{"scan", dir}, 2, "is a directory"},
		{[]string{"scan"}, 2, "no files given"},
		{[]string{"scan", "--format", "$a$b", "x.log"}, 2, "no delimiter"},
		{[]string{"scan", "--from", "yesterday", "x.log"}, 2, `cannot read "yesterday"`},
		{[]string{"scan", "--from", "2027-01-02", "--to", "2027-01-01", "x.log"}, 2, "is not before --to"},
		{[]string{"scan", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"scan", "--time-zone", "Mars/Olympus", "x.log"}, 2, `--time-zone: unknown time zone "Mars/Olympus"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.msg)
		}
	}
}

// A line stamped years ahead (year 9999, a $msec with a digit too many)
// is corrupt: counted as future_time, and first/last stay those of the
// night. A file in which no line could be counted is a problem (exit 1)
// that names the likely cause.
func TestScanFarFutureAndNothingCounted(t *testing.T) {
	path := writeLog(t, 1500, "")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	fmt.Fprintln(f, `10.0.0.1 - - [31/Dec/9999:23:59:59 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" 0.001 0.001`)
	f.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"scan", "--json", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var s struct {
		scanOut
		By map[string]uint64 `json:"malformed_by"`
	}
	must(t, json.Unmarshal(out.Bytes(), &s))
	if s.Requests != 1500 || s.By["future_time"] != 1 || !strings.HasPrefix(s.Last, "2026-12-31T") {
		t.Errorf("%d requests, malformed %v, last %s", s.Requests, s.By, s.Last)
	}

	junk := filepath.Join(t.TempDir(), "junk.log")
	must(t, os.WriteFile(junk, []byte("\n\n\n{\"a\":1}\n{\"a\":2}\n"), 0o644))
	out.Reset()
	errb.Reset()
	if code := run([]string{"scan", junk}, &out, &errb); code != exitProblem || !strings.Contains(errb.String(), "no line could be counted: 2 malformed, most truncated") ||
		!strings.Contains(errb.String(), "does --format match the log?") || !strings.Contains(out.String(), "malformed") {
		t.Errorf("all malformed: exit %d\nstderr %s\nstdout %s", code, errb.String(), out.String())
	}
}

func TestScanReportIsSanitized(t *testing.T) {
	evil := "\x1b]0;pwned\x07 - - [31/Dec/2026:23:30:01 +0800] \"GET /\x1b[2J HTTP/1.1\" 200 1 \"-\" \"ua\" 0.1 -\n"
	p := filepath.Join(t.TempDir(), "evil.log")
	os.WriteFile(p, []byte(evil+"\x1b[31mbroken\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"scan", p}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	if bytes.ContainsAny(out.Bytes(), "\x1b\x07") {
		t.Fatalf("control bytes reached the report:\n%q", out.String())
	}
	if !strings.Contains(out.String(), `\x1b]0;pwned\x07`) {
		t.Fatalf("escaped client missing:\n%s", out.String())
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		var out, errb bytes.Buffer
		if code := run([]string{c.name, "--help"}, &out, &errb); code != 0 {
			t.Errorf("%s --help exit %d", c.name, code)
		}
		if !strings.Contains(errb.String()+out.String(), "Usage: warroom "+c.name) {
			t.Errorf("%s --help printed %q", c.name, errb.String())
		}
	}
}

// With no --format, scan reads the format from the first lines and says
// which it picked; a log mostly unreadable with it exits 1.
func TestScanDetectsTheFormat(t *testing.T) {
	path := writeLog(t, 500, "")
	var out, errb bytes.Buffer
	if code := run([]string{"scan", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "\n  format timed (detected: reads 500 of 500 lines)\n") {
		t.Fatalf("no format line:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"scan", "--json", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var j struct {
		Format     string `json:"format"`
		FormatNote string `json:"format_note"`
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Format != "timed" || !strings.HasPrefix(j.FormatNote, "format timed (detected") {
		t.Fatalf("format %q note %q", j.Format, j.FormatNote)
	}

	// the first 100 lines read, then nginx was reloaded with another format
	var b strings.Builder
	data, _ := os.ReadFile(path)
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i >= 100 {
			l = `{"msg":"` + strconv.Itoa(i) + `"}`
		}
		b.WriteString(l + "\n")
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	out.Reset()
	errb.Reset()
	if code := run([]string{"scan", path}, &out, &errb); code != exitProblem {
		t.Fatalf("exit %d, want %d when most lines are malformed", code, exitProblem)
	}
	if want := "warroom scan: 400 of 500 lines are malformed (over half): the figures cover only the rest"; !strings.Contains(errb.String(), want) {
		t.Fatalf("stderr %q lacks %q", errb.String(), want)
	}
}

// A copytruncate behind a writer without O_APPEND leaves a hole of NULs
// with the next line glued behind it: scan counts the hole as one
// unreadable line and reads every line.
func TestScanReadsTheLineAfterANULHole(t *testing.T) {
	path := writeLog(t, 200, "")
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	hole := string(make([]byte, 3<<20))
	os.WriteFile(path, []byte(strings.Join(lines[:100], "")+hole+strings.Join(lines[100:], "")), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"scan", "--json", path}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var j struct {
		Requests    uint64            `json:"requests"`
		MalformedBy map[string]uint64 `json:"malformed_by"`
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Requests != 200 || j.MalformedBy["nul_bytes"] != 1 {
		t.Fatalf("requests %d, malformed %v; want 200 and one nul_bytes", j.Requests, j.MalformedBy)
	}
}
