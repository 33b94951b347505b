package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/prom"
	"warroom/sources/watch"
)

// TestPromIndicators: a query is the indicator prom.<name>, judged by its
// rule; an instant query's answers build its chart; a failing server makes
// it unreachable, never a stale number shown as current.
func TestPromIndicators(t *testing.T) {
	var val atomic.Int64
	val.Store(10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// like Prometheus, the sample is stamped with the evaluation time asked for
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%s,"%d"]}]}}`, r.FormValue("time"), val.Load())
	}))
	defer srv.Close()
	clock := NewSteppedClock(midnight)
	q, err := prom.New(prom.Config{
		Servers: []prom.ServerConfig{{Name: "main", URL: srv.URL}},
		Queries: []prom.QueryConfig{{Name: "db_conn", Expr: "x", Unit: sources.UnitCount}},
	}, prom.Options{Now: clock.Now, Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Prom: q, Now: clock.Now,
		Rules: watch.Rules{{Indicator: "prom.db_conn", Warn: watch.Float(50), Crit: watch.Float(90), Direction: watch.Above, Recover: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Known("prom.db_conn") || c.Known("db_conn") {
		t.Fatal("prom indicators are prom.<query name>")
	}
	ctx := context.Background()
	for i, v := range []int64{10, 20, 95} {
		val.Store(v)
		clock.Set(midnight.Add(time.Duration(i) * time.Second))
		q.EvaluateAll(ctx)
		c.Tick(clock.Now())
	}
	s := snapOf(c, sources.View{Window: time.Minute})
	in := value(t, s, "prom.db_conn")
	if in.Value.Value != 95 || in.Value.Health != sources.HealthOK || in.State != sources.StateCrit || in.Crit != 90 {
		t.Fatalf("prom.db_conn %+v", in)
	}
	if len(in.Series.Points) != 3 || in.Series.Points[0].V != 10 || in.Series.Points[2].V != 95 {
		t.Errorf("instant history %+v", in.Series.Points)
	}

	srv.Close()
	clock.Set(midnight.Add(5 * time.Second))
	q.EvaluateAll(ctx)
	c.Tick(clock.Now())
	s = snapOf(c, sources.View{Window: time.Minute})
	in = value(t, s, "prom.db_conn")
	if in.Value.Health != sources.HealthUnreachable || in.State != sources.StateError || in.Value.Err == "" {
		t.Errorf("after the server went away: %+v", in)
	}
	var st sources.SourceStatus
	for _, x := range s.Sources {
		if x.Kind == "prom" {
			st = x
		}
	}
	if st.Name != "prom.db_conn" || st.Health != sources.HealthUnreachable || st.Detail == "" {
		t.Errorf("source status %+v", st)
	}
}
