package prom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	promcfg "github.com/prometheus/common/config"
)

// maxRedirects matches net/http's own limit, but ends in errRedirectLoop so
// the reason can be told apart from a network failure.
const maxRedirects = 10

// server is one configured endpoint at run time. Its client is built on
// first use, from a poll goroutine: building reads CA and key files.
type server struct {
	cfg   ServerConfig
	slots chan struct{} // bounds requests in flight
	wrap  func(string, http.RoundTripper) http.RoundTripper
	limit int64

	once sync.Once
	api  v1.API
	err  error
}

func newServer(cfg ServerConfig, inflight int, limit int64, wrap func(string, http.RoundTripper) http.RoundTripper) *server {
	return &server{cfg: cfg, slots: make(chan struct{}, inflight), wrap: wrap, limit: limit}
}

func (s *server) client() (v1.API, error) {
	s.once.Do(func() {
		hc, err := promcfg.NewClientFromConfig(s.cfg.HTTP, "warroom_"+s.cfg.Name)
		if err != nil {
			s.err = fmt.Errorf("server %q: http client: %w", s.cfg.Name, err)
			return
		}
		rt := http.RoundTripper(&limitTransport{next: hc.Transport, max: s.limit})
		if s.wrap != nil {
			rt = s.wrap(s.cfg.Name, rt)
		}
		hc.Transport = rt
		if s.cfg.HTTP.FollowRedirects {
			hc.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
				if len(via) >= maxRedirects {
					return errRedirectLoop
				}
				return nil
			}
		}
		c, err := api.NewClient(api.Config{Address: s.cfg.URL, Client: hc})
		if err != nil {
			s.err = fmt.Errorf("server %q: %w", s.cfg.Name, err)
			return
		}
		s.api = v1.NewAPI(statusClient{c})
	})
	return s.api, s.err
}

// statusClient checks the "status" of every 2xx answer before client_golang
// reads it: client_golang takes anything but "error" for success, so
// {"status":"weird"} would pass as an empty answer.
type statusClient struct{ api.Client }

func (c statusClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, body, err := c.Client.Do(ctx, req)
	if err != nil || resp.StatusCode/100 != 2 {
		return resp, body, err
	}
	// The same decoding client_golang does; a body that is not a JSON
	// object (or a status that is not a string) is left to it to report.
	var env struct {
		Status *string `json:"status"`
	}
	if json.Unmarshal(body, &env) != nil {
		return resp, body, nil
	}
	switch {
	case env.Status == nil:
		return resp, body, &v1.Error{Type: v1.ErrBadResponse, Msg: `no "status" in the answer`}
	case *env.Status != "success" && *env.Status != "error":
		return resp, body, &v1.Error{Type: v1.ErrBadResponse,
			Msg: fmt.Sprintf(`unexpected status %q (want "success" or "error")`, *env.Status)}
	}
	return resp, body, nil
}

// limitTransport caps how much of a response body is read, so a runaway
// answer (a huge matrix, a misrouted download) costs bounded memory.
type limitTransport struct {
	next http.RoundTripper
	max  int64
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || t.max <= 0 {
		return resp, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", errBodyTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &limitBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type limitBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells "exactly at the limit" from "over it".
		var one [1]byte
		n, _ := b.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: over the limit", errBodyTooLarge)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitBody) Close() error { return b.rc.Close() }
