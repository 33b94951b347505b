package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
)

// Tokens in a webhook URL and the signing key never reach Status, its
// String, the logs or %v — whatever the server or the network says.
func TestSecretsNeverShown(t *testing.T) {
	const (
		token  = "0d5e8a1f-7c3b-t0ken"
		query  = "sig=qu3ry-s3cret"
		secret = "feishu-signing-key"
	)
	echo := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no hook at "+r.URL.RequestURI()+" (was it "+r.Host+r.URL.RequestURI()+"?)", http.StatusInternalServerError)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	var logs bytes.Buffer
	var mu sync.Mutex
	logf := func(f string, a ...any) { mu.Lock(); fmt.Fprintf(&logs, f+"\n", a...); mu.Unlock() }
	a := hook(KindFeishu, echo.URL+"/open-apis/bot/v2/hook/"+token+"?"+query)
	a.Secret, a.Retries = secret, 1
	b := hook(KindFeishu, closed+"/open-apis/bot/v2/hook/"+token+"?"+query)
	b.Name, b.Secret, b.Retries = "backup", secret, 0
	d, _ := start(t, Options{Logf: logf}, a, b)
	d.Notify(crit499())
	waitFor(t, "both failed", func() bool { return status(d, "oncall").Failed == 1 && status(d, "backup").Failed == 1 })

	mu.Lock()
	shown := logs.String()
	mu.Unlock()
	for _, s := range d.Notifiers() {
		shown += s.LastError + "\n" + s.String() + "\n"
	}
	for _, s := range d.Status() {
		shown += s.Detail + "\n"
	}
	shown += fmt.Sprintf("%v %+v %#v", d, d, d)
	for _, leak := range []string{token, "0d5e", "t0ken", query, "qu3ry", secret, "signing"} {
		if strings.Contains(shown, leak) {
			t.Errorf("%q shown:\n%s", leak, shown)
		}
	}
	if s := status(d, "oncall").LastError; !strings.HasPrefix(s, `notify: feishu webhook "oncall": POST failed: HTTP 500: no hook at <secret>?<secret>`) {
		t.Errorf("oncall error %q", s)
	}
	if s := status(d, "backup").LastError; !strings.HasPrefix(s, `notify: feishu webhook "backup": POST failed: dial tcp `) {
		t.Errorf("backup error %q", s)
	}
}

func TestNewResolvesSecrets(t *testing.T) {
	files := map[string]string{
		"/s/url":     "  https://open.feishu.cn/open-apis/bot/v2/hook/abc-t0ken\n",
		"/s/bad-url": "https://open.feishu.cn/hook/%zz-t0ken",
		"/s/empty":   "\n",
	}
	o := Options{
		Env: func(k string) string {
			return map[string]string{"URL": "https://hooks.slack.com/services/T/B/t0ken"}[k]
		},
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
	}
	mk := func(edit func(*WebhookConfig)) Config {
		w := DefaultWebhookConfig
		w.Name, w.Kind = "oncall", KindFeishu
		edit(&w)
		return Config{MinState: LevelWarn, Webhooks: []WebhookConfig{w}}
	}
	cases := []struct {
		name string
		cfg  Config
		want string // "" for success
	}{
		{"file", mk(func(w *WebhookConfig) { w.URLFile = "/s/url" }), ""},
		{"env", mk(func(w *WebhookConfig) { w.URLEnv = "URL" }), ""},
		{"file and secret env", mk(func(w *WebhookConfig) { w.URLFile = "/s/url"; w.SecretEnv = "URL" }), ""},
		{"missing file", mk(func(w *WebhookConfig) { w.URLFile = "/s/none" }),
			`notify: webhook "oncall": url_file: open /s/none: file does not exist`},
		{"empty file", mk(func(w *WebhookConfig) { w.URLFile = "/s/empty" }),
			`notify: webhook "oncall": url_file /s/empty is empty`},
		{"bad URL in file", mk(func(w *WebhookConfig) { w.URLFile = "/s/bad-url" }),
			`notify: webhook "oncall": url: not a valid URL`},
		{"unset env", mk(func(w *WebhookConfig) { w.URLEnv = "NOPE" }),
			`notify: webhook "oncall": url_env: $NOPE is unset or empty`},
		{"unset secret env", mk(func(w *WebhookConfig) { w.URLFile = "/s/url"; w.SecretEnv = "NOPE" }),
			`notify: webhook "oncall": secret_env: $NOPE is unset or empty`},
		{"invalid config", mk(func(w *WebhookConfig) { w.URL = promcfg.Secret("https://x/t0ken"); w.Retries = 99 }),
			`notify: webhooks[0].retries: webhook "oncall": must be 0–10, got 99`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg, o)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Errorf("error %v, want %s", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "t0ken") {
				t.Errorf("error shows the URL: %v", err)
			}
		})
	}
}

