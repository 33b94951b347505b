package nginx

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mergeLog is three hours of lines in time order but for a few a second
// late, with a busiest second and a busiest minute that stand out, blank
// and malformed lines among them, 2,000 clients and 300 paths.
func mergeLog() []byte {
	var b strings.Builder
	k := 0
	for s := 0; s < 3*3600; s++ {
		n := 1 + (s*7919)%5
		switch {
		case s == 5000:
			n = 40 // the busiest second
		case s >= 7200 && s < 7260:
			n = 9 // the busiest minute
		}
		for i := 0; i < n; i++ {
			k++
			at := t0.Add(time.Duration(s) * time.Second)
			if k%97 == 0 && s > 0 {
				at = at.Add(-time.Second) // written a second late
			}
			status := 200
			switch {
			case k%50 == 0:
				status = 499
			case k%70 == 0:
				status = 502
			}
			b.WriteString(line(at, fmt.Sprintf("10.0.%d.%d", k%8, k%250), fmt.Sprintf("/p/%c%d", 'a'+k%26, k%300/26), status, float64(k%1500)/1000, "0.010"))
			switch {
			case k%1000 == 0:
				b.WriteString("garbage " + fmt.Sprint(k) + "\n")
			case k%1500 == 0:
				b.WriteString("\n")
			}
		}
	}
	return []byte(b.String())
}

// cuts splits data at each of the byte offsets, moved forward past the next
// newline: parts of whole lines.
func cuts(data []byte, at ...int) [][]byte {
	var parts [][]byte
	start := 0
	for _, c := range at {
		if c < start {
			continue
		}
		end := len(data)
		if i := bytes.IndexByte(data[c:], '\n'); i >= 0 {
			end = c + i + 1
		}
		parts = append(parts, data[start:end])
		start = end
	}
	return append(parts, data[start:])
}

// mergeOpts are scan's kind of options, with rings much shorter than a
// part's span so that parts reuse their slots.
func mergeOpts(t *testing.T) Options {
	return Options{Format: mustFormat(t, "timed"), NoDetail: true, Seconds: 60, Minutes: 30, DetailMinutes: 1, Seed: maphash.MakeSeed()}
}

func mergeParts(t *testing.T, o Options, parts [][]byte) *Aggregator {
	t.Helper()
	var all *Aggregator
	for i, p := range parts {
		po := o
		po.Follows = i > 0
		a := NewAggregator(po)
		// several batches, as scan feeds them
		for len(p) > 0 {
			n := min(len(p), 4096)
			if j := bytes.LastIndexByte(p[:n], '\n'); j >= 0 && n < len(p) {
				n = j + 1
			}
			a.Ingest(p[:n])
			p = p[n:]
		}
		if all == nil {
			all = a
		} else if err := all.Merge(a); err != nil {
			t.Fatal(err)
		}
	}
	return all
}

