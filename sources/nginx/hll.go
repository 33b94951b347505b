package nginx

import (
	"math"
	"math/bits"
)

// HLL is a HyperLogLog distinct counter over 64-bit hashes: fixed memory
// (2^p bytes) whatever the number of distinct clients.
type HLL struct {
	p   uint8
	reg []uint8
}

// NewHLL returns a counter with 2^p registers (4 ≤ p ≤ 16).
func NewHLL(p uint8) *HLL { return &HLL{p: p, reg: make([]uint8, 1<<p)} }

// Add records a hash.
func (h *HLL) Add(x uint64) {
	idx := x >> (64 - h.p)
	w := x<<h.p | 1<<(h.p-1) // guard bit bounds the rank
	r := uint8(bits.LeadingZeros64(w)) + 1
	if r > h.reg[idx] {
		h.reg[idx] = r
	}
}

// Merge folds o (same p) into h.
func (h *HLL) Merge(o *HLL) {
	if o == nil || o.p != h.p {
		return
	}
	for i, v := range o.reg {
		if v > h.reg[i] {
			h.reg[i] = v
		}
	}
}

// Reset empties h.
func (h *HLL) Reset() { clear(h.reg) }

// Estimate returns the approximate number of distinct hashes added.
func (h *HLL) Estimate() uint64 {
	m := float64(len(h.reg))
	var sum float64
	zeros := 0
	for _, v := range h.reg {
		sum += 1 / float64(uint64(1)<<v)
		if v == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	est := alpha * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros)) // linear counting for small sets
	}
	return uint64(est + 0.5)
}
