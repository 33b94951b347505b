package applog

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"warroom/sources"
)

// Options configure a Watcher.
type Options struct {
	Name     string    // indicator prefix, e.g. "app"
	Packs    []string  // built-in packs to include, e.g. ["db"]
	Patterns []Pattern // the user's own
	Keep     int       // latest matching messages kept, repeats folded (default 200)
	Seconds  int       // per-second history (default 86400)
	Now      func() time.Time
	Location *time.Location // for timestamps without a zone (default Local)
}

const maxEntry = 16 << 10 // a stack trace longer than this is cut

// MaxLine is the longest line read; a longer one (a dumped payload, a
// binary blob) is skipped and counted as too long rather than matched by
// its head. The follower hands on one byte more than this of a longer
// line, so the watcher can tell.
const MaxLine = 64 << 10

// Skipped counts what was read but not counted, by reason.
type Skipped struct {
	TooLong uint64 // lines over MaxLine bytes
	Undated uint64 // matched entries read back from history with no time, and no stamped entry before them
	Future  uint64 // matched entries stamped more than maxAhead ahead of the clock
}

// Watcher matches entries of one application-log source. Ingest is called
// by one feeding goroutine; the read methods may be called from others.
type Watcher struct {
	// seen is the newest line time a replay has read (unix ns; see Saw)
	seen atomic.Int64

	mu       sync.Mutex
	offNote  string // see SetOff
	o        Options
	patterns []Pattern
	packs    []string
	packOf   []int // pattern index → pack index, -1 for own patterns

	pending        []byte
	pendingLines   int
	pendingHistory bool // pending was read back from history (see when.go)

	// The entry a Flush finished may still get continuation lines (a
	// stack trace written after the tick): they reopen it rather than
	// start an entry of their own, and only patterns it did not match
	// before are counted then.
	flushed      []byte // its text; nil when the last entry was not ended by Flush
	flushedLines int
	flushedHits  []int // patterns already counted
	flushedSlot  int   // its row in lines, -1 when not shown
	reopened     bool  // pending is the flushed entry, reopened

	slotT  []int64
	counts []uint32 // len(slotT) × width, width = patterns + packs
	width  int

	total []uint64
	first []time.Time
	last  []time.Time
	lines kept // the latest matching messages, repeats folded

	entries uint64
	reopens uint64 // flushed entries reopened (see flushed)
	hits    []int
	namesOf []int  // the hits names was made of
	names   string // their names, comma-separated
	skipped Skipped
	// dropping is set after a line skipped as too long: its continuation
	// lines are dropped with it rather than joined to the entry before
	dropping bool
	tm       timing
}

