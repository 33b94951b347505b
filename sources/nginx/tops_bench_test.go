package nginx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// minuteBlock is one minute of lines from perMinute distinct clients
// (each makes one or two requests) drawn from a crowd four times as
// large, so ten minutes and an hour hold more clients than a minute. Every
// line has the same length, so the minute of the block can be rewritten in
// place: the time field starts at the same offset of each line.
type minuteBlock struct {
	data   []byte
	width  int // bytes a line
	timeAt int // offset of "HH:MM" in a line
	lines  int
}

func newMinuteBlock(perMinute int, seed uint64) *minuteBlock {
	rng := rand.New(rand.NewPCG(seed, 1))
	day := time.Date(2026, 12, 31, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	type req struct{ client, sec int }
	var reqs []req
	for i := 0; i < perMinute; i++ {
		c := rng.IntN(4 * perMinute)
		for k := 0; k <= i%2; k++ {
			reqs = append(reqs, req{c, rng.IntN(60)})
		}
	}
	slices.SortStableFunc(reqs, func(a, b req) int { return a.sec - b.sec }) // a log is written in order
	var b bytes.Buffer
	m := &minuteBlock{lines: len(reqs)}
	for _, r := range reqs {
		c := r.client
		st := 200
		if rng.IntN(100) == 0 {
			st = 499
		}
		start := b.Len()
		fmt.Fprintf(&b, `10.%03d.%03d.%03d - - [%s] "GET /api/item/%04d HTTP/1.1" %d 100 "-" "ua" %5.3f 0.010`+"\n",
			c>>16&255, c>>8&255, c&255, day.Add(time.Duration(r.sec)*time.Second).Format("02/Jan/2006:15:04:05 -0700"),
			rng.IntN(10000), st, float64(rng.IntN(1500))/1000)
		m.width = b.Len() - start
	}
	m.data = b.Bytes()
	m.timeAt = bytes.Index(m.data, []byte("2026:")) + len("2026:")
	return m
}

// at rewrites the block's minute to minute i of the day.
func (m *minuteBlock) at(i int) {
	hm := fmt.Sprintf("%02d:%02d", i/60%24, i%60)
	for off := m.timeAt; off < len(m.data); off += m.width {
		copy(m.data[off:], hm)
	}
}

// BenchmarkTopTables is the cost per line of the whole aggregator with
// the top tables (a minute of lines an iteration: -benchtime 90x is an
// hour and a half), against the same lines without any detail (scan's
// way) in the same run; and the memory of the top tables: what they hold
// after the run, and what they would hold a day later (each level's ring
// full of tables the size of those it holds now).
func BenchmarkTopTables(b *testing.B) {
	for _, perMinute := range []int{10000, 100000, 1000000} {
		blk := newMinuteBlock(perMinute, uint64(perMinute))
		f, _ := CompileFormat("timed")
		b.Run(fmt.Sprintf("ips=%dk", perMinute/1000), func(b *testing.B) {
			var base time.Duration
			lean := NewAggregator(Options{Format: f, Seconds: 600, Minutes: 120, NoDetail: true})
			a := NewAggregator(Options{Format: f, Seconds: 600, Minutes: 120})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				blk.at(i)
				t := time.Now()
				lean.Ingest(blk.data)
				base += time.Since(t)
				b.StartTimer()
				a.Ingest(blk.data)
			}
			b.StopTimer()
			lines := float64(b.N) * float64(blk.lines)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
			b.ReportMetric(float64(base.Nanoseconds())/lines, "ns/line-nodetail")
			b.ReportMetric(float64(b.Elapsed())/float64(base), "x-nodetail")
			now, day := a.tops.footprint()
			b.ReportMetric(float64(now)/(1<<20), "MiB-now")
			b.ReportMetric(float64(day)/(1<<20), "MiB-day")
		})
	}
}