// Notify never blocks: with nobody delivering, a full queue drops and
// counts.
func TestNotifyNeverBlocks(t *testing.T) {
	cfg := DefaultConfig
	w := hook(KindSlack, "http://127.0.0.1:1/hook")
	cfg.Webhooks = []WebhookConfig{w}
	d, err := New(cfg, Options{QueueSize: 4, TerminalOut: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		for range 10 {
			d.Notify(crit499())
		}
		d.Notify(sources.Transition{To: sources.StateCrit, Acked: true}) // acknowledged: skipped
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked")
	}
	st := d.Notifiers()
	if len(st) != 2 || st[0].Name != "terminal" || st[0].Dropped != 6 || st[1].Name != "oncall" || st[1].Dropped != 6 {
		t.Errorf("status %+v", st)
	}
}

// syncBuffer is a terminal the test can read while the notifier writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestDispatcherTerminal(t *testing.T) {
	var out syncBuffer
	d, _ := start(t, Options{TerminalOut: &out, InTmux: true})
	d.Notify(crit499())
	waitFor(t, "terminal output", func() bool { return d.Notifiers()[0].Sent == 1 })
	want := "\x1bPtmux;\x1b\x1b]9;warroom: " + critLine + "\a\x1b\\" +
		"\x1bPtmux;\x1b\x1b]777;notify;warroom;" + critLine + "\a\x1b\\" + "\a"
	if got := out.String(); got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if s := d.Status()[0]; s.Health != sources.HealthOK || s.Kind != "terminal" {
		t.Errorf("status %+v", s)
	}
	// Below min_state: nothing is written for it; the next crit is all
	// that comes.
	d.Notify(sources.Transition{Indicator: "prom.q", From: sources.StateOK, To: sources.StateStale})
	other := crit499()
	other.Indicator = "app.db"
	d.Notify(other)
	waitFor(t, "second notification", func() bool { return d.Notifiers()[0].Sent == 2 })
	if got := out.String(); strings.Contains(got, "prom.q") || !strings.Contains(got, "app.db") {
		t.Errorf("wrote %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestDispatcherTerminalWriteError(t *testing.T) {
	d, _ := start(t, Options{TerminalOut: failWriter{}})
	d.Notify(crit499())
	waitFor(t, "failure", func() bool { return d.Notifiers()[0].Failed == 1 })
	if s := d.Notifiers()[0]; s.LastError != "notify: terminal: broken pipe" || !s.Failing() {
		t.Errorf("status %+v", s)
	}
	if s := d.Status()[0]; s.Health != sources.HealthUnreachable || s.Detail != "broken pipe" {
		t.Errorf("entry %+v", s)
	}
}

func TestRunTwice(t *testing.T) {
	d, err := New(DefaultConfig, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := d.Run(ctx); err != nil {
		t.Errorf("first Run: %v", err)
	}
	if err := d.Run(ctx); err == nil {
		t.Error("second Run accepted")
	}
}

// A config built in code from the zero value works: no webhooks, warn.
func TestNewZeroConfig(t *testing.T) {
	d, err := New(Config{}, Options{TerminalOut: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Status()) != 0 || d.term != nil {
		t.Errorf("status %v, terminal %+v", d.Status(), d.term)
	}
}
