package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"warroom/sources/nginx/synth"
)

// withPartSize cuts files into parts of n bytes for the rest of the test.
func withPartSize(t *testing.T, n int64) {
	old := scanPartSize
	scanPartSize = n
	t.Cleanup(func() { scanPartSize = old })
}

// roughLog is a log with what parts must not lose: malformed lines, NUL
// runs (one glued before a line, one longer than a part), lines written
// minutes out of time order, across part boundaries, CRLF line ends, a
// line longer than a part and one longer than a read batch, clients
// beyond the top sketch's budget when ips is large, and no newline at the
// end.
func roughLog(t *testing.T, lines, ips int) string {
	t.Helper()
	var b bytes.Buffer
	must(t, synth.Write(&b, synth.Options{Seed: 7, Lines: lines, Rate: 40, IPs: ips}))
	ls := strings.SplitAfter(b.String(), "\n")
	ls = ls[:len(ls)-1] // "" after the last newline
	var out strings.Builder
	late := []string{}
	for i, l := range ls {
		switch {
		case i%3000 == 1500:
			// written 15 minutes late: beyond the seconds a part's ring
			// holds, many parts on
			late = append(late, l)
			continue
		case i%3000 == 2900 && len(late) > 0:
			out.WriteString(strings.Join(late, ""))
			late = late[:0]
		case i%700 == 350:
			// a block of lines written a few hundred lines (seconds) late
			j := min(i+400, len(ls)-1)
			ls[i], ls[j] = ls[j], ls[i]
			l = ls[i]
		}
		switch {
		case i%997 == 0:
			out.WriteString("garbage " + fmt.Sprint(i) + "\n")
		case i%1999 == 0:
			out.WriteString(strings.Repeat("\x00", 300)) // glued before the line
		case i%500 == 0:
			l = strings.TrimSuffix(l, "\n") + "\r\n"
		}
		if i == len(ls)/3 {
			out.WriteString(strings.Repeat("\x00", 200<<10) + "\n") // a hole longer than a part
			out.WriteString(strings.Repeat("y", 100<<10) + "\n")    // longer than a part and MaxLine
		}
		if i == len(ls)/2 {
			out.WriteString(strings.Repeat("z", 300<<10) + "\n") // longer than a read batch
		}
		if i == len(ls)-1 {
			l = strings.TrimSuffix(l, "\n")
		}
		out.WriteString(l)
	}
	p := filepath.Join(t.TempDir(), "rough.log")
	must(t, os.WriteFile(p, []byte(out.String()), 0o644))
	return p
}

