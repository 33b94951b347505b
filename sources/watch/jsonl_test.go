package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

// str is a transition as the collector hands it to the sinks.
func str(sec int, ind string, from, to sources.State) sources.Transition {
	return sources.Transition{At: t0.Add(time.Duration(sec) * time.Second), Indicator: ind, From: from, To: to,
		Value: math.NaN(), Threshold: math.NaN(), Phase: sources.PhaseNormal}
}

// A milestone or reason with control and format characters is written
// exactly, as \u escapes: the line decodes to the same strings, and the
// file shown by cat or tail -f is not driven or fooled by it.
func TestJSONLEscapesHiddenCharacters(t *testing.T) {
	a := str(0, "nginx.qps\u200b", ok, crit)
	a.Milestone = "Day\u202e 1\u009b\x7f"
	a.Reason = "execution: \u2066boom\ufeff"
	var b bytes.Buffer
	w := NewJSONL("stdout", &b, nil)
	w.Take([]sources.Transition{a})
	if st := w.Status()[0]; st.Health != sources.HealthOK {
		t.Fatalf("status %+v", st)
	}
	if strings.ContainsAny(b.String(), "\u200b\u202e\u009b\x7f\u2066\ufeff") {
		t.Fatalf("raw character in %q", b.String())
	}
	if !strings.Contains(b.String(), `"milestone":"Day\u202e 1\u009b\u007f"`) {
		t.Errorf("milestone not escaped: %s", b.String())
	}
	var back struct{ Indicator, Milestone, Reason string }
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Indicator != a.Indicator || back.Milestone != a.Milestone || back.Reason != a.Reason {
		t.Errorf("decoded %+v, want %q %q %q", back, a.Indicator, a.Milestone, a.Reason)
	}
}

// A record keeps raw numbers with their unit and adds them as the screen
// writes them; at keeps the transition's zone (the event's) as an offset.
func TestJSONL(t *testing.T) {
	var b bytes.Buffer
	w := NewJSONL("stdout", &b, nil)
	a := sources.Transition{At: t0.Add(10*time.Minute + 1500*time.Millisecond), Indicator: "nginx.slow_ratio", From: crit, To: warn,
		Value: 0.0015, Threshold: 0.0016, Unit: sources.UnitRatio, Phase: sources.PhaseHot, Milestone: "Day 1", Reason: "back at or below 16‱"}
	c := str(0, "nginx.qps", ok, crit)
	c.Unit, c.Reason = sources.UnitPerSecond, "no data for 1m0s"
	w.Take([]sources.Transition{a, c})
	want := `{"at":"2026-12-13T00:00:01.500+08:00","indicator":"nginx.slow_ratio","from":"crit","to":"warn","value":0.0015,"threshold":0.0016,"unit":"ratio","value_text":"15‱","threshold_text":"16‱","phase":"hot","milestone":"Day 1","reason":"back at or below 16‱"}
{"at":"2026-12-12T23:50:00.000+08:00","indicator":"nginx.qps","from":"ok","to":"crit","value":null,"threshold":null,"unit":"per-second","value_text":"","threshold_text":"","phase":"normal","milestone":"","reason":"no data for 1m0s"}
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

type failWriter struct{ err error }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	return len(p), nil
}

// A failing write shows in Status and in the log, and the next write that
// succeeds clears it and says so.
func TestJSONLFailureAndRecovery(t *testing.T) {
	fw := &failWriter{err: errors.New("disk full")}
	var logs []string
	w := NewJSONL("stdout", fw, func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })
	w.Take([]sources.Transition{str(0, "x", ok, crit)})
	if st := w.Status()[0]; st.Health != sources.HealthError || st.Detail != "disk full" || st.Name != "stdout" {
		t.Errorf("after a failed write: %+v", st)
	}
	fw.err = nil
	w.Take([]sources.Transition{str(1, "x", crit, ok)})
	if st := w.Status()[0]; st.Health != sources.HealthOK || st.Detail != "" {
		t.Errorf("after a write: %+v", st)
	}
	if want := []string{"stdout: disk full", "stdout: written again after 1 failed writes"}; strings.Join(logs, "|") != strings.Join(want, "|") {
		t.Errorf("logs %q, want %q", logs, want)
	}
}

// The timeline file is opened for each write: one that cannot be
// written shows as failing, and once it can again (here: its directory
// is back) the lines go on where they were.
func TestTimelineFileReopened(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logs", "timeline.jsonl")
	if _, err := OpenJSONL("timeline_file", path, nil); err == nil {
		t.Fatal("a file in a missing directory opened")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, "logs"), 0o755))
	w, err := OpenJSONL("timeline_file", path, nil)
	must(err)
	w.Take([]sources.Transition{str(0, "a", ok, crit)})
	must(os.RemoveAll(filepath.Join(dir, "logs")))
	w.Take([]sources.Transition{str(1, "b", ok, crit)})
	if st := w.Status()[0]; st.Health != sources.HealthError || st.Detail != "no such file or directory" {
		t.Errorf("after the directory went: %+v", st)
	}
	must(os.Mkdir(filepath.Join(dir, "logs"), 0o755))
	w.Take([]sources.Transition{str(2, "c", ok, crit)})
	if st := w.Status()[0]; st.Health != sources.HealthOK {
		t.Errorf("after the directory came back: %+v", st)
	}
	b, err := os.ReadFile(path)
	must(err)
	if n := strings.Count(string(b), "\n"); n != 1 || !strings.Contains(string(b), `"indicator":"c"`) {
		t.Errorf("file %s", b)
	}
}
