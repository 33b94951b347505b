package notify

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"warroom/sources"
)

// step is a transition of nginx.slow_ratio (a ratio, shown in ‱) at
// t seconds after at.
func step(sec int, from, to sources.State, v, thr float64) sources.Transition {
	return sources.Transition{At: at.Add(time.Duration(sec) * time.Second), Indicator: "nginx.slow_ratio", From: from, To: to,
		Value: v, Threshold: thr, Unit: sources.UnitRatio, Phase: sources.PhaseHot, Milestone: "stage 3"}
}

// The night of the issue, against a real HTTP receiver: under min_state
// crit, slow_ratio goes warn → crit → warn → ok. The crit pages, its fall
// to warn is told as a recovery from crit, and the warn's end is the
// all-clear — which used to stay unsent.
func TestAllClearUnderMinStateCrit(t *testing.T) {
	srv := newServer(t, ok200)
	d, _ := start(t, Options{}, hook(KindGeneric, srv.URL+"/hook")) // min_state crit, the default
	night := []sources.Transition{
		step(0, sources.StateOK, sources.StateWarn, 0.0006, 0.0005),
		step(10, sources.StateWarn, sources.StateCrit, 0.0025, 0.002),
		step(200, sources.StateCrit, sources.StateWarn, 0.0015, 0.0016),
		step(300, sources.StateWarn, sources.StateOK, 0.0003, 0.0004),
	}
	for i, tr := range night {
		d.Take([]sources.Transition{tr})
		// one tick at a time, as the night comes: each change its message
		if i > 0 {
			waitFor(t, fmt.Sprintf("message %d", i), func() bool { return status(d, "oncall").Sent == uint64(i) })
		}
	}
	hits := srv.got()
	if len(hits) != 3 {
		t.Fatalf("%d messages, want 3 (crit, eased, all-clear)", len(hits))
	}
	var texts []string
	var last genericReply
	for _, h := range hits {
		var g genericReply
		if err := json.Unmarshal(h.body, &g); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, g.Text)
		last = g
	}
	want := []string{
		"warroom: ✖ CRIT nginx.slow_ratio = 25‱ (> 20‱) · was WARN · HOT · stage 3 · 00:02:23 UTC",
		"warroom: ▲ WARN nginx.slow_ratio = 15‱ (< 16‱) · was CRIT · HOT · stage 3 · 00:05:33 UTC",
		"warroom: ✔ OK nginx.slow_ratio = 3‱ (< 4‱) · was WARN · HOT · stage 3 · 00:07:13 UTC\n✔ all clear",
	}
	if strings.Join(texts, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(texts, "\n--\n"), strings.Join(want, "\n--\n"))
	}
	if !last.AllClear || len(last.Firing) != 0 || last.Transitions[0].ValueText != "3‱" {
		t.Errorf("all-clear body %+v", last)
	}
}

type genericReply struct {
	Text        string `json:"text"`
	AllClear    bool   `json:"all_clear"`
	Transitions []struct {
		Indicator string `json:"indicator"`
		ValueText string `json:"value_text"`
	} `json:"transitions"`
	Firing []struct {
		Indicator string `json:"indicator"`
		To        string `json:"to"`
	} `json:"firing"`
}

// A grouped message lists what is still firing.
func TestGroupedMessageListsStillFiring(t *testing.T) {
	srv := newServer(t, ok200)
	h := hook(KindGeneric, srv.URL+"/hook")
	h.MinState = LevelWarn
	d, _ := start(t, Options{}, h)
	db := sources.Transition{At: at, Indicator: "app.db", From: sources.StateOK, To: sources.StateCrit, Value: 9, Threshold: 5, Unit: sources.UnitCount}
	d.Take([]sources.Transition{db, step(1, sources.StateOK, sources.StateCrit, 0.003, 0.002)})
	waitFor(t, "first message", func() bool { return status(d, "oncall").Sent == 1 })
	d.Take([]sources.Transition{step(60, sources.StateCrit, sources.StateOK, 0.0001, 0.0016)})
	waitFor(t, "second message", func() bool { return status(d, "oncall").Sent == 2 })
	var g genericReply
	if err := json.Unmarshal(srv.got()[1].body, &g); err != nil {
		t.Fatal(err)
	}
	if want := "\nstill firing:\n✖ CRIT app.db since 00:02:13 UTC"; !strings.HasSuffix(g.Text, want) || g.AllClear ||
		len(g.Firing) != 1 || g.Firing[0].Indicator != "app.db" || g.Firing[0].To != "crit" {
		t.Errorf("body %+v, want text ending %q", g, want)
	}
}

