package nginx

import (
	"sort"
	"time"

	"warroom/sources"
)

// Peak is the busiest second or minute: Value is requests per second.
type Peak struct {
	At    time.Time
	Value float64
}

// Totals is the counters of a span plus latency quantiles.
type Totals struct {
	Bucket
	Status      map[int]uint64 // every code seen
	P50         float64        // seconds; -1 when no request carried a time
	P95         float64
	P99         float64
	DistinctIPs uint64
}

// SlowRatio is slow / timed requests, or -1 when no request had a time.
func (t *Totals) SlowRatio() float64 { return ratio(uint64(t.Slow), uint64(t.Timed)) }

// Ratio499 is 499s / requests, or -1 when there were none.
func (t *Totals) Ratio499() float64 { return ratio(uint64(t.S499), uint64(t.Requests)) }

// Ratio5xx is 5xx / requests, or -1 when there were none.
func (t *Totals) Ratio5xx() float64 { return ratio(uint64(t.Class[5]), uint64(t.Requests)) }

func ratio(a, b uint64) float64 {
	if b == 0 {
		return -1
	}
	return float64(a) / float64(b)
}

// GroupTotals is a path group's whole-run counters.
type GroupTotals struct {
	Name string
	Slow time.Duration
	Totals
}

// Malformed is the count and samples of one reason.
type Malformed struct {
	Reason  string
	Count   uint64
	Samples []Sample
}

// Summary is everything `warroom scan` reports about the lines seen.
type Summary struct {
	Lines      uint64 // lines read, good or bad
	Totals            // counted requests
	Malformed  []Malformed
	BadLines   uint64
	Filtered   uint64 // outside --from/--to
	TooOld     uint64 // older than the per-second ring when they arrived
	TopIPs     []TopItem
	TopPaths   []TopItem
	TopExact   bool // no key was evicted: top counts are exact
	PeakSecond Peak
	PeakMinute Peak
	First      time.Time
	Last       time.Time
	Groups     []GroupTotals
	SlowAbove  time.Duration // the slow threshold
	HasTimes   bool          // the format has $request_time (slow/latency are meaningful)
}

// Summary returns the whole-run summary with the top n keys: from the
// whole-run sketches with NoDetail, else from the top tables of all the
// time they still hold (a day at least).
func (a *Aggregator) Summary(n int) Summary {
	s := a.summary(n)
	if a.tops != nil && s.Requests > 0 {
		t := Tops([]*Aggregator{a}, s.First, s.Last.Add(time.Second), n)
		s.TopIPs, s.TopPaths, s.TopExact = t.TopIPs, t.TopPaths, t.TopsExact && t.TopsKnown
	}
	return s
}

func (a *Aggregator) summary(n int) Summary {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Summary{
		Lines:     a.lines,
		Filtered:  a.filtered,
		TooOld:    a.tooOld,
		SlowAbove: a.o.Slow,
		HasTimes:  a.o.Format != nil && a.o.Format.HasRequestTime(),
	}
	if a.tops == nil {
		s.TopIPs, s.TopPaths, s.TopExact = a.ips.Top(n), a.paths.Top(n), a.ips.Exact() && a.paths.Exact()
	}
	s.Totals = totalsOf(&a.total, &a.hist)
	s.Status = map[int]uint64{}
	for code, c := range a.codeTotal {
		if c > 0 {
			s.Status[code] = c
		}
	}
	s.DistinctIPs = a.hll.Estimate()
	for r := ReasonTooLong; r < numReasons; r++ {
		if a.malformed[r] > 0 {
			s.Malformed = append(s.Malformed, Malformed{Reason: r.String(), Count: a.malformed[r], Samples: append([]Sample(nil), a.samples[r]...)})
			if r != ReasonEmpty {
				s.BadLines += a.malformed[r]
			}
		}
	}
	sort.Slice(s.Malformed, func(i, j int) bool { return s.Malformed[i].Count > s.Malformed[j].Count })
	peakS, peakM := a.peakSec, a.peakMin
	for i := range a.sec.slots {
		keepPeak(&peakS, &a.sec.slots[i])
	}
	for i := range a.min.slots {
		keepPeak(&peakM, &a.min.slots[i])
	}
	if a.headSec != nil { // never merged: what it kept whole is final
		for i := range a.headSec.slots {
			keepPeak(&peakS, &a.headSec.slots[i])
		}
		for i := range a.headMin.slots {
			keepPeak(&peakM, &a.headMin.slots[i])
		}
	}
	if peakS.Requests > 0 {
		s.PeakSecond = Peak{At: time.Unix(peakS.T, 0).UTC(), Value: float64(peakS.Requests)}
	}
	if peakM.Requests > 0 {
		s.PeakMinute = Peak{At: time.Unix(peakM.T, 0).UTC(), Value: float64(peakM.Requests) / 60}
	}
	if a.total.Requests > 0 {
		s.First = time.Unix(a.first, 0).UTC()
		s.Last = time.Unix(a.last, 0).UTC()
	}
	for i := range a.groups {
		g := &a.groups[i]
		s.Groups = append(s.Groups, GroupTotals{Name: g.g.Name, Slow: time.Duration(g.slowUS) * time.Microsecond, Totals: totalsOf(&g.total, &g.hist)})
	}
	return s
}

func totalsOf(b *Bucket, h *Hist) Totals {
	t := Totals{Bucket: *b, P50: h.Quantile(0.50), P95: h.Quantile(0.95), P99: h.Quantile(0.99)}
	return t
}

