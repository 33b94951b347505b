package prom

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"warroom/sources"
)

// TestIncrementalRange drives the range logic with a fake clock against a
// fake server whose value at each step is the step's Unix time, so every
// stored point can be checked exactly.
func TestIncrementalRange(t *testing.T) {
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) { writeMatrix(w, r) })
	t0 := time.Unix(1_700_000_003, 0)
	clk := newClock(t0)
	cfg := testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "c", Kind: KindRange, Interval: modelSeconds(10)})
	q := mustNew(t, cfg, Options{Now: clk.Now, Window: 10 * time.Minute, Width: 60})
	ctx := context.Background()
	step := 10 * time.Second

	if _, err := q.EvaluateAll(ctx); err != nil {
		t.Fatal(err)
	}
	first := f.requests()[0]
	if first.path != "/api/v1/query_range" || first.step != step || first.end != alignDown(t0, step) ||
		first.end.Sub(first.start) != 10*time.Minute {
		t.Fatalf("backfill request = %+v", first)
	}
	checkSeries(t, get(t, q.Snapshot(), "c"), 61, alignDown(t0, step))

	clk.Add(35 * time.Second) // three new steps
	q.EvaluateAll(ctx)
	tail := f.requests()[1]
	if tail.start != first.end.Add(-step) || tail.end != first.end.Add(3*step) {
		t.Fatalf("tail request = %v..%v, want %v..%v", tail.start, tail.end, first.end.Add(-step), first.end.Add(3*step))
	}
	if n := int(tail.end.Sub(tail.start)/tail.step) + 1; n != 5 {
		t.Fatalf("tail asked for %d points, want 5 (3 new + 1 overlap + last)", n)
	}
	r := get(t, q.Snapshot(), "c")
	checkSeries(t, r, 61, tail.end)
	if r.Step != step || r.Window != 10*time.Minute || !r.At.Equal(tail.end) {
		t.Fatalf("result meta: step %v window %v at %v", r.Step, r.Window, r.At)
	}

	// A wider window (and so a coarser step) refetches everything.
	q.SetWindow(time.Hour, 60)
	if r := get(t, q.Snapshot(), "c"); len(r.Series) != 0 {
		t.Fatalf("old-step series kept after SetWindow: %d", len(r.Series))
	}
	q.EvaluateAll(ctx)
	re := f.requests()[2]
	if re.step != time.Minute || re.end.Sub(re.start) != time.Hour {
		t.Fatalf("after SetWindow: %+v", re)
	}
	checkSeries(t, get(t, q.Snapshot(), "c"), 61, re.end)
}

// checkSeries asserts one series of n points, one step apart, ending at
// end, each point's value being its own Unix time.
func checkSeries(t *testing.T, r Result, n int, end time.Time) {
	t.Helper()
	if r.Health != sources.HealthOK || len(r.Series) != 1 {
		t.Fatalf("health %v, %d series: %s", r.Health, len(r.Series), r.Err)
	}
	p := r.Series[0].Points
	if len(p) != n || !p[len(p)-1].At.Equal(end) {
		t.Fatalf("%d points ending %v, want %d ending %v", len(p), p[len(p)-1].At, n, end)
	}
	for i, pt := range p {
		if pt.V != float64(pt.At.Unix()) {
			t.Fatalf("point %d = %v at %v: merged wrongly", i, pt.V, pt.At.Unix())
		}
		if i > 0 && !pt.At.After(p[i-1].At) {
			t.Fatalf("points out of order or duplicated at %d", i)
		}
	}
}

// TestRunAndShifted runs the real loop briefly, then checks QueryShifted
// and QueryBetween ask for the earlier time and leave the state alone.
func TestRunAndShifted(t *testing.T) {
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) {
		if r.path == "/api/v1/query_range" {
			writeMatrix(w, r)
			return
		}
		writeVector(w, r.at, float64(r.at.Unix()))
	})
	t0 := time.Unix(1_700_000_000, 0)
	clk := newClock(t0)
	cfg := testConfig(map[string]string{"p": f.URL},
		QueryConfig{Name: "i", Interval: modelSeconds(1)},
		QueryConfig{Name: "r", Kind: KindRange, Interval: modelSeconds(1)})
	q := mustNew(t, cfg, Options{Now: clk.Now, Window: time.Hour, Width: 60})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- q.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for !q.Snapshot().AllAnswered() {
		select {
		case <-deadline:
			t.Fatalf("Run never answered: %+v", q.Snapshot())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := q.Run(ctx); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second Run = %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	before := len(f.requests())

	day := 24 * time.Hour
	sh, err := q.QueryShifted(context.Background(), "i", day)
	if err != nil {
		t.Fatal(err)
	}
	if !sh.At.Equal(t0.Add(-day)) || sh.Value.Value != float64(t0.Add(-day).Unix()) || sh.Offset != day {
		t.Errorf("shifted instant = %+v", sh)
	}
	sr, err := q.QueryShifted(context.Background(), "r", day)
	if err != nil {
		t.Fatal(err)
	}
	if last := sr.Series[0].Points[len(sr.Series[0].Points)-1]; !last.At.Equal(alignDown(t0.Add(-day), time.Minute)) {
		t.Errorf("shifted range ends at %v", last.At)
	}
	b, err := q.QueryBetween(context.Background(), "i", t0.Add(-2*time.Hour), t0.Add(-time.Hour))
	if err != nil || b.Kind != KindRange || len(b.Series) != 1 || len(b.Series[0].Points) != 61 {
		t.Errorf("between = %+v, %v", b, err)
	}
	if len(f.requests()) != before+3 {
		t.Errorf("requests: %d, want %d", len(f.requests()), before+3)
	}
	if r := get(t, q.Snapshot(), "i"); !r.At.Equal(t0) {
		t.Errorf("one-off queries changed the stored result: %v", r.At)
	}
	if _, err := q.QueryShifted(context.Background(), "nope", day); err == nil {
		t.Error("unknown query accepted")
	}
}

// TestSnapshotIsACopy: mutating a snapshot leaves the querier's state and
// later snapshots alone.
func TestSnapshotIsACopy(t *testing.T) {
	f := newFakeProm(t, func(w http.ResponseWriter, r fakeReq) { writeMatrix(w, r) })
	clk := newClock(time.Unix(1_700_000_000, 0))
	q := mustNew(t, testConfig(map[string]string{"p": f.URL}, QueryConfig{Name: "r", Kind: KindRange}), Options{Now: clk.Now, Window: time.Minute, Width: 60})
	q.EvaluateAll(context.Background())
	a := q.Snapshot()
	a.Results[0].Series[0].Points[0].V = -1
	a.Results[0].Series[0].Labels["job"] = "mutated"
	b := q.Snapshot()
	if b.Results[0].Series[0].Points[0].V == -1 || b.Results[0].Series[0].Labels["job"] != "fake" {
		t.Fatal("snapshot shares memory with the querier")
	}
}
