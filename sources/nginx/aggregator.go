package nginx

import (
	"bytes"
	"hash/maphash"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Group is a user-defined path group with its own series and slow threshold.
type Group struct {
	Name   string
	Prefix string        // matched against the path without query
	Glob   string        // '*' any run, '?' one byte; used when Prefix is empty
	Slow   time.Duration // 0: the aggregator's threshold
}

func (g *Group) match(path []byte) bool {
	if g.Prefix != "" {
		return bytes.HasPrefix(path, []byte(g.Prefix))
	}
	return globMatch(g.Glob, path)
}

// globPlan is what a group's glob needs per line: a path that doesn't start
// with the literal text before the first wildcard cannot match, and the
// common "literal*" pattern is a plain prefix test.
type globPlan struct {
	lit        string
	prefixOnly bool
}

func planGlob(glob string) globPlan {
	i := strings.IndexAny(glob, "*?")
	if i < 0 {
		return globPlan{lit: glob}
	}
	return globPlan{lit: glob[:i], prefixOnly: glob[i:] == "*"}
}

func (g *groupAgg) match(path []byte) bool {
	if g.g.Prefix != "" {
		return bytes.HasPrefix(path, []byte(g.g.Prefix))
	}
	if !bytes.HasPrefix(path, []byte(g.glob.lit)) {
		return false
	}
	if g.glob.prefixOnly {
		return true
	}
	return globMatch(g.g.Glob, path)
}

// Options configure an Aggregator. Zero values take the defaults noted.
type Options struct {
	Format *Format
	Client ClientField
	Slow   time.Duration // default 1s; a request is slow when request_time > Slow
	Groups []Group

	Seconds       int // per-second slots (default 86400 = 24 h)
	Minutes       int // per-minute slots (default 10080 = 7 days)
	DetailMinutes int // minutes of latency histograms and distinct counts (default 360); top tables are held for a day, or this when longer
	// TopKeys is the keys a span's top table holds exactly, per kind of
	// key (default DefaultTopKeys; see tops.go).
	TopKeys  int
	TopTotal int // keys in the whole-run sketch of NoDetail (default 16384)
	// NoDetail skips the per-minute details (latency, top tables, distinct
	// clients per minute) for callers that only read whole-run totals, as
	// scan does; Window then has counts but no tops or quantiles, and
	// Summary's tops come from a whole-run Space-Saving sketch instead.
	NoDetail bool

	From, To int64 // unix seconds; lines outside [From, To) are skipped; 0 = open

	// Follows says the lines counted come after those of another
	// aggregator, which this one will be merged into (Merge): the seconds
	// and minutes near its earliest line are kept whole rather than judged
	// as peaks when their slots are reused, for the one before may hold the
	// rest of their lines.
	Follows bool
	// Seed hashes the paths counted (default a random one); aggregators
	// to be merged share one.
	Seed maphash.Seed

	// Now, when set, rejects lines stamped more than MaxSkew (default 5m)
	// ahead of it as future_time.
	Now     func() time.Time
	MaxSkew time.Duration
}

const maxTrackedCodes = 48

// Aggregator counts parsed lines into bounded rings. Ingest is called by one
// feeding goroutine; the read methods may be called from others.
type Aggregator struct {
	mu     sync.Mutex
	o      Options
	parser *Parser
	norm   Normalizer
	pcache pathCache
	seed   maphash.Seed
	slowUS int64

	sec, min *ring
	total    Bucket
	hist     Hist
	ips      *TopK // whole run, NoDetail only
	paths    *TopK
	hll      *HLL
	tops     *topStore      // nil with NoDetail
	kinds    [numKinds]bool // kinds of key counted: hosts and upstreams when the format has them

	codeTotal [1000]uint64
	codeSlot  [1000]int8
	codeSec   [][]uint32
	codeMin   [][]uint32

	detail []detail

	groups []groupAgg

	lines     uint64
	partial   uint64 // lines read with bytes left after the format's end
	malformed ReasonCounts
	lastBad   [numReasons]struct { // the latest malformed line of each reason, cut
		b [120]byte
		n int
	}
	samples  [numReasons][]Sample
	filtered uint64
	tooOld   uint64
	first    int64
	last     int64

	peakSec, peakMin Bucket
	headSec, headMin *ring // with Follows: the seconds and minutes near the first line, whole (merge.go)

	slot slotCache

	rec Record // the line being counted; one per aggregator, not per line

	// arrival is the clock at this Ingest (Options.Now): the time of the
	// lines of a format that has none
	arrival int64

	unreadSec, unreadMin unreadMarks // lines not read, by second and minute (unread.go)

	touch uint64 // loads issued early land here (see count)
}

// Sample is a malformed line kept for the report (raw; sanitize to show).
type Sample struct {
	Line uint64
	Text string
}

type detail struct {
	T    int64
	hist Hist
	hll  *HLL
}

type groupAgg struct {
	g        Group
	slowUS   int64
	sec, min *ring
	total    Bucket
	hist     Hist

	// the slots of slotT, as Aggregator.slot; looked up only when the
	// group matches, as before
	slotT      int64
	slotOK     bool
	secB, minB *Bucket
	glob       globPlan
}

// NewAggregator returns an aggregator; it does no IO.
func NewAggregator(o Options) *Aggregator {
	if o.Slow <= 0 {
		o.Slow = time.Second
	}
	if o.Seconds <= 0 {
		o.Seconds = 86400
	}
	if o.Minutes <= 0 {
		o.Minutes = 10080
	}
	if o.DetailMinutes <= 0 {
		o.DetailMinutes = 360
	}
	if o.TopKeys <= 0 {
		o.TopKeys = DefaultTopKeys
	}
	if o.TopTotal <= 0 {
		o.TopTotal = 16384
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = 5 * time.Minute
	}
	if o.Seed == (maphash.Seed{}) {
		o.Seed = maphash.MakeSeed()
	}
	a := &Aggregator{
		o:      o,
		seed:   o.Seed,
		slowUS: o.Slow.Microseconds(),
		hll:    NewHLL(14),
		detail: make([]detail, o.DetailMinutes),
	}
	if o.NoDetail {
		a.ips, a.paths = NewTopK(o.TopTotal), NewTopK(o.TopTotal)
	} else {
		a.tops = newTopStore(o.TopKeys, time.Duration(o.DetailMinutes)*time.Minute)
	}
	if o.Format != nil {
		a.useParser(o.Format)
	}
	if o.Now != nil { // a live source, whose history is charted
		a.unreadSec, a.unreadMin = newUnreadMarks(1, o.Seconds), newUnreadMarks(60, o.Minutes)
	}
	for i := range a.codeSlot {
		a.codeSlot[i] = -1
	}
	a.sec = newRing(1, o.Seconds, func(b *Bucket) { a.retire(b, a.headSec, &a.peakSec) })
	a.min = newRing(60, o.Minutes, func(b *Bucket) { a.retire(b, a.headMin, &a.peakMin) })
	if o.Follows {
		a.headSec = newRing(1, o.Seconds, func(b *Bucket) { keepPeak(&a.peakSec, b) })
		a.headMin = newRing(60, o.Minutes, func(b *Bucket) { keepPeak(&a.peakMin, b) })
	}
	for _, g := range o.Groups {
		ga := groupAgg{g: g, slowUS: a.slowUS, sec: newRing(1, o.Seconds, nil), min: newRing(60, o.Minutes, nil), glob: planGlob(g.Glob)}
		if g.Slow > 0 {
			ga.slowUS = g.Slow.Microseconds()
		}
		a.groups = append(a.groups, ga)
	}
	return a
}

func keepPeak(peak, b *Bucket) {
	if b.Requests > peak.Requests {
		*peak = *b
	}
}

// SetFormat makes f the format of the lines ingested from now on: an
// aggregator made without one (the format to be detected from the log)
// gets it here before its first Ingest, and a detected format that stops
// fitting (nginx reloaded with another) is replaced.
func (a *Aggregator) SetFormat(f *Format) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.o.Format = f
	a.useParser(f)
}