// Metric names a per-second series an aggregator can produce.
type Metric string

const (
	MetricQPS        Metric = "qps"
	MetricSlowRatio  Metric = "slow_ratio"
	Metric499Rate    Metric = "499_rate"
	Metric5xxRatio   Metric = "5xx_ratio"
	Metric5xxRate    Metric = "5xx_rate"
	Metric304Rate    Metric = "304_rate"
	Metric404Rate    Metric = "404_rate"
	MetricBytesRate  Metric = "bytes_rate"
	MetricAvgLatency Metric = "avg_latency"
	MetricUpstream   Metric = "upstream_avg"
)

// Metrics lists every metric, for config validation.
var Metrics = []Metric{MetricQPS, MetricSlowRatio, Metric499Rate, Metric5xxRatio, Metric5xxRate, Metric304Rate, Metric404Rate, MetricBytesRate, MetricAvgLatency, MetricUpstream}

// Unit is how m's values read.
func (m Metric) Unit() sources.Unit {
	switch m {
	case MetricSlowRatio, Metric5xxRatio:
		return sources.UnitRatio
	case MetricBytesRate:
		return sources.UnitBytes
	case MetricAvgLatency, MetricUpstream:
		return sources.UnitSeconds
	}
	return sources.UnitPerSecond
}

// value computes m from a bucket covering span seconds; NaN when undefined.
func (m Metric) value(b *Bucket, span float64) float64 {
	nan := func(v float64) float64 {
		if v < 0 {
			return nanValue
		}
		return v
	}
	switch m {
	case MetricQPS:
		return float64(b.Requests) / span
	case MetricSlowRatio:
		return nan(ratio(uint64(b.Slow), uint64(b.Timed)))
	case Metric499Rate:
		return float64(b.S499) / span
	case Metric5xxRatio:
		return nan(ratio(uint64(b.Class[5]), uint64(b.Requests)))
	case Metric5xxRate:
		return float64(b.Class[5]) / span
	case Metric304Rate:
		return float64(b.S304) / span
	case Metric404Rate:
		return float64(b.S404) / span
	case MetricBytesRate:
		return float64(b.Bytes) / span
	case MetricAvgLatency:
		if b.Timed == 0 {
			return nanValue
		}
		return float64(b.ReqTimeUS) / float64(b.Timed) / 1e6
	case MetricUpstream:
		if b.UpCount == 0 {
			return nanValue
		}
		return float64(b.UpTimeUS) / float64(b.UpCount) / 1e6
	}
	return nanValue
}

// Events is what a metric over b counts: the events (slow requests, 499s,
// 5xx answers...) and the requests they are of, so a rule can require a
// minimum of either (a ratio of 1 in 600 is noise). Averages count the
// requests they average.
func (m Metric) Events(b *Bucket) (count, total float64) {
	switch m {
	case MetricSlowRatio:
		return float64(b.Slow), float64(b.Timed)
	case Metric499Rate:
		return float64(b.S499), float64(b.Requests)
	case Metric5xxRatio, Metric5xxRate:
		return float64(b.Class[5]), float64(b.Requests)
	case Metric304Rate:
		return float64(b.S304), float64(b.Requests)
	case Metric404Rate:
		return float64(b.S404), float64(b.Requests)
	case MetricAvgLatency:
		return float64(b.Timed), float64(b.Requests)
	case MetricUpstream:
		return float64(b.UpCount), float64(b.Requests)
	}
	return float64(b.Requests), float64(b.Requests)
}

// Counts returns the whole-run request counters and per-code totals, cheap
// enough to call every tick (for interval deltas).
func (a *Aggregator) Counts() (Bucket, map[int]uint64, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	codes := map[int]uint64{}
	for code, c := range a.codeTotal {
		if c > 0 {
			codes[code] = c
		}
	}
	var bad uint64
	for r := ReasonTooLong; r < numReasons; r++ {
		if r != ReasonEmpty {
			bad += a.malformed[r]
		}
	}
	return a.total, codes, bad
}

// ReasonCounts counts malformed lines by reason.
type ReasonCounts [numReasons]uint64

// Total is every malformed line but the blank ones.
func (c *ReasonCounts) Total() uint64 {
	n := uint64(0)
	for r := ReasonTooLong; r < numReasons; r++ {
		if r != ReasonEmpty {
			n += c[r]
		}
	}
	return n
}

// Commonest is the reason with the most lines since base (blank lines
// aside), and ReasonNone when there were none.
func (c *ReasonCounts) Commonest(base *ReasonCounts) Reason {
	worst, most := ReasonNone, uint64(0)
	for r := ReasonTooLong; r < numReasons; r++ {
		if n := c[r] - base[r]; r != ReasonEmpty && n > most {
			worst, most = r, n
		}
	}
	return worst
}

// Unreadable is the live view of the lines that could not be counted:
// every line read so far (blank ones aside) and the malformed ones by
// reason.
func (a *Aggregator) Unreadable() (lines uint64, bad ReasonCounts) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lines - a.malformed[ReasonEmpty], a.malformed
}

// Partial is how many lines were read with bytes left after the format's
// end: a format that fits lines only in part (a builtin picked for a log
// whose log_format has more variables, or one nginx changed to).
func (a *Aggregator) Partial() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.partial
}

// LatestBad is the latest line malformed for reason r, cut (raw: sanitize
// to show).
func (a *Aggregator) LatestBad(r Reason) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	lb := &a.lastBad[r]
	return string(lb.b[:lb.n])
}
