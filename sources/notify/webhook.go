package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
)

// webhook is one configured webhook at run time: its own goroutine, inbox,
// grouper and HTTP client.
type webhook struct {
	cfg     WebhookConfig
	title   string
	url     string // secret
	secret  string // secret
	client  *http.Client
	red     redactor
	now     func() time.Time
	backoff time.Duration
	logf    func(string, ...any)
	in      chan sources.Transition
	st      *tracker
}

// maxBackoff caps the wait between attempts; maxRetryAfter caps how long
// a server's Retry-After can hold a message back.
const (
	maxBackoff    = 30 * time.Second
	maxRetryAfter = time.Minute
	maxAnswer     = 4 << 10 // bytes of a response body read
)

func (h *webhook) wants(tr sources.Transition) bool {
	return escalates(tr, h.cfg.MinState) || (h.cfg.SendResolved && eases(tr, h.cfg.MinState))
}

// run groups and sends until ctx ends, then sends what is pending once.
func (h *webhook) run(ctx context.Context) {
	g := grouper{groupWait: time.Duration(h.cfg.GroupWait), minInterval: time.Duration(h.cfg.MinInterval)}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var wake <-chan time.Time
		if at, ok := g.due(); ok {
			timer.Reset(max(at.Sub(h.now()), 0))
			wake = timer.C
		}
		h.st.setPending(g.pending.total())
		select {
		case <-ctx.Done():
			h.flush(&g)
			return
		case tr := <-h.in:
			g.add(tr, h.now())
		case <-wake:
			b := g.take(h.now())
			h.st.setPending(0)
			h.send(ctx, b, h.cfg.Retries)
		}
	}
}

// flush sends what is queued or pending at shutdown in one attempt,
// ignoring group_wait and min_interval: a crit seen just before exit
// should still go out.
func (h *webhook) flush(g *grouper) {
	for {
		select {
		case tr := <-h.in:
			g.add(tr, h.now())
			continue
		default:
		}
		break
	}
	if g.pending.total() == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(h.cfg.Timeout))
	defer cancel()
	h.send(ctx, g.take(h.now()), 0)
	h.st.setPending(0)
}

func (h *webhook) send(ctx context.Context, b burst, retries int) {
	if err := h.deliver(ctx, b, retries); err != nil {
		h.st.failed(h.now(), err.Error())
		if h.logf != nil {
			h.logf("%v", err)
		}
		return
	}
	h.st.sent(h.now())
}

// deliver posts b, retrying transient failures with exponential backoff.
// The error names the webhook and never holds its URL or secret.
func (h *webhook) deliver(ctx context.Context, b burst, retries int) error {
	var last error
	attempts := 0
	for attempt := 0; ; attempt++ {
		body, err := payload(h.cfg.Kind, h.title, b, h.now(), h.secret)
		if err != nil {
			return h.errorf("encode message: %w", err)
		}
		attempts++
		wait, retry, err := h.post(ctx, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry || attempt >= retries || ctx.Err() != nil {
			break
		}
		d := min(h.backoff<<attempt, maxBackoff)
		d = max(d, wait)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return h.errorf("%w (gave up after %d attempts: shutting down)", last, attempts)
		case <-t.C:
		}
	}
	if attempts > 1 {
		return h.errorf("%w (%d attempts)", last, attempts)
	}
	return h.errorf("%w", last)
}

func (h *webhook) errorf(format string, args ...any) error {
	return fmt.Errorf("notify: %s webhook %q: "+format, append([]any{h.cfg.Kind, h.cfg.Name}, args...)...)
}

// deliveryError is one failed attempt. Its text is built without the URL
// and scrubbed of secrets; cause is kept for errors.Is (deadline, refused)
// but never the *url.Error around it, whose text holds the URL.
type deliveryError struct {
	msg   string
	cause error
}

func (e *deliveryError) Error() string { return e.msg }
func (e *deliveryError) Unwrap() error { return e.cause }

// post makes one attempt. retry says whether trying again may help; wait
// is the server's Retry-After, if any.
func (h *webhook) post(ctx context.Context, body []byte) (wait time.Duration, retry bool, err error) {
	timeout := time.Duration(h.cfg.Timeout)
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return 0, false, &deliveryError{msg: "POST failed: invalid URL"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "warroom")
	resp, err := h.client.Do(req)
	if err != nil {
		cause := err
		var ue *url.Error
		if errors.As(err, &ue) {
			cause = ue.Err
		}
		msg := "POST failed: " + cause.Error()
		if errors.Is(cause, context.DeadlineExceeded) && ctx.Err() == nil {
			msg = fmt.Sprintf("POST failed: no answer within %s", timeout)
		}
		return 0, ctx.Err() == nil, &deliveryError{msg: h.red.clean(msg), cause: cause}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if h.cfg.Kind == KindFeishu || h.cfg.Kind == KindLark {
			if err := feishuAnswer([]byte(h.red.clean(string(answer)))); err != nil {
				return 0, false, &deliveryError{msg: h.red.clean("POST rejected: " + err.Error())}
			}
		}
		return 0, false, nil
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		retry = true
		wait = retryAfter(resp.Header.Get("Retry-After"))
	}
	msg := "POST failed: HTTP " + strconv.Itoa(code)
	// Redact before cutting short: a cut token no longer matches.
	if s := brief([]byte(h.red.clean(string(answer)))); s != "" {
		msg += ": " + s
	}
	return wait, retry, &deliveryError{msg: h.red.clean(msg)}
}

// feishuAnswer reads a Feishu/Lark reply: HTTP 200 with a non-zero code
// is a rejection (bad signature, keyword filter, rate limit). Both the
// current {"code","msg"} and the older {"StatusCode","StatusMessage"}
// shapes are understood.
func feishuAnswer(body []byte) error {
	var a struct {
		Code          *int   `json:"code"`
		Msg           string `json:"msg"`
		StatusCode    *int   `json:"StatusCode"`
		StatusMessage string `json:"StatusMessage"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &a) != nil {
		return nil // not JSON: trust the HTTP status
	}
	switch {
	case a.Code != nil && *a.Code != 0:
		return fmt.Errorf("code %d: %s", *a.Code, brief([]byte(a.Msg)))
	case a.StatusCode != nil && *a.StatusCode != 0:
		return fmt.Errorf("code %d: %s", *a.StatusCode, brief([]byte(a.StatusMessage)))
	}
	return nil
}

// retryAfter reads a Retry-After in seconds (the HTTP-date form is rare
// from chat APIs and is ignored).
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxRetryAfter)
}

// brief is the start of a server's answer, one line, for an error.
func brief(b []byte) string {
	s := strings.Join(strings.Fields(sources.Sanitize(string(b))), " ")
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "") + "…"
	}
	return s
}

// String names the webhook without its URL, so %v of a Dispatcher or a
// webhook never prints the token.
func (h *webhook) String() string { return fmt.Sprintf("%s webhook %q", h.cfg.Kind, h.cfg.Name) }

// GoString keeps %#v from printing fields.
func (h *webhook) GoString() string { return h.String() }
