package notify

import (
	"math"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		12.3: "12.3", 12.34: "12.3", 5: "5", 1234.6: "1235", 0.0123: "0.0123", 0: "0", 1.5: "1.5", -3.25: "-3.25", 100: "100", 0.5: "0.5",
	} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	tr := crit499()
	if got := Line(tr); got != critLine {
		t.Errorf("Line = %q", got)
	}
	tr = sources.Transition{At: at, Indicator: "nginx.qps", From: sources.StateWarn, To: sources.StateOK,
		Value: 0.4, Threshold: 1, Phase: sources.PhaseCooling}
	if got, want := Line(tr), "✔ OK nginx.qps = 0.4 (< 1) · was WARN · cooling · 00:02:13"; got != want {
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
	if lines[0] != "warroom: 40 changes 00:02:13–00:02:13 (18 crit, 17 ok)" {
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
