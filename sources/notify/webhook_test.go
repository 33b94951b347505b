package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"warroom/sources"
)

// hit is one request a test server received.
type hit struct {
	at   time.Time
	path string
	body []byte
}

// server is a loopback webhook endpoint whose answers a test scripts:
// answer(n) handles the n-th request (0-based).
type server struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
}

func newServer(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.hits)
		s.hits = append(s.hits, hit{at: time.Now(), path: r.URL.RequestURI(), body: body})
		s.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			http.Error(w, "want a JSON POST", http.StatusMethodNotAllowed)
			return
		}
		answer(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) got() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.hits...)
}

func ok200(_ int, w http.ResponseWriter, _ *http.Request) {
	io.WriteString(w, `{"code":0,"msg":"success"}`)
}

// hook is a webhook on url that sends at once, with short timeouts.
func hook(kind Kind, url string) WebhookConfig {
	w := DefaultWebhookConfig
	w.Name, w.Kind, w.URL = "oncall", kind, promcfg.Secret(url)
	w.Timeout = model.Duration(time.Second)
	w.GroupWait, w.MinInterval = 0, 0
	return w
}

// start runs a dispatcher for the test; stop cancels it and waits.
func start(t *testing.T, o Options, hooks ...WebhookConfig) (d *Dispatcher, stop func()) {
	t.Helper()
	cfg := DefaultConfig
	cfg.Webhooks = hooks
	if o.Backoff == 0 {
		o.Backoff = 5 * time.Millisecond
	}
	d, err := New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return d, stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func status(d *Dispatcher, name string) Status {
	for _, s := range d.Notifiers() {
		if s.Name == name {
			return s
		}
	}
	return Status{}
}

func settled(d *Dispatcher) func() bool {
	return func() bool { s := status(d, "oncall"); return s.Sent+s.Failed > 0 }
}

func TestFeishuSigned(t *testing.T) {
	const secret = "feishu-signing-key"
	now := time.Date(2025, 1, 1, 0, 2, 14, 0, time.UTC)
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { ok200(0, w, r) })
	h := hook(KindFeishu, srv.URL+"/open-apis/bot/v2/hook/0d5e-t0ken")
	h.Secret = secret
	d, _ := start(t, Options{Now: func() time.Time { return now }, Title: "warroom · year-end"}, h)
	d.Notify(crit499())
	waitFor(t, "delivery", settled(d))

	hits := srv.got()
	if len(hits) != 1 || hits[0].path != "/open-apis/bot/v2/hook/0d5e-t0ken" {
		t.Fatalf("hits: %+v", hits)
	}
	var msg struct {
		Timestamp string `json:"timestamp"`
		Sign      string `json:"sign"`
		MsgType   string `json:"msg_type"`
		Content   struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.Unmarshal(hits[0].body, &msg); err != nil {
		t.Fatalf("%v: %s", err, hits[0].body)
	}
	// The server's side of Feishu's check, written out independently.
	ts, err := strconv.ParseInt(msg.Timestamp, 10, 64)
	if err != nil || ts != now.Unix() {
		t.Errorf("timestamp %q, want %d (seconds)", msg.Timestamp, now.Unix())
	}
	mac := hmac.New(sha256.New, []byte(msg.Timestamp+"\n"+secret))
	mac.Write(nil)
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); msg.Sign != want {
		t.Errorf("sign %q, want %q", msg.Sign, want)
	}
	if msg.MsgType != "text" || msg.Content.Text != "warroom · year-end: "+critLine {
		t.Errorf("message %+v", msg)
	}
	if s := status(d, "oncall"); s.Sent != 1 || s.Failed != 0 || s.LastError != "" || s.Kind != "feishu" {
		t.Errorf("status %+v", s)
	}
}

func TestFeishuUnsignedHasNoSignFields(t *testing.T) {
	srv := newServer(t, ok200)
	d, _ := start(t, Options{}, hook(KindLark, srv.URL+"/hook/x"))
	d.Notify(crit499())
	waitFor(t, "delivery", settled(d))
	body := string(srv.got()[0].body)
	if strings.Contains(body, "sign") || strings.Contains(body, "timestamp") || !strings.HasPrefix(body, `{"msg_type":"text","content":{"text":`) {
		t.Errorf("body %s", body)
	}
}

