package collect

import (
	"fmt"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
)

// unreadableSpan is how far back an access log's unreadable lines are
// judged.
const unreadableSpan = time.Minute

// lineMark is an access log's running line counts at one tick.
type lineMark struct {
	at    time.Time
	lines uint64
	bad   nginx.ReasonCounts
}

// unreadable records the log's line counts at t.At and, when most lines
// read over the last minute could not be counted, says why. The usual
// cause is a log_format that does not match the log (or a clock behind the
// log's), which would otherwise read as "no data yet" while lines pour in.
func (n *nginxSource) unreadable(t TickInfo) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	at := t.At
	agg := n.src.Aggregator()
	lines, bad := agg.Unreadable()
	ms := n.marks
	if n := len(ms); n == 0 || at.After(ms[n-1].at) {
		ms = append(ms, lineMark{at, lines, bad})
	}
	// the base is the newest mark at or before the span's start; without
	// one (the first minute) every line read so far counts
	start := at.Add(-unreadableSpan)
	k := 0
	for k+1 < len(ms) && !ms[k+1].at.After(start) {
		k++
	}
	ms = append(ms[:0], ms[k:]...)
	n.marks = ms
	base := lineMark{}
	if !ms[0].at.After(start) {
		base = ms[0]
	}
	// A busy log is judged over the span current values cover, so the
	// stats turn to an error as soon as their own lines stop being read
	// (not a green zero for half a minute), and back as soon as they are
	// read again; a quiet one over the minute, not on a line or two.
	if short := markAt(ms, at.Add(-t.Span-t.Lag)); lines-short.lines >= minShortLines {
		base = short
	}
	dl, db := lines-base.lines, bad.Total()-base.bad.Total()
	note := ""
	if db > 0 && 2*db > dl {
		// the reason and the sample are the last minute's, not the
		// commonest since start
		r := bad.Commonest(&base.bad)
		hint := "does the format match the log?"
		if r == nginx.ReasonFuture {
			hint = "is this machine's clock behind the log's?"
		}
		sample, n := agg.LatestBad(r), 0
		for j := range sample { // cut at 80 characters, not inside one
			if n++; n > 80 {
				sample = sample[:j] + "…"
				break
			}
		}
		note = sources.Sanitize(fmt.Sprintf("unreadable lines %d/%d (%s): %s e.g. %s", db, dl, r, hint, sample))
	}
	n.unread = note
	return note
}

// minShortLines is how many lines a log must have read over the value
// span to be judged over it rather than over the minute.
const minShortLines = 20

// markAt is the newest mark at or before t, or the oldest there is.
func markAt(ms []lineMark, t time.Time) lineMark {
	m := ms[0]
	for _, x := range ms {
		if x.at.After(t) {
			break
		}
		m = x
	}
	return m
}
