package nginx

import (
	"bytes"
	"fmt"
	"sync"
	"time"
)

// autoFormat picks a source's format from its own lines when the config
// names none, and picks again when the one in use stops reading them
// (nginx reloaded with another log_format). It runs on the follower's
// goroutine, in the batch callback; Note may be read from any.
type autoFormat struct {
	agg *Aggregator
	now func() time.Time

	// feedMu serializes feed (the follower's goroutine) and settle (the
	// source's clock): the state below is theirs
	feedMu    sync.Mutex
	heldSince time.Time // pending: when the first line was held

	state    int
	held     [][]byte // pending: lines not ingested yet; suspect: copies of lines ingested
	heldSize int
	rest     []byte    // pending: the part of a batch past a full sample
	since    time.Time // suspect: when the parse rate fell

	// parse rate since the last look
	base        ReasonCounts
	baseLines   uint64
	basePartial uint64
	windowFrom  time.Time
	partialOK   bool // the format in use was picked knowing it reads lines in part

	mu    sync.Mutex
	note  string // what was picked and why, for check, snapshot and the log
	short string // the same in a few words, for the status bar
	bad   bool   // no builtin reads the lines
}

const (
	autoPending = iota // no format yet: lines are held until there are enough to judge
	autoDecided        // reading with the picked format, watching the parse rate
	autoSuspect        // the parse rate fell: collecting lines to judge again
)

// heldBytes bounds the lines held for a decision.
const heldBytes = 4 << 20

func newAutoFormat(agg *Aggregator, now func() time.Time) *autoFormat {
	return &autoFormat{agg: agg, now: now}
}

// Note says which format is in use and how it was chosen, in full and in
// a few words ("" before any). bad is true when no builtin format reads
// the log.
func (a *autoFormat) Note() (note, short string, bad bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.note, a.short, a.bad
}

// decide picks from sample (lines of the log) and reports the format now
// in use: the builtin that reads at least DetectPercent of it, else the
// closest when it reads at least FailPercent (a log with a few foreign
// lines: another vhost's, old workers' after a reload). With none that
// reads that much the log does not fit: the format in use is kept (the
// first decision takes the closest), so the lines show as unreadable with
// their reason, and the next fall of the parse rate judges again.
func (a *autoFormat) decide(sample [][]byte, why string) *Format {
	d := Detect(sample)
	f, fits := d.Use()
	old := a.agg.Format()
	note := d.String()
	switch {
	case !fits && old != nil:
		f = old
	case old != nil && old.Name != f.Name:
		note = fmt.Sprintf("format %s, was %s until %s (%s): %s", f.Name, old.Name, a.now().Format("15:04:05 MST"), why, note)
	}
	if old == nil || old.Name != f.Name {
		a.agg.SetFormat(f)
	}
	a.mu.Lock()
	a.note, a.short, a.bad = note, d.Short(), !fits
	a.mu.Unlock()
	a.base, a.baseLines = a.counts()
	a.basePartial = a.agg.Partial()
	// lines read in part are expected only when the format picked was
	// known to read them so; otherwise they say the log changed
	a.partialOK = fits && (d.Partial || d.Format == nil && d.Closest.Whole < d.Closest.OK)
	a.windowFrom = a.now()
	return f
}

func (a *autoFormat) counts() (ReasonCounts, uint64) {
	lines, bad := a.agg.Unreadable()
	return bad, lines
}

// feed takes one batch of lines. loading says the follower is still reading
// back (a start of 15m, say): a decision waits for the first 1,000 lines or
// the end of what there is to read back.
func (a *autoFormat) feed(data []byte, loading bool) {
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	switch a.state {
	case autoPending:
		if len(a.held) == 0 {
			a.heldSince = a.now()
		}
		a.hold(data)
		if len(a.held) == 0 {
			return
		}
		if len(a.held) < SampleLines && a.heldSize < heldBytes && loading {
			return
		}
		a.decidePending()
	case autoDecided:
		a.agg.Ingest(data)
		if !a.fallen() {
			return
		}
		// judge from the lines that did not fit, and those after them
		a.state, a.since = autoSuspect, a.now()
		a.held, a.heldSize = a.held[:0], 0
		a.hold(lastLines(data, SampleLines))
		a.judgeAgain()
	case autoSuspect:
		a.agg.Ingest(data)
		a.hold(data)
		a.judgeAgain()
	}
}

