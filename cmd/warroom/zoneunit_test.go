package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/notify"
	"warroom/sources/report"
	"warroom/sources/schedule"
	"warroom/sources/units"
	"warroom/sources/watch"
)

// TestOutputsZoneAndUnit: every output of a transition — watch's JSON
// lines, the timeline file, the desktop notification, the Feishu, Slack
// and generic webhooks' text and the generic body, the milestone report's
// timeline — writes its time in the event's zone (the schedule's
// time_zone, else the machine's) with the zone's name or offset, and its
// value and threshold as the screen does; so do check's rules (thresholds)
// and scan's text (times, in the zone it is given).
func TestOutputsZoneAndUnit(t *testing.T) {
	instant := time.Date(2026, 12, 31, 16, 2, 13, 0, time.UTC)
	// the machine's zone is whatever the test runs in (time.Local is not
	// set here: the HTTP machinery reads it on other goroutines)
	local := instant.In(time.Local)
	zones := []struct {
		name, timeZone string
		clock, json    string
	}{
		{"schedule time_zone", "Asia/Shanghai", "00:02:13 CST", "2027-01-01T00:02:13.000+08:00"},
		{"no time_zone: the machine's", "", local.Format("15:04:05 MST"), local.Format(watch.TimeLayout)},
		{"time_zone UTC", "UTC", "16:02:13 UTC", "2026-12-31T16:02:13.000Z"},
	}
	values := []struct {
		unit       sources.Unit
		v, thr     float64
		text, thrT string
	}{
		{sources.UnitRatio, 0.0023, 0.002, "23‱", "20‱"},
		{sources.UnitPerSecond, 7.8, 5, "7.8/s", "5/s"},
		{sources.UnitPerSecond, 1234, 1000, "1.23k/s", "1k/s"},
		{sources.UnitCount, 9, 5, "9", "5"},
		{sources.UnitSeconds, 0.25, 0.2, "250ms", "200ms"},
	}
	for _, z := range zones {
		sched, err := schedule.New(schedule.Config{TimeZone: z.timeZone, Stages: []schedule.StageConfig{{Name: "Final", End: "2027-01-01T00:00:00+08:00"}}})
		must(t, err)
		for _, v := range values {
			tr := sources.Transition{At: instant.In(collect.EventZone(sched)), Indicator: "ind", From: sources.StateOK, To: sources.StateCrit,
				Value: v.v, Threshold: v.thr, Unit: v.unit, Reason: "above crit " + v.thrT}
			line := fmt.Sprintf("✖ CRIT ind = %s (> %s) · %s", v.text, v.thrT, z.clock)
			record := fmt.Sprintf(`{"at":%q,"indicator":"ind","from":"ok","to":"crit","value":%v,"threshold":%v,"unit":%q,"value_text":%q,"threshold_text":%q,`,
				z.json, v.v, v.thr, v.unit, v.text, v.thrT)
			got := writeEverywhere(t, tr)
			got["report"] = reportRow(t, tr, collect.EventZone(sched))
			got["check"] = describeRule(watch.Rule{Indicator: "ind", Crit: watch.Float(v.thr)}, func(f float64) string { return units.Format(f, v.unit) })
			want := map[string]string{
				"report":          fmt.Sprintf("| %s | +2m13s | ind | ok → crit | %s | %s |", z.clock, v.text, v.thrT),
				"check":           fmt.Sprintf("ind: crit > %s, at once", v.thrT),
				"watch JSON line": record,
				"timeline file":   record,
				"desktop":         "warroom: " + line,
				"feishu":          "warroom: " + line,
				"slack":           "warroom: " + strings.ReplaceAll(line, ">", "&gt;"),
				"generic text":    "warroom: " + line,
				"generic at":      z.json,
				"generic value":   v.text + " " + v.thrT,
			}
			for out, w := range want {
				if !strings.HasPrefix(got[out], w) {
					t.Errorf("%s, %s, %s:\n got %q\nwant %q…", z.name, v.text, out, got[out], w)
				}
			}
		}
	}
}

