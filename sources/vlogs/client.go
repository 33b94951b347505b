package vlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
	"warroom/sources/config"
)

// Limits of every server.
const (
	// MaxInflight bounds a server's requests in flight, whatever the
	// number of streams on it.
	MaxInflight = 4
	// MaxDetailInflight bounds a server's detail requests (top tables,
	// latest lines) in flight, apart from the counts' slots: over a big
	// fleet they take seconds, and must never keep the counts waiting.
	MaxDetailInflight = 2
	// MinDetailTimeout is the least a detail request is given (six times
	// the server's timeout when that is more, at most a minute): a top
	// table over 15 minutes of 20 hosts takes 4–5 s, and comes late
	// rather than never.
	MinDetailTimeout = 30 * time.Second
	// MaxBody caps an answer: a runaway one (a misrouted download, a
	// million rows) costs bounded memory.
	MaxBody = 32 << 20
)

// server is one configured endpoint at run time. Its client is built on
// first use, from a poll goroutine: building reads CA and key files.
type server struct {
	cfg         ServerConfig
	slots       chan struct{}
	detailSlots chan struct{}
	wrap        func(string, http.RoundTripper) http.RoundTripper
	scrub       config.Scrubber

	once sync.Once
	hc   *http.Client
	err  error
}

func newServer(cfg ServerConfig, wrap func(string, http.RoundTripper) http.RoundTripper) *server {
	return &server{cfg: cfg, slots: make(chan struct{}, MaxInflight), detailSlots: make(chan struct{}, MaxDetailInflight), wrap: wrap, scrub: config.Scrubber{URL: cfg.URL, HTTP: cfg.HTTP}}
}

func (s *server) client() (*http.Client, error) {
	s.once.Do(func() {
		hc, err := promcfg.NewClientFromConfig(s.cfg.HTTP, "warroom_"+s.cfg.Name)
		if err != nil {
			s.err = fmt.Errorf("server %q: http client: %w", s.cfg.Name, err)
			return
		}
		if s.wrap != nil {
			hc.Transport = s.wrap(s.cfg.Name, hc.Transport)
		}
		s.hc = hc
	})
	return s.hc, s.err
}

func (s *server) timeout() time.Duration {
	if s.cfg.Timeout > 0 {
		return time.Duration(s.cfg.Timeout)
	}
	return DefaultTimeout
}

// failure is why a request has no answer: its health (unreachable: no
// answer at all; error: an answer that is not one) and a short,
// sanitized reason free of the server's secrets.
type failure struct {
	health sources.Health
	msg    string
}

func (f *failure) Error() string { return f.health.String() + ": " + f.msg }

// errCanceled is a request cut short by its context ending: shutdown,
// not the server's fault.
var errCanceled = errors.New("canceled")

// post sends one request to path with the form, within the server's
// timeout, holding one of its slots, and returns the answer's body.
func (s *server) post(ctx context.Context, path string, form url.Values) ([]byte, error) {
	return s.send(ctx, path, form, s.slots, s.timeout())
}

// postDetail is post for a detail request (top tables, latest lines):
// one of the detail slots, and a longer timeout (see MinDetailTimeout).
func (s *server) postDetail(ctx context.Context, path string, form url.Values) ([]byte, error) {
	return s.send(ctx, path, form, s.detailSlots, min(max(6*s.timeout(), MinDetailTimeout), time.Minute))
}

func (s *server) send(ctx context.Context, path string, form url.Values, slots chan struct{}, timeout time.Duration) ([]byte, error) {
	hc, err := s.client()
	if err != nil {
		return nil, s.fail(sources.HealthError, err.Error())
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, errCanceled
	}
	defer func() { <-slots }()
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, strings.TrimRight(s.cfg.URL, "/")+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, s.fail(sources.HealthError, "request: "+innermost(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err == nil {
		defer resp.Body.Close()
	}
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
		if err == nil && len(body) > MaxBody {
			return nil, s.fail(sources.HealthError, fmt.Sprintf("answer over %d MiB", MaxBody>>20))
		}
	}
	if ctx.Err() != nil {
		return nil, errCanceled
	}
	if err != nil {
		h, msg := classify(err, timeout)
		return nil, s.fail(h, msg)
	}
	if resp.StatusCode/100 != 2 {
		return nil, s.fail(sources.HealthError, "HTTP "+strconv.Itoa(resp.StatusCode)+": "+reasonOf(body))
	}
	return body, nil
}

func (s *server) fail(h sources.Health, msg string) *failure {
	return &failure{health: h, msg: s.scrub.Scrub(sanitize(s.scrub.Scrub(msg)))}
}

// failureOf is err as a failure (a bad answer found while reading it is
// an error the server made).
func (s *server) failureOf(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return s.fail(sources.HealthError, err.Error())
}
