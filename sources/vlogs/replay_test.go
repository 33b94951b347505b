package vlogs_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/collect"
	"warroom/sources/vlogs"
)

// countsServer answers every stats_query_range with one request a second
// over the range asked, records each range ([start, end)), and fails
// with a 503 while down; other queries get no rows.
type countsServer struct {
	mu     sync.Mutex
	asked  [][2]int64
	down   bool
	server *httptest.Server
}

func newCountsServer(t *testing.T) *countsServer {
	c := &countsServer{}
	c.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if !strings.HasSuffix(r.URL.Path, "/stats_query_range") {
			return // no rows
		}
		start, _ := strconv.ParseInt(r.Form.Get("start"), 10, 64)
		end, _ := strconv.ParseInt(r.Form.Get("end"), 10, 64)
		c.mu.Lock()
		c.asked = append(c.asked, [2]int64{start, end})
		down := c.down
		c.mu.Unlock()
		if down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var vals []string
		for s := start; s < end; s++ {
			vals = append(vals, fmt.Sprintf(`[%d,"1"]`, s))
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"total"},"values":[%s]}]}}`, strings.Join(vals, ","))
	}))
	t.Cleanup(c.server.Close)
	return c
}

func (c *countsServer) take() [][2]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.asked
	c.asked = nil
	return out
}

func (c *countsServer) setDown(d bool) {
	c.mu.Lock()
	c.down = d
	c.mu.Unlock()
}

// A replay polls at its clock's instants: the window before the first,
// then ReplayAhead at a time, never fetching past the wall clock's
// Settle before now, and never holding a second the clock has not
// reached; a server that fails twice in a row is an error (the replay
// holds), and the same instant polled again recovers.
func TestReplayPollHoldsNothingAheadOfTheClock(t *testing.T) {
	srv := newCountsServer(t)
	t0 := int64(1_800_000_000)
	var clock time.Time
	wall := time.Unix(t0+700, 0) // the night ended 11 minutes ago
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: srv.server.URL}},
		Streams: []vlogs.StreamConfig{{Name: "web", Filter: "app:=nginx"}}}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: func() time.Time { return clock }, Wall: func() time.Time { return wall }})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*vlogs.Access)
	var _ collect.Replayed = a
	poll := func(s int64) error {
		clock = time.Unix(t0+s, 0)
		return a.ReplayPoll(context.Background(), clock)
	}
	window := int64(vlogs.DefaultWindow / time.Second)
	ahead := int64(vlogs.ReplayAhead / time.Second)
	settle := int64(vlogs.Settle / time.Second)

	poll(0)
	poll(1)
	for s := int64(2); s <= ahead; s++ {
		poll(s)
	}
	poll(ahead + 1)
	want := [][2]int64{{t0 - window, t0}, {t0, t0 + ahead}, {t0 + ahead, t0 + 700 - settle}}
	if got := srv.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("asked %v, want %v", got, want)
	}
	// held up to the clock, not a second further, though fetched
	ser := a.Series(0, collect.SeriesQuery{From: time.Unix(t0+ahead-5, 0), End: time.Unix(t0+ahead+10, 0), Step: time.Second})
	for _, p := range ser.Points {
		held := p.At.Unix() < t0+ahead+1
		if held == math.IsNaN(p.V) || (held && p.V != 1) {
			t.Errorf("at +%ds: %v (the clock is at +%d)", p.At.Unix()-t0, p.V, ahead+1)
		}
	}
	tick := func(s int64) sources.Value {
		at := time.Unix(t0+s, 0)
		return a.Values(collect.TickInfo{At: at, End: at.Add(-2 * time.Second), Span: 10 * time.Second, Lag: 2 * time.Second})[0]
	}
	if v := tick(ahead + 1); v.Health != sources.HealthOK || v.Value != 1 {
		t.Errorf("qps at the clock: %v %v %q", v.Value, v.Health, v.Err)
	}

	// the next chunk fails: the seconds fetched are held on, then the
	// poll that needs more is an error, and asks again when polled again
	// (the replay holds meanwhile: the same instant is tried again)
	wall = time.Unix(t0+100_000, 0)
	srv.setDown(true)
	end := int64(700) - settle // what was fetched
	if err := poll(end); err != nil {
		t.Errorf("within what was fetched: %v", err)
	}
	if got := srv.take(); len(got) != 0 {
		t.Errorf("asked %v within what was fetched", got)
	}
	if err := poll(end + 1); err == nil || !strings.Contains(err.Error(), "VictoriaLogs stream web: error: HTTP 503: down for maintenance") {
		t.Errorf("down: %v", err)
	}
	if v := tick(end + 1); v.Health != sources.HealthError || !strings.Contains(v.Err, "down for maintenance") || !math.IsNaN(v.Value) {
		t.Errorf("while down: %v %v %q", v.Value, v.Health, v.Err)
	}
	srv.setDown(false)
	if err := poll(end + 1); err != nil {
		t.Errorf("back: %v", err)
	}
	chunk := [2]int64{t0 + end, t0 + end + ahead}
	// down: asked twice (once more before holding), then once back
	if got := srv.take(); len(got) != 3 || got[0] != chunk || got[1] != chunk || got[2] != chunk {
		t.Errorf("down and back: asked %v, want %v three times", got, chunk)
	}
	retry := end + 1
	if v := tick(retry); v.Health != sources.HealthOK || v.Value != 1 {
		t.Errorf("recovered: %v %v %q", v.Value, v.Health, v.Err)
	}

	// a jump past the window starts afresh
	poll(retry + 2*window)
	if got := srv.take(); len(got) != 1 || got[0] != [2]int64{t0 + retry + window, t0 + retry + 2*window} {
		t.Errorf("after a jump: asked %v", got)
	}
}
