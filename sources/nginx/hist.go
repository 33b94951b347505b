package nginx

import "math/bits"

// Hist is a latency histogram in microseconds with bounded relative error:
// exact below 64 µs, then 32 linear sub-buckets per power of two (error
// ≤ 1/64 ≈ 1.6% at the bucket midpoint), capped at 2^36 µs (~19 h).
type Hist struct {
	c     [histBuckets]uint32
	total uint64
}

const (
	histSub     = 32
	histMaxBits = 36
	histBuckets = 64 + (histMaxBits-6)*histSub
)

func histIndex(us uint64) int {
	if us < 64 {
		return int(us)
	}
	e := bits.Len64(us)
	if e > histMaxBits {
		return histBuckets - 1
	}
	sub := us >> (e - 6) // 32..63
	return 64 + (e-7)*histSub + int(sub-32)
}

// histValue is the midpoint of bucket i in µs.
func histValue(i int) float64 {
	if i < 64 {
		return float64(i)
	}
	j := i - 64
	e := j/histSub + 7
	sub := uint64(j%histSub + 32)
	lo := sub << (e - 6)
	width := uint64(1) << (e - 6)
	return float64(lo) + float64(width)/2
}

// Add records one latency.
func (h *Hist) Add(us int64) {
	if us < 0 {
		return
	}
	h.c[histIndex(uint64(us))]++
	h.total++
}

// Merge adds o into h.
func (h *Hist) Merge(o *Hist) {
	if o.total == 0 {
		return
	}
	for i, v := range o.c {
		h.c[i] += v
	}
	h.total += o.total
}

// Reset empties h.
func (h *Hist) Reset() { *h = Hist{} }

// Count is the number of latencies recorded.
func (h *Hist) Count() uint64 { return h.total }

// Quantile returns the q-quantile (0..1) in seconds, or -1 when empty.
func (h *Hist) Quantile(q float64) float64 {
	if h.total == 0 {
		return -1
	}
	rank := uint64(q*float64(h.total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	if rank > h.total {
		rank = h.total
	}
	var seen uint64
	for i, v := range h.c {
		seen += uint64(v)
		if seen >= rank {
			return histValue(i) / 1e6
		}
	}
	return histValue(histBuckets-1) / 1e6
}