// A log counted in parts and merged in order reads as the log counted
// whole: every figure of the summary, the busiest second and minute
// included when a part boundary cuts them, and the malformed lines'
// numbers counted from the start of the log.
func TestMergeEqualsTheWholeLog(t *testing.T) {
	data := mergeLog()
	whole := NewAggregator(mergeOpts(t))
	whole.Ingest(data)
	want := whole.Summary(20)
	if !want.PeakSecond.At.Equal(t0.Add(5000*time.Second)) || !want.PeakMinute.At.Equal(t0.Add(7200*time.Second)) || !want.TopExact || want.BadLines == 0 {
		t.Fatalf("the log is not what the test needs: peaks %+v %+v, exact %v, bad %d", want.PeakSecond, want.PeakMinute, want.TopExact, want.BadLines)
	}
	// a part never merged: what it kept whole counts as it would have
	fo := mergeOpts(t)
	fo.Follows = true
	alone := NewAggregator(fo)
	alone.Ingest(data)
	if got := alone.Summary(20); !reflect.DeepEqual(got, want) {
		t.Errorf("following, not merged:\n got %+v\nwant %+v", got, want)
	}
	// the byte offset of a line of the busiest second, and of the minute
	at := func(s int) int {
		stamp := t0.Add(time.Duration(s) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		return bytes.Index(data, []byte(stamp)) + 200
	}
	for _, c := range [][]int{
		{at(5000)},
		{at(5000), at(7230)},
		{len(data) / 7, at(5000), len(data) / 2, at(7230), len(data) * 9 / 10},
		{1, 2, 3},
		{len(data) - 10},
	} {
		parts := cuts(data, c...)
		got := mergeParts(t, mergeOpts(t), parts).Summary(20)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cut at %v (%d parts):\n got %+v\nwant %+v", c, len(parts), got, want)
		}
	}

	// what Follows keeps whole is what makes the busiest second right: a
	// part spanning more than the ring holds would have judged its first
	// second alone
	parts := cuts(data, at(5000))
	o := mergeOpts(t)
	first, second := NewAggregator(o), NewAggregator(o)
	first.Ingest(parts[0])
	second.Ingest(parts[1])
	must(t, first.Merge(second))
	if p := first.Summary(1).PeakSecond; p == whole.Summary(1).PeakSecond {
		t.Errorf("without Follows the busiest second is still %+v: the test does not cut it", p)
	}
}

// Past the sketch's budget the tops are approximate, but the counts that
// are not sketches stay those of the whole log.
func TestMergeBeyondTheTopBudget(t *testing.T) {
	data := mergeLog()
	o := mergeOpts(t)
	o.TopTotal = 64
	whole := NewAggregator(o)
	whole.Ingest(data)
	want := whole.Summary(5)
	got := mergeParts(t, o, cuts(data, len(data)/3, len(data)*2/3)).Summary(5)
	if got.TopExact || want.TopExact {
		t.Fatalf("exact: merged %v, whole %v; both sketches had to evict", got.TopExact, want.TopExact)
	}
	if got.Totals.Bucket != want.Totals.Bucket || !reflect.DeepEqual(got.Status, want.Status) || got.DistinctIPs != want.DistinctIPs ||
		got.P50 != want.P50 || got.P95 != want.P95 || got.P99 != want.P99 || got.Lines != want.Lines || !reflect.DeepEqual(got.Malformed, want.Malformed) {
		t.Fatalf("merged:\n%+v\nwhole:\n%+v", got, want)
	}
	for _, it := range got.TopIPs {
		if it.Count < it.Err {
			t.Errorf("top ip %+v: error above count", it)
		}
	}
}

// A recycled aggregator counts as a new one.
func TestRecycleCountsAsNew(t *testing.T) {
	data := mergeLog()
	o := mergeOpts(t)
	o.TopTotal = 64 // evicting: the order of the table's entries matters
	fresh := NewAggregator(o)
	fresh.Ingest(data)
	want := fresh.Summary(30)
	o.Follows = true
	o.Seed = maphash.MakeSeed()
	ips := fresh.ips
	again := fresh.Recycle(o)
	if again.ips != ips {
		t.Fatal("the sketch was not recycled")
	}
	again.Ingest(data)
	if got := again.Summary(30); !reflect.DeepEqual(got, want) {
		t.Fatalf("recycled:\n got %+v\nwant %+v", got, want)
	}
}

func TestMergeRefusesDetail(t *testing.T) {
	a, b := newTestAgg(t, Options{}), newTestAgg(t, Options{Follows: true})
	if err := a.Merge(b); err == nil || !strings.Contains(err.Error(), "NoDetail") {
		t.Fatalf("merge of live aggregators: %v", err)
	}
	s := NewAggregator(mergeOpts(t))
	if err := s.Merge(s); err == nil {
		t.Fatal("an aggregator merged into itself")
	}
	// paths hashed with another seed would be other keys
	if err := s.Merge(NewAggregator(mergeOpts(t))); err == nil || !strings.Contains(err.Error(), "Seed") {
		t.Fatalf("merge across seeds: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