// New returns a Watcher; errors name the bad pattern.
func New(o Options) (*Watcher, error) {
	if o.Keep <= 0 {
		o.Keep = 200
	}
	if o.Seconds <= 0 {
		o.Seconds = 86400
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	w := &Watcher{o: o}
	names := map[string]bool{}
	add := func(p Pattern, pack int) error {
		if names[p.Name] {
			return fmt.Errorf("applog: %s: duplicate pattern name %q", o.Name, p.Name)
		}
		names[p.Name] = true
		if err := p.compile(); err != nil {
			return fmt.Errorf("applog: %s: %w", o.Name, err)
		}
		w.patterns = append(w.patterns, p)
		w.packOf = append(w.packOf, pack)
		return nil
	}
	for _, pk := range o.Packs {
		ps, ok := Packs[pk]
		if !ok {
			return nil, fmt.Errorf("applog: %s: unknown pack %q (known: db, upstream)", o.Name, pk)
		}
		w.packs = append(w.packs, pk)
		for _, p := range ps {
			p.Pack = pk
			if err := add(p, len(w.packs)-1); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range o.Patterns {
		if names[p.Name] || containsString(w.packs, p.Name) {
			return nil, fmt.Errorf("applog: %s: pattern name %q is already used", o.Name, p.Name)
		}
		if err := add(p, -1); err != nil {
			return nil, err
		}
	}
	if len(w.patterns) == 0 {
		return nil, fmt.Errorf("applog: %s: no patterns (add packs: [db] or patterns)", o.Name)
	}
	w.width = len(w.patterns) + len(w.packs)
	w.slotT = make([]int64, o.Seconds)
	w.counts = make([]uint32, o.Seconds*w.width)
	w.total = make([]uint64, w.width)
	w.first = make([]time.Time, w.width)
	w.last = make([]time.Time, w.width)
	w.lines = newKept(o.Keep)
	return w, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Indicators lists the indicator names this watcher feeds: one per pack
// (e.g. app.db) and one per pattern (e.g. app.econnreset).
func (w *Watcher) Indicators() []string {
	var out []string
	for _, pk := range w.packs {
		out = append(out, w.o.Name+"."+pk)
	}
	for _, p := range w.patterns {
		out = append(out, w.o.Name+"."+p.Name)
	}
	return out
}

// Ingest takes '\n'-separated lines as they arrive. Continuation lines are
// joined to the entry before them; an entry is matched when the next one
// starts or on Flush. An entry without a time of its own happened now.
func (w *Watcher) Ingest(data []byte) { w.ingest(data, false) }

// IngestHistory is Ingest for lines written earlier — a backfill, a
// replay: an entry without a time of its own goes with the stamped entry
// before it, or is skipped when there is none.
func (w *Watcher) IngestHistory(data []byte) { w.ingest(data, true) }

func (w *Watcher) ingest(data []byte, history bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tm.batched = false
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		if len(line) > MaxLine {
			w.skipped.TooLong++
			if !isContinuation(line) {
				// an entry of its own: the one before is complete, and
				// the lines that continue this one go with it
				w.finish()
				w.dropping = true
			}
			continue
		}
		if isContinuation(line) && w.dropping {
			continue
		}
		w.dropping = false
		if isContinuation(line) && len(w.pending) == 0 && w.flushed != nil {
			w.pending = append(w.pending[:0], w.flushed...)
			w.pendingLines, w.reopened = w.flushedLines, true
		}
		if isContinuation(line) && len(w.pending) > 0 {
			if len(w.pending)+1+len(line) <= maxEntry {
				w.pending = append(w.pending, '\n')
				w.pending = append(w.pending, line...)
			}
			w.pendingLines++
			continue
		}
		w.finish()
		w.measureLine(line, history)
		if len(line) > maxEntry {
			line = line[:maxEntry]
		}
		w.pending = append(w.pending[:0], line...)
		w.pendingLines, w.pendingHistory = 1, history
	}
}

// Flush matches the pending entry (call it on each refresh tick so the
// last error of a quiet log is not held back).
func (w *Watcher) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return
	}
	text, lines := append(w.flushed[:0], w.pending...), w.pendingLines
	w.finish()
	w.flushed, w.flushedLines = text, lines
}

func (w *Watcher) finish() {
	reopened := w.reopened
	w.reopened = false
	if !reopened {
		w.flushed, w.flushedHits, w.flushedSlot = nil, w.flushedHits[:0], -1
	}
	if len(w.pending) == 0 {
		return
	}
	entry := w.pending
	if !reopened {
		w.entries++
	} else {
		w.reopens++
	}
	w.hits = w.hits[:0]
	for i := range w.patterns {
		if w.patterns[i].match(entry) {
			w.hits = append(w.hits, i)
		}
	}
	switch {
	case len(w.hits) > 0:
		// reopened with hits before: judged once already
		if at, ok := w.when(entry, w.pendingHistory, reopened && len(w.flushedHits) > 0); ok {
			w.count(at, entry, reopened)
		}
	case w.pendingHistory:
		w.remember(entry)
	}
	w.flushedHits = append(w.flushedHits[:0], w.hits...)
	w.pending = w.pending[:0]
	w.pendingLines = 0
}

// count counts entry's hits at at and shows it. A reopened entry (see
// flushed) counts only the patterns and packs it did not hit before, and
// replaces its line rather than adding one.
func (w *Watcher) count(at time.Time, entry []byte, reopened bool) {
	var before []int
	if reopened {
		before = w.flushedHits
	}
	sec := at.Unix()
	idx := w.slot(sec)
	row := w.counts[idx*w.width : (idx+1)*w.width]
	inRing := true
	switch {
	case w.slotT[idx] == sec:
	case w.slotT[idx] < sec:
		w.slotT[idx] = sec
		clear(row)
	default:
		inRing = false // older than the history holds: totals only
	}
	bump := func(col int) {
		w.total[col]++
		if w.first[col].IsZero() || at.Before(w.first[col]) {
			w.first[col] = at
		}
		if at.After(w.last[col]) {
			w.last[col] = at
		}
		if inRing {
			row[col]++
		}
	}
	packHit := make([]bool, len(w.packs))
	for _, i := range before {
		if pk := w.packOf[i]; pk >= 0 {
			packHit[pk] = true
		}
	}
	for _, i := range w.hits {
		if !slices.Contains(before, i) {
			bump(i)
		}
		if pk := w.packOf[i]; pk >= 0 && !packHit[pk] {
			packHit[pk] = true
			bump(len(w.patterns) + pk)
		}
	}
	// A flood repeats one error: its names, and a line of its own only
	// when it is a new message (see kept), cost no allocation each.
	if !slices.Equal(w.hits, w.namesOf) {
		var b strings.Builder
		for k, i := range w.hits {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(w.patterns[i].Name)
		}
		w.names, w.namesOf = b.String(), append(w.namesOf[:0], w.hits...)
	}
	raw, n := displayText(entry, w.pendingLines)
	text := sources.Sanitize(raw)
	more := text[len(text)-(len(raw)-n):] // " (+3 lines)": nothing to sanitize
	first := text[:len(text)-len(more)]
	if utf8.RuneCountInString(first) > 400 {
		first = string([]rune(first)[:399]) + "…"
		text = first + more
	}
	line := sources.LogLine{At: at, Pattern: w.names, Text: text}
	line.Msg, line.KeyFrom, line.KeyTo = w.spans(line.Text)
	if reopened && w.flushedSlot >= 0 {
		w.lines.replace(w.flushedSlot, line)
		return
	}
	w.flushedSlot = w.lines.add(line, first)
}

// slot is the ring index of second s; a second before 1970 (a garbage
// stamp, a replay's clock at zero) has one too, never a negative index.
func (w *Watcher) slot(s int64) int {
	n := int64(len(w.slotT))
	return int((s%n + n) % n)
}

// column returns the counts column of an indicator or pattern/pack name.
func (w *Watcher) column(name string) (int, bool) {
	for i, pk := range w.packs {
		if pk == name || w.o.Name+"."+pk == name {
			return len(w.patterns) + i, true
		}
	}
	for i, p := range w.patterns {
		if p.Name == name || w.o.Name+"."+p.Name == name {
			return i, true
		}
	}
	return 0, false
}

// Count returns how many entries matched name (a pack, a pattern, or their
// indicator name) in [from, to).
func (w *Watcher) Count(name string, from, to time.Time) (uint64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	col, ok := w.column(name)
	if !ok {
		return 0, false
	}
	var n uint64
	for s := from.Unix(); s < to.Unix(); s++ {
		idx := w.slot(s)
		if w.slotT[idx] == s {
			n += uint64(w.counts[idx*w.width+col])
		}
	}
	return n, true
}

// Series returns matches per minute of name over [from, to) at step.
func (w *Watcher) Series(name string, from, to time.Time, step time.Duration) (sources.Series, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	col, ok := w.column(name)
	if !ok {
		return sources.Series{}, false
	}
	st := int64(step / time.Second)
	if st < 1 {
		st = 1
	}
	f := from.Unix()
	f -= f % st
	s := sources.Series{Name: name, Unit: sources.UnitCount}
	t := to.Unix()
	for x := f; x < t; x += st {
		var n uint64
		end := min(x+st, t) // the last step may be cut short by to
		if end < x+st && 2*(end-x) < st && x > f {
			// under half a step is too little for a rate of its own: one
			// error in a second would read as sixty a minute
			break
		}
		for y := x; y < end; y++ {
			idx := w.slot(y)
			if w.slotT[idx] == y {
				n += uint64(w.counts[idx*w.width+col])
			}
		}
		s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: float64(n) * 60 / float64(end-x)})
	}
	return s, true
}

