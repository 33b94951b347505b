package nginx

import (
	"encoding/binary"
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

// HashKey is a fixed (unseeded) 64-bit hash for distinct counting: the
// same file gives the same estimate on every run, which a seeded hash
// would not. Word-at-a-time multiply-xorshift with a murmur3 finalizer;
// client addresses are short, so this costs a few nanoseconds.
func HashKey(b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15
	all := b
	h := uint64(len(b)) * m
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		h = (h ^ w) * m
		h ^= h >> 29
		b = b[8:]
	}
	var w uint64
	if n := len(b); n > 0 && len(all) >= 8 {
		// the tail is the top n bytes of the key's last 8: one load
		w = binary.LittleEndian.Uint64(all[len(all)-8:]) >> (64 - 8*n)
	} else {
		for i, c := range b {
			w |= uint64(c) << (8 * i)
		}
	}
	h = (h ^ w) * m
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