// reportRow is tr's row in a milestone report's timeline, the report
// written in zone.
func reportRow(t *testing.T, tr sources.Transition, zone *time.Location) string {
	t.Helper()
	end := tr.At.Add(-2*time.Minute - 13*time.Second)
	sum := &report.Summary{Window: report.Window{Event: "e", Stage: "s", End: end, From: end.Add(-10 * time.Minute), To: end.Add(30 * time.Minute)}}
	md := string(report.Markdown(sum, nil, []sources.Transition{tr}, report.Options{Zone: zone, Units: map[string]sources.Unit{"ind": tr.Unit}}))
	for _, l := range strings.Split(md, "\n") {
		if strings.Contains(l, "| ind |") {
			return l
		}
	}
	t.Fatalf("no row for the transition in:\n%s", md)
	return ""
}

// scan writes every time in the zone it is given, labelled, and rates
// and ratios as the screen does.
func TestScanZoneAndUnitInTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	var b strings.Builder
	at := time.Date(2026, 12, 31, 16, 2, 13, 0, time.UTC)
	for i := 0; i < 100; i++ {
		rt := "0.010"
		if i < 5 {
			rt = "2.000"
		}
		fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" %s 0.009\n", i, at.Format("02/Jan/2006:15:04:05 -0700"), rt)
	}
	must(t, os.WriteFile(path, []byte(b.String()), 0o644))
	for _, c := range []struct{ zone, clock string }{{"Asia/Shanghai", "2027-01-01 00:02:13 CST +08:00"}, {"UTC", "2026-12-31 16:02:13 UTC +00:00"}} {
		var out, errb bytes.Buffer
		if code := run([]string{"scan", "--time-zone", c.zone, path}, &out, &errb); code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		for _, want := range []string{"span       " + c.clock, "5 = 500‱ (5.00%)", "second 100/s at "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: scan lacks %q:\n%s", c.zone, want, out.String())
			}
		}
	}
}

// writeEverywhere hands tr to every output and returns what each wrote
// of it: the line or body as is, the desktop notification's OSC 9 text.
func writeEverywhere(t *testing.T, tr sources.Transition) map[string]string {
	t.Helper()
	got := map[string]string{}
	var stdout bytes.Buffer
	watch.NewJSONL("stdout", &stdout, nil).Take([]sources.Transition{tr})
	got["watch JSON line"] = stdout.String()
	path := filepath.Join(t.TempDir(), "timeline.jsonl")
	tf, err := watch.OpenJSONL("timeline_file", path, nil)
	must(t, err)
	tf.Take([]sources.Transition{tr})
	b, err := os.ReadFile(path)
	must(t, err)
	got["timeline file"] = string(b)

	bodies := make(chan [2]string, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, `{"code":0}`)
		bodies <- [2]string{r.URL.Path, string(b)}
	}))
	defer srv.Close()
	cfg := notify.DefaultConfig
	for _, k := range []notify.Kind{notify.KindFeishu, notify.KindSlack, notify.KindGeneric} {
		h := notify.DefaultWebhookConfig
		h.Name, h.Kind, h.URL = string(k), k, promcfg.Secret(srv.URL+"/"+string(k))
		h.GroupWait, h.MinInterval = 0, model.Duration(0)
		cfg.Webhooks = append(cfg.Webhooks, h)
	}
	var term syncBuffer
	d, err := notify.New(cfg, notify.Options{TerminalOut: &term})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	d.Take([]sources.Transition{tr})
	for range 3 {
		select {
		case b := <-bodies:
			var msg struct {
				Text    string `json:"text"`
				Content struct {
					Text string `json:"text"`
				} `json:"content"`
				Transitions []struct {
					At            string `json:"at"`
					ValueText     string `json:"value_text"`
					ThresholdText string `json:"threshold_text"`
				} `json:"transitions"`
			}
			must(t, json.Unmarshal([]byte(b[1]), &msg))
			switch b[0] {
			case "/feishu":
				got["feishu"] = msg.Content.Text
			case "/slack":
				got["slack"] = msg.Text
			case "/generic":
				got["generic text"] = msg.Text
				if len(msg.Transitions) == 1 {
					got["generic at"] = msg.Transitions[0].At
					got["generic value"] = msg.Transitions[0].ValueText + " " + msg.Transitions[0].ThresholdText
				}
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("webhooks: only %v after 60s", got)
		}
	}
	eventually(t, "the desktop notification", func() bool { return strings.Contains(term.String(), "\a") })
	osc := term.String()
	if i := strings.Index(osc, "\x1b]9;"); i >= 0 {
		osc = osc[i+len("\x1b]9;"):]
		got["desktop"] = osc[:max(strings.IndexByte(osc, '\a'), 0)]
	}
	return got
}
