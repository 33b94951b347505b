package nginx

// Bucket holds the counters of one second or one minute.
type Bucket struct {
	T          int64 // start of the slot, unix seconds; 0 = unused
	Requests   uint32
	Timed      uint32 // requests carrying $request_time
	Slow       uint32
	S499       uint32
	S304       uint32
	S404       uint32
	NoUpstream uint32    // upstream time "-": answered by nginx itself
	UpCount    uint32    // requests with an upstream time
	Class      [6]uint32 // by status/100; [0] unused
	Bytes      uint64
	ReqTimeUS  uint64
	UpTimeUS   uint64
}

// S5xx is the number of 5xx answers.
func (b *Bucket) S5xx() uint32 { return b.Class[5] }

// Add folds o into b (T unchanged).
func (b *Bucket) Add(o *Bucket) {
	b.Requests += o.Requests
	b.Timed += o.Timed
	b.Slow += o.Slow
	b.S499 += o.S499
	b.S304 += o.S304
	b.S404 += o.S404
	b.NoUpstream += o.NoUpstream
	b.UpCount += o.UpCount
	for i := range b.Class {
		b.Class[i] += o.Class[i]
	}
	b.Bytes += o.Bytes
	b.ReqTimeUS += o.ReqTimeUS
	b.UpTimeUS += o.UpTimeUS
}

func (b *Bucket) count(r *Record, slow bool) {
	b.Requests++
	if r.ReqTime >= 0 {
		b.Timed++
		b.ReqTimeUS += uint64(r.ReqTime)
		if slow {
			b.Slow++
		}
	}
	switch r.Status {
	case 499:
		b.S499++
	case 304:
		b.S304++
	case 404:
		b.S404++
	}
	if c := r.Status / 100; c >= 1 && c <= 5 {
		b.Class[c]++
	}
	b.Bytes += uint64(r.Bytes)
	if r.UpTime >= 0 {
		b.UpCount++
		b.UpTimeUS += uint64(r.UpTime)
	} else if r.UpTime == -1 && r.upstreamDash {
		b.NoUpstream++
	}
}

// ring is a fixed circle of buckets at a resolution of res seconds.
type ring struct {
	res   int64
	slots []Bucket
	// final is called with a bucket about to be reused: its numbers are final.
	final func(*Bucket)
}

func newRing(res int64, n int, final func(*Bucket)) *ring {
	if n < 1 {
		n = 1
	}
	return &ring{res: res, slots: make([]Bucket, n), final: final}
}

// at returns the bucket for unix second t and its index, or -1 when t is
// older than the ring holds. fresh says the bucket was just (re)started.
func (r *ring) at(t int64) (b *Bucket, idx int, fresh bool) {
	if t < 0 {
		return nil, -1, false // before 1970: nothing is counted there
	}
	start := t - t%r.res
	idx = int((t / r.res) % int64(len(r.slots)))
	b = &r.slots[idx]
	switch {
	case b.T == start:
		return b, idx, false
	case b.T > start:
		return nil, -1, false
	}
	if b.T != 0 && r.final != nil {
		r.final(b)
	}
	*b = Bucket{T: start}
	return b, idx, true
}

// get returns the bucket holding t if it is still in the ring.
func (r *ring) get(t int64) *Bucket {
	if t < 0 {
		return nil // a window reaching before 1970 (a clock at zero)
	}
	start := t - t%r.res
	b := &r.slots[int((t/r.res)%int64(len(r.slots)))]
	if b.T == start {
		return b
	}
	return nil
}

// span is how many seconds the ring covers.
func (r *ring) span() int64 { return r.res * int64(len(r.slots)) }
