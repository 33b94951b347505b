package nginx_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// corpusSlow is the slow threshold of the corpus test; requests meant to
// be slow wait at least twice as long, so they are slow on any machine.
const corpusSlow = 250 * time.Millisecond

// What the requests carry: an X-Forwarded-For list (a client behind one
// proxy, the first hop being the client) and user agents.
const (
	corpusXFF      = "198.51.100.23, 10.0.0.1"
	corpusFirstHop = "198.51.100.23"
	corpusUA       = "Mozilla/5.0 (X11; Linux x86_64) corpus/1.0"
	// written on the socket as is: quotes, a backslash and UTF-8, which
	// nginx escapes (or with escape=none does not)
	corpusOddUA = "Mozilla/5.0 (X11) \"quoted\" back\\slash r\xc3\xa9sum\xc3\xa9"
)

// corpusRequest is one request of the traffic every entry's server gets.
type corpusRequest struct {
	method, path, body string
	header             map[string]string
	raw                bool // sent on the socket as is: bytes the Go client would escape
	hang               bool // the client leaves once the upstream has the request: 499
	want               int  // the status the client must get
	slow               bool // the upstream (or nginx's timeout) takes ≥ 2×corpusSlow
	xff                bool
}

// corpusPlan is the fixed traffic: every status the night shows, slow
// answers, retries from a dead upstream to a live one (", " lists),
// internal redirects to a second upstream (" : " lists), both at once,
// X-Forwarded-For lists, and paths and agents with spaces, quotes and
// UTF-8. etag and lastMod are the static page's validators, for 304s.
func corpusPlan(etag, lastMod string) []corpusRequest {
	r := func(path string, want int) corpusRequest { return corpusRequest{path: path, want: want} }
	return []corpusRequest{
		r("/static/index.html", 200),
		{path: "/static/index.html", header: map[string]string{"If-None-Match": etag}, want: 304},
		{path: "/static/index.html", header: map[string]string{"If-Modified-Since": lastMod}, want: 304},
		r("/static/a%20b.html", 200),
		r("/static/caf%C3%A9.html", 200),
		{path: "/static/r\xc3\xa9sum\xc3\xa9.html", raw: true, want: 200},
		r("/nocontent", 204),
		r("/moved", 301),
		r("/missing.html", 404), r("/missing.html", 404),
		r("/api/rank?page=1", 200), r("/api/rank?page=2", 200), r("/api/rank?page=3", 200),
		{method: "POST", path: "/api/vote", body: "choice=1", want: 200},
		r("/api/err?code=500", 500),
		r("/unavailable", 503),
		r("/down/x", 502), r("/down/y", 502),
		{path: "/timeout/slow?sleep=3000", want: 504, slow: true},
		{path: "/api/slow?sleep=700", want: 200, slow: true},
		{path: "/api/slow?sleep=700", want: 200, slow: true},
		r("/retry/r?n=1", 200), r("/retry/r?n=2", 200),
		{path: "/retry/slow?sleep=700", want: 200, slow: true},
		r("/accel/a", 200),
		r("/fallback/f?code=500", 200),
		r("/both/b?code=500", 200),
		{path: "/api/xff", xff: true, want: 200},
		{path: "/api/xff", xff: true, want: 200},
		{path: "/static/index.html", xff: true, want: 200},
		{path: "/api/say?q=\"hi\"&who=r\xc3\xa9sum\xc3\xa9", raw: true, want: 200},
		{path: "/api/hang", hang: true, want: 499},
		{path: "/api/hang", hang: true, want: 499},
	}
}

// Lines of the plan that must carry upstream lists with each separator.
const (
	corpusCommaLists = 4 // /retry/ ×3, /both/
	corpusColonLists = 3 // /accel/, /fallback/, /both/
)

// corpusUpstreams are the test's backends: app answers after ?sleep=ms
// with ?code=N, sends /accel/ on to /internal/ with X-Accel-Redirect, and
// holds /api/hang?id= until nginx gives up on it; second answers what
// nginx sends there (an internal redirect or an error_page); dead is an
// address nobody listens on.
type corpusUpstreams struct {
	app, second, dead string
	hangs             *arrivals
}

// arrivals tells a client that the upstream has its request: a client
// that leaves after that is certainly answered 499, whatever the load.
type arrivals struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func (a *arrivals) of(id string) chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch[id] == nil {
		a.ch[id] = make(chan struct{})
	}
	return a.ch[id]
}

func startCorpusUpstreams(t *testing.T) corpusUpstreams {
	hangs := &arrivals{ch: map[string]chan struct{}{}}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/hang" {
			close(hangs.of(r.URL.Query().Get("id")))
			<-r.Context().Done() // nginx closes when its client has
			return
		}
		if ms, err := strconv.Atoi(r.URL.Query().Get("sleep")); err == nil {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		if strings.HasPrefix(r.URL.Path, "/accel/") {
			w.Header().Set("X-Accel-Redirect", "/internal/final")
			return
		}
		if code, err := strconv.Atoi(r.URL.Query().Get("code")); err == nil {
			w.WriteHeader(code)
		}
		w.Write([]byte("app\n"))
	}))
	t.Cleanup(app.Close)
	second := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("second\n"))
	}))
	t.Cleanup(second.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadAddr := dead.Listener.Addr().String()
	dead.Close() // connection refused: nginx tries the next upstream or answers 502
	return corpusUpstreams{app: app.Listener.Addr().String(), second: second.Listener.Addr().String(), dead: deadAddr, hangs: hangs}
}

// send makes one request to the server at addr and returns the status
// the client got; 499 when it left as planned. id names the request.
func (q corpusRequest) send(addr, id string, up corpusUpstreams) (int, error) {
	if q.hang {
		return q.leave(addr, id, up.hangs)
	}
	if q.raw {
		return q.sendRaw(addr)
	}
	method := q.method
	if method == "" {
		method = "GET"
	}
	req, err := http.NewRequest(method, "http://"+addr+q.path, strings.NewReader(q.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", corpusUA)
	req.Header.Set("Referer", "https://example.com/start?ref=1")
	if q.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if q.xff {
		req.Header.Set("X-Forwarded-For", corpusXFF)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	c := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// leave sends the request and closes the connection once the upstream
// has it, before any answer: nginx logs 499.
func (q corpusRequest) leave(addr, id string, hangs *arrivals) (int, error) {
	conn, err := q.write(addr, q.path+"?id="+id, corpusUA)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	select {
	case <-hangs.of(id):
		return 499, nil
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("the upstream never got %s", id)
	}
}

func (q corpusRequest) sendRaw(addr string) (int, error) {
	conn, err := q.write(addr, q.path, corpusOddUA)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// write sends a GET for target on a new connection, bytes as given.
func (q corpusRequest) write(addr, target, ua string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := "GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: " + ua +
		"\r\nReferer: https://example.com/start?ref=1\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
