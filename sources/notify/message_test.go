package notify

import (
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

// A line writes the value and threshold in the indicator's unit as the
// screen does, the time in its own zone with the zone's name, and the
// reason when there is no value.
func TestLine(t *testing.T) {
	tr := crit499()
	if got := Line(tr); got != critLine {
		t.Errorf("Line = %q", got)
	}
	cst := time.FixedZone("CST", 8*3600)
	tr = sources.Transition{At: at.In(cst), Indicator: "nginx.slow_ratio", From: sources.StateWarn, To: sources.StateOK,
		Value: 0.0004, Threshold: 0.0016, Unit: sources.UnitRatio, Phase: sources.PhaseCooling}
	if got, want := Line(tr), "✔ OK nginx.slow_ratio = 4‱ (< 16‱) · was WARN · cooling · 08:02:13 CST"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	tr = sources.Transition{At: at.In(time.FixedZone("", 4*3600)), Indicator: "nginx.qps", From: sources.StateOK, To: sources.StateCrit,
		Value: math.NaN(), Threshold: math.NaN(), Unit: sources.UnitPerSecond, Reason: "no data for 1m"}
	if got, want := Line(tr), "✖ CRIT nginx.qps: no data for 1m · 04:02:13 +0400"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	tr = sources.Transition{Indicator: "nginx.rate", To: sources.StateCrit, Value: math.NaN(), Threshold: 5, Phase: sources.PhaseNormal}
	if got, want := Line(tr), "✖ CRIT nginx.rate no value"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestBurstText(t *testing.T) {
	var b burst
	for i := range 35 {
		tr := crit499()
		if i%2 == 1 {
			tr.To = sources.StateOK
		}
		b.trs = append(b.trs, tr)
	}
	b.omitted = 5
	got := b.text("warroom", nil)
	lines := strings.Split(got, "\n")
	if lines[0] != "warroom: 40 changes 00:02:13–00:02:13 UTC (18 crit, 17 ok)" {
		t.Errorf("headline %q", lines[0])
	}
	if len(lines) != 1+maxLines+1 || lines[len(lines)-1] != "… and 10 more" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	one := burst{trs: []sources.Transition{crit499()}}
	if got := one.text("warroom", nil); got != "warroom: "+critLine {
		t.Errorf("single = %q", got)
	}
}

// A message ends with what is still firing that its lines do not say,
// or with the all-clear when it closed the last alert.
func TestBurstStillFiring(t *testing.T) {
	a := newAlerts(LevelCrit, true)
	db := crit499()
	db.Indicator, db.At = "app.db", at.Add(-time.Minute)
	slow := crit499()
	slow.Indicator, slow.Unit, slow.Value, slow.Threshold = "nginx.slow_ratio", sources.UnitRatio, 0.003, 0.002
	eased := slow
	eased.From, eased.To, eased.Value, eased.Threshold, eased.At = sources.StateCrit, sources.StateWarn, 0.0015, 0.0016, at.Add(time.Minute)
	closed := eased
	closed.From, closed.To, closed.Value, closed.Threshold, closed.At = sources.StateWarn, sources.StateOK, 0.0003, 0.0004, at.Add(2*time.Minute)
	msg := func(trs ...sources.Transition) string {
		var b burst
		for _, tr := range trs {
			if a.pass(tr) {
				b.trs = append(b.trs, tr)
			}
		}
		a.close(&b)
		return b.text("warroom", nil)
	}
	for _, c := range []struct {
		trs  []sources.Transition
		want string
	}{
		{[]sources.Transition{db, slow}, "warroom: 2 changes 00:01:13–00:02:13 UTC (2 crit)\n" +
			"✖ CRIT app.db = 12.3/s (> 5/s) · HOT · stage 3 · 00:01:13 UTC\n" +
			"✖ CRIT nginx.slow_ratio = 30‱ (> 20‱) · HOT · stage 3 · 00:02:13 UTC"},
		{[]sources.Transition{eased}, "warroom: ▲ WARN nginx.slow_ratio = 15‱ (< 16‱) · was CRIT · HOT · stage 3 · 00:03:13 UTC\n" +
			"still firing:\n✖ CRIT app.db since 00:01:13 UTC"},
		{[]sources.Transition{closed}, "warroom: ✔ OK nginx.slow_ratio = 3‱ (< 4‱) · was WARN · HOT · stage 3 · 00:04:13 UTC\n" +
			"still firing:\n✖ CRIT app.db since 00:01:13 UTC"},
		{[]sources.Transition{{At: at.Add(3 * time.Minute), Indicator: "app.db", From: sources.StateCrit, To: sources.StateOK,
			Value: 0, Threshold: 4, Unit: sources.UnitPerSecond}},
			"warroom: ✔ OK app.db = 0/s (< 4/s) · was CRIT · 00:05:13 UTC\n✔ all clear"},
	} {
		if got := msg(c.trs...); got != c.want {
			t.Errorf("message\n got %q\nwant %q", got, c.want)
		}
	}
}

func TestEscapes(t *testing.T) {
	tr := crit499()
	tr.Indicator = `<at user_id="all">x</at>`
	got := burst{trs: []sources.Transition{tr}}.text("warroom", escapeFeishu)
	if strings.Contains(got, "<at") || !strings.Contains(got, `‹at user_id="all">x‹/at>`) {
		t.Errorf("feishu text %q", got)
	}
	if got := escapeSlack("<!here> & <x|y>"); got != "&lt;!here&gt; &amp; &lt;x|y&gt;" {
		t.Errorf("slack %q", got)
	}
}

func TestRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, " 2 ": 2 * time.Second, "-1": 0,
		"Wed, 21 Oct 2015 07:28:00 GMT": 0, "86400": maxRetryAfter} {
		if got := retryAfter(v); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}
