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

// A long Sum reads whole minutes from the minute ring: whatever the range,
// and with lines of minutes the second ring has let go, it counts what
// the seconds it covers hold, no more and no less.
func TestAggregatorSumOverMinutesIsTheSumOfItsSeconds(t *testing.T) {
	a := newTestAgg(t, Options{Slow: 500 * time.Millisecond, Seconds: 600, Minutes: 120, Groups: []Group{{Name: "pay", Prefix: "/pay/"}}})
	var b strings.Builder
	for s := 0; s < 1800; s++ { // half an hour; the second ring holds the last 10 minutes
		at := t0.Add(time.Duration(s) * time.Second)
		for i := 0; i < 1+s%7; i++ {
			path := "/x"
			if i%3 == 0 {
				path = "/pay/a"
			}
			b.WriteString(line(at, "1.1.1.1", path, []int{200, 499, 502, 304}[(s+i)%4], float64((s*i)%900)/1000, "0.100"))
		}
	}
	a.Ingest([]byte(b.String()))
	naive := func(group string, from, to int64) Bucket {
		var out Bucket
		for x := from; x < to; x++ {
			one, _ := a.Sum(group, time.Unix(x, 0), time.Unix(x+1, 0))
			out.Add(&one)
		}
		return out
	}
	base := t0.Unix()
	n := 0
	for _, group := range []string{"", "pay"} {
		for from := base + 1100; from < base+1800; from += 37 {
			for _, width := range []int64{1, 59, 60, 61, 119, 120, 300, 601, 900} {
				got, _ := a.Sum(group, time.Unix(from, 0), time.Unix(from+width, 0))
				want := naive(group, from, from+width)
				if got != want {
					t.Fatalf("%q from +%d for %ds: %+v, want %+v", group, from-base, width, got, want)
				}
				n += int(want.Requests)
			}
		}
	}
	if n == 0 {
		t.Fatal("the ranges held no requests")
	}
}
