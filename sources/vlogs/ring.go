package vlogs

import "math"

// ring holds a stream's counts per second: width columns for each second
// of the last len(t) seconds. A second is held only once a query covering
// it succeeded — with what it counted, or zeros when VictoriaLogs left it
// out for having no lines — so "no data" (never asked, or the server
// failed) is told from "no lines" (asked, and none).
type ring struct {
	width  int
	t      []int64  // the second each slot holds; noSecond when none
	c      []uint32 // len(t) × width
	newest int64    // the newest second held with a count; noSecond when none
	total  []uint64 // each column's sum over the seconds held
	last   []int64  // each column's newest second held with a count; noSecond when none
}

const noSecond = math.MinInt64

func newRing(seconds, width int) *ring {
	r := &ring{width: width, t: make([]int64, seconds), c: make([]uint32, seconds*width), newest: noSecond,
		total: make([]uint64, width), last: make([]int64, width)}
	for i := range r.t {
		r.t[i] = noSecond
	}
	for i := range r.last {
		r.last[i] = noSecond
	}
	return r
}

func (r *ring) slot(sec int64) int {
	n := int64(len(r.t))
	return int((sec%n + n) % n)
}

// set holds vals (width counts, nil for zeros) as second sec's, in place
// of what the slot held.
func (r *ring) set(sec int64, vals []uint32) {
	i := r.slot(sec)
	row := r.c[i*r.width : (i+1)*r.width]
	if r.t[i] != noSecond {
		for k, v := range row {
			r.total[k] -= uint64(v)
		}
	}
	if vals == nil {
		clear(row)
	} else {
		copy(row, vals)
	}
	for k, v := range row {
		r.total[k] += uint64(v)
		if v > 0 && sec > r.last[k] {
			r.last[k] = sec
		}
	}
	r.t[i] = sec
	if sec > r.newest && nonZero(row) {
		r.newest = sec
	}
}

// get is second sec's counts (not to be kept: the slot is reused) and
// whether the ring holds it.
func (r *ring) get(sec int64) ([]uint32, bool) {
	i := r.slot(sec)
	if r.t[i] != sec {
		return nil, false
	}
	return r.c[i*r.width : (i+1)*r.width], true
}

// sum adds the held seconds of [from, to) of columns off to
// off+len(out) into out and returns how many seconds were held.
func (r *ring) sum(from, to int64, off int, out []uint64) int64 {
	held := int64(0)
	for s := from; s < to; s++ {
		row, ok := r.get(s)
		if !ok {
			continue
		}
		held++
		for k, v := range row[off : off+len(out)] {
			out[k] += uint64(v)
		}
	}
	return held
}

// span is how many seconds the ring can hold.
func (r *ring) span() int64 { return int64(len(r.t)) }

func nonZero(row []uint32) bool {
	for _, v := range row {
		if v != 0 {
			return true
		}
	}
	return false
}
