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
	"syscall"
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
	in      chan []sources.Transition
	st      *tracker
	alerts  *alerts // owned by run's goroutine
}

// maxBackoff caps the wait between attempts; maxRetryAfter caps how long
// a server's Retry-After can hold a message back.
const (
	maxBackoff    = 30 * time.Second
	maxRetryAfter = time.Minute
	maxAnswer     = 4 << 10 // bytes of a response body read
)

// run groups and sends until ctx ends, then sends what is pending once.
// A message is sent on a goroutine of its own, so transitions are taken
// in (and the alerts kept) while a slow or failing webhook is retried:
// they fold into the next message rather than fill the queue.
func (h *webhook) run(ctx context.Context) {
	g := grouper{groupWait: time.Duration(h.cfg.GroupWait), minInterval: time.Duration(h.cfg.MinInterval)}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var sending chan struct{} // closed when the message under way is done; nil: none
	type result struct {
		b  burst
		ok bool
	}
	results := make(chan result, 1) // how the message under way went
	for {
		var wake <-chan time.Time
		if at, ok := g.due(); ok && sending == nil {
			timer.Reset(max(at.Sub(h.now()), 0))
			wake = timer.C
		}
		h.st.setPending(g.pending.total())
		select {
		case <-ctx.Done():
			if sending != nil {
				<-sending // its attempts end with ctx
			}
			h.flush(&g)
			return
		case batch := <-h.in:
			h.add(&g, batch)
		case r := <-results:
			if r.ok {
				g.failures = 0
			} else {
				g.requeue(r.b, h.now())
			}
		case <-wake:
			b := g.take(h.now())
			h.alerts.close(&b)
			done := make(chan struct{})
			sending = done
			go func() {
				defer close(done)
				ok := h.send(ctx, b, h.cfg.Retries)
				if ctx.Err() == nil {
					results <- result{b, ok}
				}
			}()
		case <-sending:
			sending = nil
		}
	}
}

// add holds the transitions of batch the alerts let through.
func (h *webhook) add(g *grouper, batch []sources.Transition) {
	for _, tr := range batch {
		if h.alerts.pass(tr) {
			g.add(tr, h.now())
		}
	}
}

// flush sends what is queued or pending at shutdown in one attempt,
// ignoring group_wait and min_interval: a crit seen just before exit
// should still go out.
func (h *webhook) flush(g *grouper) {
	for {
		select {
		case batch := <-h.in:
			h.add(g, batch)
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
	b := g.take(h.now())
	h.alerts.close(&b)
	h.send(ctx, b, 0)
	h.st.setPending(0)
}

// send delivers b and records how it went; false when it could not.
func (h *webhook) send(ctx context.Context, b burst, retries int) bool {
	if err := h.deliver(ctx, b, retries); err != nil {
		h.st.failed(h.now(), err.Error(), briefOf(err))
		if h.logf != nil {
			h.logf("%v", err)
		}
		return false
	}
	if n := h.st.sent(h.now()); n > 0 && h.logf != nil {
		h.logf("notify: %s: delivered again after %d failed messages", h, n)
	}
	return true
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
// but never the *url.Error around it, whose text holds the URL. brief is
// the few words the status bar has room for: "HTTP 400", "refused",
// "timeout", "code 19021".
type deliveryError struct {
	msg   string
	brief string
	cause error
}

// briefOf is the status bar's words for a failed message.
func briefOf(err error) string {
	if de, ok := errors.AsType[*deliveryError](err); ok && de.brief != "" {
		return de.brief
	}
	return sources.Brief(err)
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
		return 0, false, &deliveryError{msg: "POST failed: invalid URL", brief: "invalid URL"}
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
		msg, brief := "POST failed: "+cause.Error(), h.red.clean(sources.Brief(cause))
		switch {
		case errors.Is(cause, context.DeadlineExceeded) && ctx.Err() == nil:
			msg, brief = fmt.Sprintf("POST failed: no answer within %s", timeout), "timeout"
		case errors.Is(cause, syscall.ECONNREFUSED):
			brief = "refused"
		}
		return 0, ctx.Err() == nil, &deliveryError{msg: h.red.clean(msg), brief: brief, cause: cause}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if h.cfg.Kind == KindFeishu || h.cfg.Kind == KindLark {
			if code, err := feishuAnswer([]byte(h.red.clean(string(answer)))); err != nil {
				return 0, false, &deliveryError{msg: h.red.clean("POST rejected: " + err.Error()), brief: "code " + strconv.Itoa(code)}
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
	return wait, retry, &deliveryError{msg: h.red.clean(msg), brief: "HTTP " + strconv.Itoa(code)}
}

// feishuAnswer reads a Feishu/Lark reply: HTTP 200 with a non-zero code
// is a rejection (bad signature, keyword filter, rate limit). Both the
// current {"code","msg"} and the older {"StatusCode","StatusMessage"}
// shapes are understood.
func feishuAnswer(body []byte) (code int, err error) {
	var a struct {
		Code          *int   `json:"code"`
		Msg           string `json:"msg"`
		StatusCode    *int   `json:"StatusCode"`
		StatusMessage string `json:"StatusMessage"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &a) != nil {
		return 0, nil // not JSON: trust the HTTP status
	}
	switch {
	case a.Code != nil && *a.Code != 0:
		return *a.Code, fmt.Errorf("code %d: %s", *a.Code, brief([]byte(a.Msg)))
	case a.StatusCode != nil && *a.StatusCode != 0:
		return *a.StatusCode, fmt.Errorf("code %d: %s", *a.StatusCode, brief([]byte(a.StatusMessage)))
	}
	return 0, nil
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
