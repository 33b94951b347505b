package vlogs_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"warroom/sources/collect"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// The previous milestone's overlay, a day and more ago (past what the
// ring holds), is fetched once at the view's step, off the snapshot's
// path, and then read: QPS and 499s per step as the lines sent say.
func TestOverlayOfAnEarlierNight(t *testing.T) {
	vl := vltest.Start(t)
	base := time.Now().Truncate(time.Minute).Add(-26 * time.Hour)
	tr := genTraffic(5, base, 300)
	vl.Insert(t, "app:=nginx", tr.lines)
	srcs, err := vlogs.New(accessConfig(vl.URL), vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	fleet := srcs[0].(*vlogs.Access)
	fleet.Refresh(context.Background())

	q := collect.ShiftedQuery{Key: "prev", From: base, End: base.Add(5 * time.Minute), Step: 20 * time.Second, At: time.Now()}
	if s := fleet.Shifted(0, q); len(s.Points) != 0 {
		t.Fatalf("an earlier night read before it was fetched: %v", s.Points)
	}
	fleet.FetchShifted(0, q)
	waitFor(t, "the overlay fetched", func() (bool, string) {
		s := fleet.Shifted(0, q)
		return len(s.Points) == 15, fmt.Sprint(s.Points)
	})
	var reqs, s499 [15]float64
	for _, l := range tr.lines {
		i := int(l.Time.Sub(base) / (20 * time.Second))
		reqs[i]++
		if l.Fields["status"] == "499" {
			s499[i]++
		}
	}
	qps, r499 := fleet.Shifted(0, q), fleet.Shifted(2, q)
	for i := range reqs {
		if p := qps.Points[i]; !p.At.Equal(base.Add(time.Duration(i)*20*time.Second)) || math.Abs(p.V-reqs[i]/20) > 1e-9 {
			t.Errorf("qps point %d: %v %v, want %v", i, p.At, p.V, reqs[i]/20)
		}
		if p := r499.Points[i]; math.Abs(p.V-s499[i]/20) > 1e-9 {
			t.Errorf("499 point %d: %v, want %v", i, p.V, s499[i]/20)
		}
	}

	// a night VictoriaLogs holds no line of (not shipped, past its
	// retention) is no overlay, not a line at 0
	srcs, err = vlogs.New(accessConfig(vl.URL), vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	other := srcs[0].(*vlogs.Access)
	other.Refresh(context.Background())
	empty := collect.ShiftedQuery{Key: "before", From: base.Add(-2 * time.Hour), End: base.Add(-2*time.Hour + 5*time.Minute), Step: 20 * time.Second, At: time.Now()}
	other.FetchShifted(0, empty)
	waitFor(t, "the empty night fetched", func() (bool, string) {
		return other.ShiftedFetched(empty), ""
	})
	for i := range 5 {
		if s := other.Shifted(i, empty); len(s.Points) != 0 {
			t.Errorf("indicator %d over a night with no line: %v", i, s.Points)
		}
	}
}