// decidePending picks from the lines held and counts them.
func (a *autoFormat) decidePending() {
	a.decide(a.held, "")
	a.ingestHeld()
	a.state = autoDecided
}

// pendingWait is how long lines are held for a decision before one is
// made with what there is, when no more come.
const pendingWait = 2 * time.Second

// settle decides with the lines held when no batch comes to: the follower
// finished reading back (loading false) or pendingWait passed with fewer
// lines than a sample, and a judgement again waits for its lines the same
// way. Source.Run calls it on its clock.
func (a *autoFormat) settle(loading bool) {
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	switch a.state {
	case autoPending:
		if len(a.held) > 0 && (!loading || a.now().Sub(a.heldSince) >= pendingWait) {
			a.decidePending()
		}
	case autoSuspect:
		a.judgeAgain()
	}
}

// judgeAgain picks from the lines held since the parse rate fell, once
// there are enough: a sample, 100 lines, or 20 lines and 5 s.
func (a *autoFormat) judgeAgain() {
	n := len(a.held)
	if n < SampleLines && a.heldSize < heldBytes && n < 100 && (n < 20 || a.now().Sub(a.since) < 5*time.Second) {
		return
	}
	a.decide(a.held, "its parse rate fell below 90%")
	a.held, a.heldSize = a.held[:0], 0
	a.state = autoDecided
}

// lastLines is the end of data that holds its last n lines.
func lastLines(data []byte, n int) []byte {
	end := len(data)
	for end > 0 && data[end-1] == '\n' {
		end--
	}
	i := end
	for k := 0; k < n; k++ {
		j := bytes.LastIndexByte(data[:i], '\n')
		if j < 0 {
			return data
		}
		i = j
	}
	return data[i+1:]
}

// fallen reports whether fewer than FailPercent of the lines since the
// last look were read to their end (the format in use read them whole
// when it was picked), over a look of at least 100 lines or 10 s.
func (a *autoFormat) fallen() bool {
	bad, lines := a.counts()
	partial := a.agg.Partial()
	n := lines - a.baseLines
	if n < 100 && (n == 0 || a.now().Sub(a.windowFrom) < 10*time.Second) {
		return false
	}
	var unread uint64
	for _, r := range []Reason{ReasonTruncated, ReasonLayout, ReasonTime, ReasonStatus, ReasonNumber} {
		unread += bad[r] - a.base[r]
	}
	if !a.partialOK {
		// a log whose lines grew more variables (nginx reloaded with
		// "timed" after "main") is still read in part by the old format
		unread += partial - a.basePartial
	}
	a.base, a.baseLines, a.basePartial, a.windowFrom = bad, lines, partial, a.now()
	return unread*100 > (100-FailPercent)*n
}

// hold copies data's lines into held, up to SampleLines and heldBytes.
func (a *autoFormat) hold(data []byte) {
	for len(data) > 0 && len(a.held) < SampleLines && a.heldSize < heldBytes {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) == 0 {
			continue
		}
		a.held = append(a.held, bytes.Clone(line))
		a.heldSize += len(line)
	}
	if a.state == autoPending && len(data) > 0 {
		// more than a sample came in one batch: the rest is counted with
		// the format the sample picks
		a.rest = append(a.rest, data...)
	}
}

// ingestHeld counts the lines held while pending, then the rest of the
// batch that completed the sample, with the format just picked.
func (a *autoFormat) ingestHeld() {
	a.agg.Ingest(bytes.Join(a.held, []byte{'\n'}))
	if len(a.rest) > 0 {
		a.agg.Ingest(a.rest)
	}
	a.held, a.heldSize, a.rest = nil, 0, nil
}