// View returns the latest matching messages (the latest seen last, repeats
// folded: see kept) and per-pattern
// activity in the minute before now, [now-1m, now) as Count takes it, so
// a pattern's rate agrees with its indicator's value at the same end.
func (w *Watcher) View(now time.Time) sources.LogView {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := sources.LogView{Source: w.o.Name, Lines: w.lines.appendTo(nil)}
	for col := 0; col < w.width; col++ {
		name, group, pack := "", "", col >= len(w.patterns)
		if pack {
			name = w.packs[col-len(w.patterns)]
		} else {
			name, group = w.patterns[col].Name, w.patterns[col].Pack
		}
		var perMin uint64
		for s := now.Unix() - 60; s < now.Unix(); s++ {
			idx := w.slot(s)
			if w.slotT[idx] == s {
				perMin += uint64(w.counts[idx*w.width+col])
			}
		}
		v.Patterns = append(v.Patterns, sources.PatternCount{
			Name: name, PerMin: float64(perMin), Total: w.total[col], LastAt: w.last[col],
			Indicator: w.o.Name + "." + name, Pack: pack, Group: group,
		})
	}
	return v
}

// Entries is the number of entries seen (matching or not).
func (w *Watcher) Entries() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.entries
}

// Skipped says what was read but not counted, by reason.
func (w *Watcher) Skipped() Skipped {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.skipped
}

// Version changes whenever the counts may have: with every entry, and
// when a flushed entry is reopened by lines that came after (see flushed).
// Caches of series key on it.
func (w *Watcher) Version() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.entries + w.reopens
}

// LineTime reads the timestamp a line carries, as the watcher reads an
// entry's (continuation and stamp-less lines: ok false). Replaying a file
// on its own clock needs it to know when each line happened.
func (w *Watcher) LineTime(line []byte) (time.Time, bool) {
	return entryTime(line, w.o.Location)
}

// Saw records a line's time as a replay reads it (a replay runs no
// follower, whose statuses say when the newest line came live).
func (w *Watcher) Saw(t time.Time) {
	ns := t.UnixNano()
	for {
		old := w.seen.Load()
		if ns <= old || w.seen.CompareAndSwap(old, ns) {
			return
		}
	}
}

// LastSaw is the newest time Saw recorded; zero when none.
func (w *Watcher) LastSaw() time.Time {
	if ns := w.seen.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}