// useParser reads lines with f from now on: the counting parser, which
// also reads the host when the top tables count hosts.
func (a *Aggregator) useParser(f *Format) {
	a.slot.ok = false // the slots' tables again, hosts or not
	a.kinds = [numKinds]bool{kindIP: true, kindPath: true}
	if a.tops != nil && hasDetailKeys(f) {
		a.kinds[kindHost] = hasHost(f)
		a.kinds[kindUpstream] = f.has[fUpstreamAddr]
		a.parser = newDetailParser(f, a.o.Client)
		return
	}
	a.parser = newCountingParser(f, a.o.Client)
}

// Format is the format lines are read with; nil before SetFormat when the
// aggregator was made without one.
func (a *Aggregator) Format() *Format {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.o.Format
}

// Ingest counts every '\n'-separated line in data (a final line without a
// newline counts too). It locks once per call: feed it batches. An
// aggregator made without a format needs SetFormat first.
func (a *Aggregator) Ingest(data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.parser == nil {
		panic("nginx: Ingest before SetFormat")
	}
	defer a.flushSlot() // readers see every line of the batch
	limit := int64(0)
	if a.o.Now != nil {
		now := a.o.Now()
		limit, a.arrival = now.Add(a.o.MaxSkew).Unix(), now.Unix()
	}
	// One pass over the batch finds NUL bytes; lines before the next NUL
	// skip the per-line check, which would otherwise be a second scan of
	// every line.
	nul := bytes.IndexByte(data, 0)
	off := 0
	for off < len(data) {
		rest := data[off:]
		line, next := rest, len(data)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, next = rest[:i], off+i+1
		}
		hasNUL := nul >= 0 && nul < off+len(line)
		a.line(line, limit, !hasNUL)
		off = next
		if hasNUL {
			nul = bytes.IndexByte(data[off:], 0)
			if nul >= 0 {
				nul += off
			}
		}
	}
}

