package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

// Every webhook body shows hostile names by the text policy and carries no
// raw control or format character.
func TestPayloadShowsHostileText(t *testing.T) {
	at := time.Date(2026, 12, 13, 0, 2, 13, 0, time.UTC)
	tr := sources.Transition{At: at, Indicator: "prom.db\u200b", From: sources.StateOK, To: sources.StateCrit,
		Value: 7, Threshold: 5, Phase: sources.PhaseHot, Milestone: "Day\u202e 1\u009b"}
	b := burst{trs: []sources.Transition{tr}}
	for _, kind := range []Kind{KindFeishu, KindSlack, KindGeneric} {
		body, err := payload(kind, "warroom\u2066", b, at, "")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if strings.ContainsAny(string(body), "\u200b\u202e\u009b\u2066") {
			t.Errorf("%s: raw character in %s", kind, body)
		}
		var decoded any
		if err := json.Unmarshal(body, &decoded); err != nil {
			t.Fatalf("%s: %v: %s", kind, err, body)
		}
		text, _ := json.Marshal(decoded) // decoded again: the text the chat shows
		for _, want := range []string{`warroom\\u2066`, `prom.db\\u200b`, `Day\\u202e 1\\x9b`} {
			if !strings.Contains(string(text), want) {
				t.Errorf("%s: %s lacks %s", kind, text, want)
			}
		}
	}
}
