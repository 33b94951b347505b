package vlogs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"warroom/sources/vlogs"
)

// Each poll asks for the seconds since the last answer and the 15 before
// them (late lines within what current values are judged on), and every
// 10 s for the whole minute before them (lines later than that).
func TestPollAsksAgainForRecentSeconds(t *testing.T) {
	var mu sync.Mutex
	var starts []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		start, _ := strconv.ParseInt(r.Form.Get("start"), 10, 64)
		mu.Lock()
		starts = append(starts, start)
		mu.Unlock()
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	}))
	defer srv.Close()
	clock := time.Unix(1_800_000_000, 0)
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: srv.URL}},
		Streams: []vlogs.StreamConfig{{Name: "web", Filter: "app:=nginx"}}}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*vlogs.Access)
	t0 := clock.Unix()
	var want []int64
	for s := int64(0); s <= 21; s++ {
		mu.Lock()
		clock = time.Unix(t0+s, 0)
		mu.Unlock()
		a.Poll(context.Background())
		switch {
		case s == 0:
			want = append(want, t0-int64(vlogs.DefaultWindow/time.Second)) // the window
		case s%10 == 0:
			want = append(want, t0+s-1-60) // the minute before the last answer's end
		default:
			want = append(want, t0+s-1-15)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(starts) != fmt.Sprint(want) {
		t.Errorf("polls asked from\n%v, want\n%v", starts, want)
	}
}