func (a *Aggregator) line(line []byte, limit int64, noNUL bool) {
	if !noNUL && len(line) > 0 && line[0] == 0 {
		// A run of NULs where a line starts: the hole a copytruncate
		// leaves behind a writer without O_APPEND (the follower skips
		// them; scan and replay read files themselves). The run counts as
		// one unreadable line, and the line written behind it is read.
		k := 0
		for k < len(line) && line[k] == 0 {
			k++
		}
		a.lines++
		a.malformed[ReasonNUL]++
		if line = line[k:]; len(line) == 0 {
			return
		}
		noNUL = bytes.IndexByte(line, 0) < 0
	}
	a.lines++
	r := &a.rec
	reason := a.parser.parse(line, r, noNUL)
	if reason == ReasonNone && limit > 0 && r.HasTime && r.Time > limit {
		reason = ReasonFuture
	}
	if reason != ReasonNone {
		a.bad(reason, line)
		return
	}
	if a.parser.rest > 0 {
		a.partial++ // read, but the format ends before the line does
	}
	if !r.HasTime {
		r.Time = a.arrival // a format without a time: counted when read
	}
	if (a.o.From != 0 && r.Time < a.o.From) || (a.o.To != 0 && r.Time >= a.o.To) {
		a.filtered++
		return
	}
	a.count(r)
}

func (a *Aggregator) bad(reason Reason, line []byte) {
	a.malformed[reason]++
	if reason == ReasonEmpty {
		return
	}
	a.markUnread()
	lb := &a.lastBad[reason]
	lb.n = copy(lb.b[:], line)
	for lb.n < len(line) && lb.n > 0 && !utf8.RuneStart(line[lb.n]) {
		lb.n-- // not inside a character
	}
	if len(a.samples[reason]) < 3 {
		if len(line) > 200 {
			line = line[:200]
		}
		a.samples[reason] = append(a.samples[reason], Sample{Line: a.lines, Text: string(line)})
	}
}

func (a *Aggregator) count(r *Record) {
	t := r.Time
	if a.first == 0 || t < a.first {
		a.first = t
	}
	if t > a.last {
		a.last = t
	}
	slow := r.ReqTime > a.slowUS
	a.hist.Add(r.ReqTime)
	if r.Status >= 100 && r.Status < 1000 {
		a.codeTotal[r.Status]++
	}
	sl := &a.slot
	if !sl.ok || sl.t != t {
		a.flushSlot()
		a.slotsFor(t)
	}
	// the whole run's tables (scan), or the live minute's
	ips, paths := sl.ips, sl.paths

	// one fixed hash serves the distinct count (estimates repeat run to
	// run) and the top-K table (which only needs keys to differ)
	ipKey := HashKey(r.Client)
	ipHash := ipKey
	// Start loading the client's slot of the top-K table now: it is
	// rarely in cache, and normalizing the path meanwhile hides the wait.
	a.touch ^= ips.idx[ips.home(ipHash)]
	a.hll.Add(ipKey)
	is499, is5xx := r.Status == 499, r.Status >= 500 && r.Status < 600
	npath, pathHash := a.pcache.normalize(&a.norm, a.seed, r.Path)
	a.touch ^= paths.idx[paths.home(pathHash)]
	ips.AddMarked(ipHash, r.Client, is499, slow, is5xx)
	paths.AddMarked(pathHash, npath, is499, slow, is5xx)
	if sl.hosts != nil && len(r.Host) > 0 {
		sl.hosts.AddMarked(HashKey(r.Host), r.Host, is499, slow, is5xx)
	}
	if sl.upstreams != nil && len(r.Upstream) > 0 {
		sl.upstreams.AddMarked(HashKey(r.Upstream), r.Upstream, is499, slow, is5xx)
	}

	sl.b.count(r, slow)
	a.countCode(r.Status)
	if d := sl.d; d != nil {
		d.hist.Add(r.ReqTime)
		d.hll.Add(ipKey)
	}

	if len(a.groups) > 0 {
		p := r.Path
		if q := bytes.IndexByte(p, '?'); q >= 0 {
			p = p[:q]
		}
		for i := range a.groups {
			g := &a.groups[i]
			if !g.match(p) {
				continue
			}
			gslow := r.ReqTime > g.slowUS
			g.total.count(r, gslow)
			g.hist.Add(r.ReqTime)
			if !g.slotOK || g.slotT != t {
				g.secB, _, _ = g.sec.at(t)
				g.minB, _, _ = g.min.at(t)
				g.slotT, g.slotOK = t, true
			}
			if g.secB != nil {
				g.secB.count(r, gslow)
			}
			if g.minB != nil {
				g.minB.count(r, gslow)
			}
			break
		}
	}
}

