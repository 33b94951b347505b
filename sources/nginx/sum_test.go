package nginx

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestAggregatorSumPoolsRatios(t *testing.T) {
	a := newTestAgg(t, Options{Slow: 500 * time.Millisecond, Groups: []Group{{Name: "pay", Prefix: "/pay/"}}})
	var b strings.Builder
	// second 0: one slow of one; second 1: none slow of three
	b.WriteString(line(t0, "1.1.1.1", "/pay/a", 200, 0.900, "0.800"))
	for i := 0; i < 3; i++ {
		b.WriteString(line(t0.Add(time.Second), "2.2.2.2", "/x", 499, 0.010, "-"))
	}
	a.Ingest([]byte(b.String()))
	all, ok := a.Sum("", t0, t0.Add(2*time.Second))
	if !ok || all.Requests != 4 || all.Slow != 1 || all.S499 != 3 {
		t.Fatalf("sum %+v ok %v", all, ok)
	}
	if v := MetricSlowRatio.Value(&all, 2*time.Second); v != 0.25 {
		t.Fatalf("pooled slow ratio %v, want 0.25 (not the mean of 1 and 0)", v)
	}
	if v := Metric499Rate.Value(&all, 2*time.Second); v != 1.5 {
		t.Fatalf("499 rate %v", v)
	}
	pay, ok := a.Sum("pay", t0, t0.Add(2*time.Second))
	if !ok || pay.Requests != 1 {
		t.Fatalf("pay %+v", pay)
	}
	if _, ok := a.Sum("nope", t0, t0.Add(time.Second)); ok {
		t.Fatal("unknown group accepted")
	}
	empty, _ := a.Sum("", t0.Add(time.Hour), t0.Add(time.Hour+time.Second))
	if v := MetricSlowRatio.Value(&empty, time.Second); !math.IsNaN(v) {
		t.Fatalf("ratio of nothing = %v", v)
	}
}