// scanBytes is scan's stdout and exit code, failing on exit 2.
func scanBytes(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(append([]string{"scan"}, args...), &out, &errb); code == exitUsage {
		t.Fatalf("scan %v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

// The summary is the same bytes whatever --jobs is, for files of many
// parts, and its counts are those of reading the files in one part.
func TestScanPartsSameBytesWhateverJobs(t *testing.T) {
	for _, c := range []struct {
		name       string
		lines, ips int
	}{
		{"within the top budget", 20000, 3000},
		{"beyond the top budget", 80000, 60000},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := roughLog(t, c.lines, c.ips)
			gz := path + ".2.gz"
			raw, err := os.ReadFile(path)
			must(t, err)
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(raw[:len(raw)/4])
			zw.Close()
			must(t, os.WriteFile(gz, z.Bytes(), 0o644))
			files := []string{path, gz, path}

			withPartSize(t, 64<<10)
			if n := len(planParts(files, scanPartSize)); n < 50 {
				t.Fatalf("%d parts: the test wants many", n)
			}
			args := []string{"--time-zone", "Asia/Shanghai"}
			for _, mode := range [][]string{nil, {"--json"}} {
				a := append(append(append([]string{}, args...), mode...), files...)
				one := scanBytes(t, append([]string{"--jobs", "1"}, a...)...)
				for _, jobs := range []string{"2", "3", "8"} {
					if got := scanBytes(t, append([]string{"--jobs", jobs}, a...)...); got != one {
						t.Errorf("--jobs %s %v differs from --jobs 1:\n%s\n----\n%s", jobs, mode, got, one)
					}
				}
			}

			// the counts are those of one aggregator fed every line in turn
			parts := jsonOf(t, scanBytes(t, append(append([]string{"--jobs", "2", "--json"}, args...), files...)...))
			withPartSize(t, 1<<40)
			whole := jsonOf(t, scanBytes(t, append(append([]string{"--json"}, args...), files...)...))
			for _, k := range []string{"lines", "requests", "malformed", "malformed_by", "status", "499", "5xx", "slow", "bytes",
				"no_upstream", "distinct_ips", "latency", "first", "last", "ratio_499", "slow_ratio", "partial"} {
				if !reflect.DeepEqual(parts[k], whole[k]) {
					t.Errorf("%s: in parts %v, whole %v", k, parts[k], whole[k])
				}
			}
			// and the malformed lines shown are the first of each reason,
			// numbered from the start of the first file
			malformed := func(report string) string {
				i := strings.Index(report, "\nmalformed lines by reason\n")
				if i < 0 {
					t.Fatalf("no malformed lines in\n%s", report)
				}
				return report[i:]
			}
			wholeText := malformed(scanBytes(t, append(append([]string{}, args...), files...)...))
			withPartSize(t, 64<<10)
			if got := malformed(scanBytes(t, append(append([]string{}, args...), files...)...)); got != wholeText {
				t.Errorf("malformed lines in parts:\n%s\nwhole:\n%s", got, wholeText)
			}
			if by := whole["malformed_by"].(map[string]any); by["nul_bytes"] == nil || by["too_long"] == nil || by["truncated"] == nil {
				t.Errorf("malformed %v: the log lacks what the test needs", by)
			}
			// a busiest second or minute may be tied with others: the
			// value is the same, not always the time
			for _, k := range []string{"peak_qps", "peak_minute"} {
				if p, w := parts[k].(map[string]any), whole[k].(map[string]any); p["value"] != w["value"] {
					t.Errorf("%s: in parts %v, whole %v", k, p, w)
				}
			}
			exact := c.ips < 16384
			if parts["top_exact"] != exact || whole["top_exact"] != exact {
				t.Errorf("top_exact %v in parts, %v whole; want %v", parts["top_exact"], whole["top_exact"], exact)
			}
			if !exact {
				// beyond the budget the sketches differ, but the heavy
				// clients (synth's twenty with 30% of the lines) are held
				// from their first line on in both, and counted exactly
				p, w := parts["top_ips"].([]any), whole["top_ips"].([]any)
				if len(p) < 5 || !reflect.DeepEqual(p[:5], w[:5]) {
					t.Errorf("top IPs in parts %v\nwhole %v", p, w)
				}
			}
			if exact && (!reflect.DeepEqual(parts["top_ips"], whole["top_ips"]) || !reflect.DeepEqual(parts["top_paths"], whole["top_paths"])) {
				t.Errorf("exact tops differ:\n%v %v\n%v %v", parts["top_ips"], parts["top_paths"], whole["top_ips"], whole["top_paths"])
			}
		})
	}
}

func jsonOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, s)
	}
	return m
}

// Where the cuts fall: each part starts at a line start, a line longer
// than a part belongs to the part it starts in, and the parts cover the
// file.
func TestScanPartsCutAtLineStarts(t *testing.T) {
	text := "a\nbb\n" + strings.Repeat("c", 20) + "\nd\n\ne"
	p := filepath.Join(t.TempDir(), "cuts.log")
	must(t, os.WriteFile(p, []byte(text), 0o644))
	parts := planParts([]string{p}, 4)
	if len(parts) != (len(text)+3)/4 || parts[len(parts)-1].to != -1 {
		t.Fatalf("parts %+v", parts)
	}
	f, err := os.Open(p)
	must(t, err)
	defer f.Close()
	var got []string
	for _, pt := range parts {
		from, err := lineStart(f, pt.from)
		must(t, err)
		to := int64(len(text))
		if pt.to >= 0 {
			to, err = lineStart(f, pt.to)
			must(t, err)
		}
		if from < to {
			got = append(got, text[from:min(to, int64(len(text)))])
		}
	}
	want := []string{"a\nbb\n", strings.Repeat("c", 20) + "\n", "d\n", "\ne"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parts read %q, want %q", got, want)
	}
}

func TestScanJobsFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"scan", "--jobs", "0", "x.log"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--jobs must be between 1 and") {
		t.Fatalf("--jobs 0: exit %d, %q", code, errb.String())
	}
}