// slotCache remembers the ring slots of the last timestamp counted: lines
// arrive in runs of the same second, and a slot only changes (is started
// or reused) when a different second is looked up, which refreshes the
// cache first.
//
// The lines of that second are counted once, into b and codes, and added
// to the whole-run total, the second's and the minute's buckets when the
// second changes and at the end of every Ingest (flushSlot), before any
// reader can look: one bucket update a line instead of three.
type slotCache struct {
	t              int64
	ok             bool
	sec, min       *Bucket // nil: older than the ring holds
	secIdx, minIdx int     // -1 when the bucket is nil
	d              *detail

	// the top tables a line of this second counts into: the whole
	// run's (NoDetail) or its live minute's; hosts and upstreams nil
	// when not counted
	ips, paths, hosts, upstreams *TopK

	b     Bucket                  // this second's lines not yet added
	codes [maxTrackedCodes]uint32 // by codeSlot, likewise
}

// flushSlot adds the staged counts of the cached second to the total and
// to its ring slots.
func (a *Aggregator) flushSlot() {
	sl := &a.slot
	if sl.b.Requests == 0 {
		return
	}
	a.total.Add(&sl.b)
	if sl.sec != nil {
		sl.sec.Add(&sl.b)
	} else {
		a.tooOld += uint64(sl.b.Requests)
	}
	if sl.min != nil {
		sl.min.Add(&sl.b)
	}
	for s, n := range sl.codes[:len(a.codeSec)] {
		if n == 0 {
			continue
		}
		if sl.secIdx >= 0 {
			a.codeSec[s][sl.secIdx] += n
		}
		if sl.minIdx >= 0 {
			a.codeMin[s][sl.minIdx] += n
		}
		sl.codes[s] = 0
	}
	sl.b = Bucket{}
}

// slotsFor looks up (starting or reusing as needed) the slots of second t,
// in the order count always did, and caches them.
func (a *Aggregator) slotsFor(t int64) {
	sl := &a.slot
	sl.t, sl.ok = t, true
	sl.sec, sl.min, sl.secIdx, sl.minIdx = nil, nil, -1, -1
	if b, idx, fresh := a.sec.at(t); b != nil {
		if fresh {
			for _, c := range a.codeSec {
				c[idx] = 0
			}
		}
		sl.sec, sl.secIdx = b, idx
	}
	if b, idx, fresh := a.min.at(t); b != nil {
		if fresh {
			for _, c := range a.codeMin {
				c[idx] = 0
			}
		}
		sl.min, sl.minIdx = b, idx
	}
	if a.o.NoDetail {
		sl.d = nil
		sl.ips, sl.paths, sl.hosts, sl.upstreams = a.ips, a.paths, nil, nil
		return
	}
	sl.d = a.detailAt(t)
	lm := a.tops.liveFor(t, &a.kinds)
	sl.ips, sl.paths, sl.hosts, sl.upstreams = lm.k[kindIP], lm.k[kindPath], lm.k[kindHost], lm.k[kindUpstream]
}

// countCode stages status for the per-code columns of the cached second,
// tracking at most maxTrackedCodes distinct codes; the rest are only in
// totals.
func (a *Aggregator) countCode(status int) {
	if status < 100 || status >= 1000 {
		return
	}
	s := a.codeSlot[status]
	if s < 0 {
		if len(a.codeSec) >= maxTrackedCodes {
			return
		}
		s = int8(len(a.codeSec))
		a.codeSlot[status] = s
		a.codeSec = append(a.codeSec, make([]uint32, len(a.sec.slots)))
		a.codeMin = append(a.codeMin, make([]uint32, len(a.min.slots)))
	}
	a.slot.codes[s]++
}

func (a *Aggregator) detailAt(t int64) *detail {
	m := t - t%60
	d := &a.detail[int((t/60)%int64(len(a.detail)))]
	switch {
	case d.T == m && d.hll != nil: // a slot never used has T 0 too
		return d
	case d.T > m:
		return nil
	}
	if d.hll == nil {
		d.hll = NewHLL(11)
	} else {
		d.hll.Reset()
	}
	d.hist.Reset()
	d.T = m
	return d
}