// Feishu says no with HTTP 200 and a code; that is a failure, and retrying
// a bad signature cannot help.
func TestFeishuRejection(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}`)
	})
	d, _ := start(t, Options{}, hook(KindFeishu, srv.URL+"/hook/x"))
	d.Notify(crit499())
	waitFor(t, "failure", settled(d))
	s := status(d, "oncall")
	if len(srv.got()) != 1 || s.Failed != 1 || !strings.Contains(s.LastError, "code 19021: sign match fail") {
		t.Errorf("%d hits, status %+v", len(srv.got()), s)
	}
}

func TestSlackBody(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	d, _ := start(t, Options{}, hook(KindSlack, srv.URL+"/services/T0/B0/x"))
	tr := crit499()
	tr.Indicator = "<!channel> & <https://evil|click>"
	d.Notify(tr)
	waitFor(t, "delivery", settled(d))
	var msg map[string]string
	if err := json.Unmarshal(srv.got()[0].body, &msg); err != nil || len(msg) != 1 {
		t.Fatalf("body %s (%v)", srv.got()[0].body, err)
	}
	want := "warroom: ✖ CRIT &lt;!channel&gt; &amp; &lt;https://evil|click&gt; = 12.3/s (&gt; 5/s) · HOT · stage 3 · 00:02:13 UTC"
	if msg["text"] != want {
		t.Errorf("text\n got %q\nwant %q", msg["text"], want)
	}
}

func TestGenericBody(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := hook(KindGeneric, srv.URL+"/warroom")
	h.GroupWait = model.Duration(100 * time.Millisecond)
	d, _ := start(t, Options{}, h)
	absent := sources.Transition{At: at.Add(time.Second), Indicator: "nginx.qps", From: sources.StateOK, To: sources.StateCrit,
		Value: math.NaN(), Threshold: math.NaN(), Phase: sources.PhaseHot, Milestone: "stage 3"}
	d.Notify(crit499(), absent)
	waitFor(t, "delivery", settled(d))
	var got struct {
		Title       string           `json:"title"`
		Text        string           `json:"text"`
		Total       int              `json:"total"`
		Omitted     int              `json:"omitted"`
		Transitions []map[string]any `json:"transitions"`
		Firing      []map[string]any `json:"firing"`
		AllClear    bool             `json:"all_clear"`
	}
	if err := json.Unmarshal(srv.got()[0].body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != "warroom" || got.Total != 2 || got.Omitted != 0 || len(got.Transitions) != 2 || len(got.Firing) != 2 || got.AllClear ||
		!strings.HasPrefix(got.Text, "warroom: 2 changes 00:02:13–00:02:14 UTC (2 crit)\n") {
		t.Errorf("body %s", srv.got()[0].body)
	}
	first, _ := json.Marshal(got.Transitions[0])
	if want := `{"at":"2025-01-01T00:02:13.000Z","from":"ok","indicator":"nginx.499_rate","milestone":"stage 3","phase":"hot","reason":"","threshold":5,"threshold_text":"5/s","to":"crit","unit":"per-second","value":12.3,"value_text":"12.3/s"}`; string(first) != want {
		t.Errorf("transition\n got %s\nwant %s", first, want)
	}
	if v, ok := got.Transitions[1]["value"]; !ok || v != nil {
		t.Errorf("NaN value should be null: %v", got.Transitions[1])
	}
}

func TestRetryThenDeliveredOnce(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusBadGateway} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 0 {
					http.Error(w, "busy", code)
					return
				}
				io.WriteString(w, "ok")
			})
			d, _ := start(t, Options{}, hook(KindSlack, srv.URL+"/hook"))
			d.Notify(crit499())
			waitFor(t, "delivery", settled(d))
			time.Sleep(20 * time.Millisecond) // room for a wrong extra attempt
			s := status(d, "oncall")
			if n := len(srv.got()); n != 2 || s.Sent != 1 || s.Failed != 0 {
				t.Errorf("%d requests, status %+v; want 2 requests, 1 sent", n, s)
			}
			if string(srv.got()[0].body) != string(srv.got()[1].body) {
				t.Error("retry sent a different message")
			}
		})
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
	})
	var logs []string
	var mu sync.Mutex
	logf := func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }
	d, _ := start(t, Options{Logf: logf}, hook(KindSlack, srv.URL+"/hook"))
	d.Notify(crit499())
	waitFor(t, "failure", settled(d))
	time.Sleep(20 * time.Millisecond)
	s := status(d, "oncall")
	if n := len(srv.got()); n != 1 || s.Failed != 1 || s.Sent != 0 || !s.Failing() {
		t.Errorf("%d requests, status %+v; want 1 request, 1 failed", n, s)
	}
	want := `notify: slack webhook "oncall": POST failed: HTTP 400: invalid_payload`
	mu.Lock()
	defer mu.Unlock()
	if s.LastError != want || len(logs) != 1 || logs[0] != want {
		t.Errorf("error %q, logs %q; want %q", s.LastError, logs, want)
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	h := hook(KindGeneric, srv.URL+"/hook")
	h.Retries = 2
	d, _ := start(t, Options{}, h)
	d.Notify(crit499())
	waitFor(t, "failure", settled(d))
	s := status(d, "oncall")
	if n := len(srv.got()); n != 3 || s.Failed != 1 {
		t.Errorf("%d requests, status %+v; want 3 attempts, 1 failed", n, s)
	}
	if want := `notify: generic webhook "oncall": POST failed: HTTP 503 (3 attempts)`; s.LastError != want {
		t.Errorf("error %q, want %q", s.LastError, want)
	}
	// Exponential backoff: 5ms then 10ms between the attempts.
	hits := srv.got()
	if gap1, gap2 := hits[1].at.Sub(hits[0].at), hits[2].at.Sub(hits[1].at); gap1 < 5*time.Millisecond || gap2 < 10*time.Millisecond {
		t.Errorf("backoff gaps %v, %v; want ≥ 5ms, ≥ 10ms", gap1, gap2)
	}
}

func TestTimeoutRespected(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for handlers
	h := hook(KindSlack, srv.URL+"/hook")
	h.Timeout = model.Duration(50 * time.Millisecond)
	h.Retries = 1
	d, _ := start(t, Options{}, h)
	// the server never answers by itself: only the timeout ends each attempt
	d.Notify(crit499())
	waitFor(t, "failure", settled(d))
	s := status(d, "oncall")
	if n := len(srv.got()); n != 2 || s.Failed != 1 {
		t.Errorf("%d requests, status %+v; want 2 attempts, 1 failed", n, s)
	}
	if want := `notify: slack webhook "oncall": POST failed: no answer within 50ms (2 attempts)`; s.LastError != want {
		t.Errorf("error %q, want %q", s.LastError, want)
	}
}

func TestBurstIsOneMessage(t *testing.T) {
	srv := newServer(t, ok200)
	h := hook(KindFeishu, srv.URL+"/hook")
	// long enough for the 20 calls below on a loaded machine
	h.GroupWait = model.Duration(time.Second)
	d, _ := start(t, Options{}, h)
	for i := range 20 {
		tr := crit499()
		tr.Indicator = fmt.Sprintf("ind-%02d", i)
		d.Notify(tr)
	}
	waitFor(t, "delivery", settled(d))
	time.Sleep(50 * time.Millisecond)
	hits := srv.got()
	if len(hits) != 1 {
		t.Fatalf("%d POSTs for one burst, want 1", len(hits))
	}
	body := string(hits[0].body)
	if !strings.Contains(body, "20 changes") {
		t.Errorf("no count in %s", body)
	}
	for i := range 20 {
		if !strings.Contains(body, fmt.Sprintf("ind-%02d", i)) {
			t.Errorf("ind-%02d missing", i)
		}
	}
}

// A second burst soon after the first waits out min_interval and goes as
// one message.
func TestRateLimitDefersAndFolds(t *testing.T) {
	srv := newServer(t, ok200)
	h := hook(KindSlack, srv.URL+"/hook")
	// long enough for the test to send two more on a loaded machine
	const minInterval = 2 * time.Second
	h.MinInterval = model.Duration(minInterval)
	d, _ := start(t, Options{}, h)
	began := time.Now()
	d.Notify(crit499())
	waitFor(t, "first message", func() bool { return len(srv.got()) == 1 })
	second, third := crit499(), crit499()
	second.Indicator, third.Indicator = "app.db", "nginx.5xx"
	d.Notify(second)
	time.Sleep(20 * time.Millisecond)
	d.Notify(third)
	waitFor(t, "both held back", func() bool { return status(d, "oncall").Pending == 2 })
	if n := len(srv.got()); n != 1 {
		t.Fatalf("%d POSTs while the rate limit holds, want 1", n)
	}
	waitFor(t, "second message", func() bool { return len(srv.got()) == 2 })
	time.Sleep(50 * time.Millisecond)
	hits := srv.got()
	if len(hits) != 2 {
		t.Fatalf("%d POSTs, want 2", len(hits))
	}
	// the first message went out after began, so the second may not
	// arrive before began+minInterval (its arrival after the first's is
	// no measure: the first may take long to arrive)
	if after := hits[1].at.Sub(began); after < minInterval {
		t.Errorf("second message arrived %v after the first was notified, want ≥ %v", after, minInterval)
	}
	if b := string(hits[1].body); !strings.Contains(b, "2 changes") || !strings.Contains(b, "app.db") || !strings.Contains(b, "nginx.5xx") {
		t.Errorf("second message did not fold both: %s", b)
	}
}

// What is still grouped at shutdown goes out once.
func TestShutdownFlushes(t *testing.T) {
	srv := newServer(t, ok200)
	h := hook(KindSlack, srv.URL+"/hook")
	h.GroupWait = model.Duration(maxGroupWait)
	d, stop := start(t, Options{}, h)
	d.Notify(crit499())
	waitFor(t, "pending", func() bool { return status(d, "oncall").Pending == 1 })
	stop()
	if n := len(srv.got()); n != 1 || status(d, "oncall").Sent != 1 {
		t.Errorf("%d POSTs at shutdown, want 1", n)
	}
}