// A webhook that fails — refused, 400, 500, no answer — shows in Status
// (the status bar's entry) as unreachable with the reason in a few words,
// and in the log in full; the next message delivered clears it, and the
// log says so.
func TestFailingWebhookShownUntilDelivered(t *testing.T) {
	cases := []struct {
		name  string
		fail  func(w http.ResponseWriter, r *http.Request) // nil: nothing listens
		brief string
		log   string
	}{
		{"refused", nil, "refused", "connection refused"},
		{"400", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "bad payload", http.StatusBadRequest) },
			"HTTP 400", "POST failed: HTTP 400: bad payload"},
		{"500", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) },
			"HTTP 500", "POST failed: HTTP 500: oops (2 attempts)"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			"timeout", "POST failed: no answer within 200ms (2 attempts)"},
		{"feishu code", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, `{"code":19021,"msg":"sign match fail"}`)
		},
			"code 19021", "POST rejected: code 19021: sign match fail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			failing := true
			var delivered []string
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body) // read to its end, so a client gone cancels r's context
				mu.Lock()
				f := failing
				if !f {
					delivered = append(delivered, string(b))
				}
				mu.Unlock()
				if f && c.fail != nil {
					c.fail(w, r)
					return
				}
				ok200(0, w, r)
			})
			srv := httptest.NewUnstartedServer(handler)
			addr := srv.Listener.Addr().String()
			if c.fail == nil {
				srv.Listener.Close() // refused until it listens again
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			var logs []string
			logf := func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }
			h := hook(KindFeishu, "http://"+addr+"/hook/x")
			h.Retries, h.Timeout = 1, model.Duration(200*time.Millisecond)
			d, _ := start(t, Options{Logf: logf}, h)

			d.Take([]sources.Transition{crit499()})
			waitFor(t, "the failure", func() bool { return status(d, "oncall").Failed == 1 })
			if st := d.Status()[0]; st.Name != "oncall" || st.Health != sources.HealthUnreachable || st.Detail != c.brief {
				t.Errorf("entry %+v, want unreachable %q", st, c.brief)
			}
			mu.Lock()
			if len(logs) != 1 || !strings.HasPrefix(logs[0], `notify: feishu webhook "oncall": `) || !strings.Contains(logs[0], c.log) {
				t.Errorf("logs %q, want one with %q", logs, c.log)
			}
			failing = false
			mu.Unlock()
			if c.fail == nil {
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Skipf("port %s taken again before the test could listen on it: %v", addr, err)
				}
				srv.Listener = ln
				srv.Start()
			}

			// the all-clear goes out: the webhook works again
			recovered := crit499()
			recovered.From, recovered.To, recovered.At, recovered.Value = sources.StateCrit, sources.StateOK, at.Add(time.Minute), 0.2
			d.Take([]sources.Transition{recovered})
			waitFor(t, "the recovery", func() bool { return status(d, "oncall").Sent == 1 })
			if st := d.Status()[0]; st.Health != sources.HealthOK || st.Detail != "" {
				t.Errorf("entry after the recovery %+v", st)
			}
			mu.Lock()
			defer mu.Unlock()
			if want := `notify: feishu webhook "oncall": delivered again after 1 failed messages`; logs[len(logs)-1] != want {
				t.Errorf("logs %q, want last %q", logs, want)
			}
			// the crit that could not be delivered goes with it, late, not lost
			if len(delivered) != 1 || !strings.Contains(delivered[0], "✖ CRIT nginx.499_rate") || !strings.Contains(delivered[0], "✔ OK nginx.499_rate") {
				t.Errorf("delivered %q, want the failed crit and its all-clear in one message", delivered)
			}
		})
	}
}
