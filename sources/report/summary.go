// Package report sums up one milestone window — the flood after a stage
// end — from the aggregates the sources retain, sets it beside the previous
// milestone's window at the same offsets, and writes it as Markdown: the
// start of the morning's retro.
//
// Everything is read from bounded rings, so what a summary can say depends
// on how long they hold data: an access log keeps per-second counters for
// 24 h and per-minute ones for 7 days (top talkers and distinct clients for
// 6 h), an application log per-second counts for 24 h. A window the
// per-second ring no longer holds whole is summed per minute, and the
// figures that need seconds are reported as unknown rather than guessed;
// Summary.Notes says what was missing.
package report

import (
	"fmt"
	"time"

	"warroom/sources/nginx"
)

// SlowSpan is the span a per-second slow ratio is pooled over: one slow
// request in a quiet second is not a 100% slow ratio.
const SlowSpan = 10 * time.Second

// DefaultMinTimed is the fewest requests with a time a span needs before
// its slow ratio counts towards the maximum.
const DefaultMinTimed = 20

// DefaultTopN is how many top talkers a summary keeps.
const DefaultTopN = 10

// Access is one access log's counters and how long its rings hold them.
type Access struct {
	Name    string
	Agg     *nginx.Aggregator
	Seconds time.Duration // per-second retention (0: 24h)
}

// App is one application log whose `db` pack counts database errors.
type App struct {
	Name string
	// Watcher counts the log's patterns and packs: an *applog.Watcher,
	// or a VictoriaLogs app stream (ok false where it does not hold
	// every second asked).
	Watcher interface {
		Count(name string, from, to time.Time) (uint64, bool)
	}
	Pattern string        // a pack, pattern or indicator name; "" = "db"
	Seconds time.Duration // per-second retention (0: 24h)
}

// Counted is an access source kept as per-second counts rather than a
// log's counters (a VictoriaLogs stream): it adds to the totals, peaks,
// slow ratios and worst minute; it keeps no top tables (its server may
// give them: see Fetched) or distinct clients.
type Counted struct {
	Name string
	// Sum is the counts of [from, to) as an access log's; ok false when
	// the source does not hold every second of it.
	Sum func(from, to time.Time) (b nginx.Bucket, ok bool)
}

// Inputs are the sources a summary reads.
type Inputs struct {
	Access   []Access
	Counted  []Counted
	Apps     []App
	TopN     int // default DefaultTopN
	MinTimed int // default DefaultMinTimed
}

// Window is the span a summary covers, with the milestone it belongs to.
type Window struct {
	Event, Stage string
	End          time.Time // the stage end: offsets are relative to it
	From, To     time.Time // [From, To)
}

// Peak is a maximum and when it happened; Valid is false when the data to
// find it is not held (or there was none).
type Peak struct {
	At    time.Time
	Value float64
	Valid bool
}

// Minute is one minute's counters.
type Minute struct {
	At               time.Time
	Requests, Timed  uint64
	S499, S5xx, Slow uint64
	Valid            bool
}

// Bad is how a worst minute is ranked: 499s + 5xx + slow requests (a slow
// 499 counts twice: it was both).
func (m Minute) Bad() uint64 { return m.S499 + m.S5xx + m.Slow }

// Top is one heavy talker over the window; Key is raw (untrusted).
type Top struct {
	Key        string
	Count, Err uint64 // Count may exceed the truth by at most Err
	S499, Slow uint64
	S5xx       uint64
}

// sure is the count the key is sure to have in the window.
func (t Top) sure() uint64 { return t.Count - min(t.Err, t.Count) }

// Summary is a milestone window summed up.
type Summary struct {
	Window
	PerSecond bool // the per-second ring held the whole window
	Partial   bool // part of the window is older than even the per-minute ring
	// BeforeLog: the window starts before the earliest line any access
	// log counted (or none was): its counts cover only part of it, and
	// zero there means no data, not no traffic.
	BeforeLog bool

	Requests, Timed  uint64
	S499, S5xx, Slow uint64

	PeakSecond Peak // requests in the busiest second
	PeakMinute Peak // mean req/s of the busiest minute
	// MaxSlow is the highest slow ratio (slow / timed) pooled over SlowSpan
	// spans aligned to the window start, among spans with at least
	// MinTimed timed requests; MaxSlowMinute the same per minute.
	MaxSlow       Peak
	MaxSlowMinute Peak
	Worst         Minute // ranked by Minute.Bad, the earliest on a tie

	DBErrors uint64
	HasDB    bool // an application log counts db errors
	DBKnown  bool // and still holds the whole window

	TopIPs, TopPaths []Top
	TopHosts         []Top // nil when no access log's format has $host
	TopUpstreams     []Top // nil when none has $upstream_addr
	TopsKnown        bool  // the top tables still held the window
	NoTops           bool  // no access log: the sources counted keep no top tables
	// NoCounts: no access log or stream counted requests (a fleet read
	// from Prometheus presets alone): the request figures are unknown,
	// not 0.
	NoCounts bool
	// TopsFrom, TopsTo is the span the top tables cover: the window's
	// whole minutes, or past the minutes held the ten-minute or hour
	// buckets that hold its ends (nginx.TopTables).
	TopsFrom, TopsTo time.Time
	DistinctIPs      uint64
	DistinctKnown    bool // the clients of the whole window were counted or estimated
	DistinctExact    bool // counted from the top tables, not estimated

	// Fetched are the fleet sources' top tables over the window, asked
	// of their servers when the report is written (set by the caller):
	// rendered after the access logs' own.
	Fetched []Fetched

	Notes []string // what the rings no longer held, for the reader
	// NotCompared names the previous milestone the report is not compared
	// with: its window is from before the access log began (set by the caller)
	NotCompared string
	// NotComparedWhy says why (the default: before the access log's
	// first line).
	NotComparedWhy string
	// Unheld names the counted sources (VictoriaLogs streams) that do
	// not hold every second of the window: their totals are low.
	Unheld []string
}

// Summarize sums up window w from in's sources. now is the instant the
// rings are read at (a tick's at): retention is measured back from it.
// It takes a few milliseconds for an hour-long window.
func Summarize(in Inputs, w Window, now time.Time) *Summary {
	if in.TopN <= 0 {
		in.TopN = DefaultTopN
	}
	if in.MinTimed <= 0 {
		in.MinTimed = DefaultMinTimed
	}
	s := &Summary{Window: w, PerSecond: len(in.Access)+len(in.Counted) > 0}
	from, to := w.From.Unix(), w.To.Unix()
	if to <= from {
		return s
	}
	nsec := to - from
	nmin := (nsec + 59) / 60

	secs := make([]nginx.Bucket, 0)
	mins := make([]nginx.Bucket, nmin)
	var aggs []*nginx.Aggregator
	var first time.Time
	s.DistinctKnown = len(in.Access) > 0 // the earliest line any access log counted
	for _, a := range in.Access {
		kept := a.Seconds
		if kept <= 0 {
			kept = 24 * time.Hour
		}
		newest := a.Agg.Newest() // the ring holds (newest-kept, newest]
		if newest.IsZero() {
			newest = now
		}
		if w.From.Before(newest.Add(-kept + time.Second)) {
			s.PerSecond = false
		}
		if f := a.Agg.First(); !f.IsZero() && (first.IsZero() || f.Before(first)) {
			first = f
		}
		aggs = append(aggs, a.Agg)
		win := a.Agg.Window(w.From, w.To, 0)
		s.Partial = s.Partial || win.Partial
		s.Requests += uint64(win.Requests)
		s.Timed += uint64(win.Timed)
		s.S499 += uint64(win.S499)
		s.S5xx += uint64(win.S5xx())
		s.Slow += uint64(win.Slow)
		s.DistinctIPs += win.DistinctIPs // clients of two logs may overlap: an upper bound
		s.DistinctKnown = s.DistinctKnown && win.DistinctHeld
		for i := range mins {
			m := w.From.Add(time.Duration(i) * time.Minute)
			end := earlier(m.Add(time.Minute), w.To)
			mw := a.Agg.Window(m, end, 0)
			mins[i].Add(&mw.Bucket)
		}
		if s.PerSecond {
			if len(secs) == 0 {
				secs = make([]nginx.Bucket, nsec)
			}
			for i := range secs {
				t := w.From.Add(time.Duration(i) * time.Second)
				b, _ := a.Agg.Sum("", t, t.Add(time.Second))
				secs[i].Add(&b)
			}
		}
	}
	for _, c := range in.Counted {
		b, ok := c.Sum(w.From, w.To)
		if !ok {
			s.Notes = append(s.Notes, fmt.Sprintf("%s no longer holds every second of the window: its totals are low", c.Name))
			s.PerSecond = false
			s.Unheld = append(s.Unheld, c.Name)
		}
		s.Requests += uint64(b.Requests)
		s.Timed += uint64(b.Timed)
		s.S499 += uint64(b.S499)
		s.S5xx += uint64(b.S5xx())
		s.Slow += uint64(b.Slow)
		for i := range mins {
			m := w.From.Add(time.Duration(i) * time.Minute)
			mb, _ := c.Sum(m, earlier(m.Add(time.Minute), w.To))
			mins[i].Add(&mb)
		}
	}
	if len(in.Counted) > 0 {
		if s.PerSecond {
			if len(secs) == 0 {
				secs = make([]nginx.Bucket, nsec)
			}
			for _, c := range in.Counted {
				for i := range secs {
					t := w.From.Add(time.Duration(i) * time.Second)
					b, _ := c.Sum(t, t.Add(time.Second))
					secs[i].Add(&b)
				}
			}
		}
		// their clients are not counted: the distinct count is the logs'
		s.DistinctKnown = s.DistinctKnown && len(in.Access) > 0
	}
	// a log with nothing yet (a quiet vhost) or one that began later does
	// not make the window unknown: the earliest line across them does
	s.BeforeLog = len(in.Access) > 0 && (first.IsZero() || w.From.Before(first))
	if len(in.Access) > 0 {
		// one table over every log: a client of two logs counts once,
		// with the requests of both
		tt := nginx.Tops(aggs, w.From, w.To, in.TopN)
		s.TopsKnown = tt.TopsKnown || s.Requests == 0 // nothing to rank
		s.TopIPs, s.TopPaths, s.TopHosts = tops(tt.TopIPs), tops(tt.TopPaths), tops(tt.TopHosts)
		s.TopUpstreams = tops(tt.TopUpstreams)
		s.TopsFrom, s.TopsTo = tt.TopsFrom, tt.TopsTo
		// the tables' count of clients is the window's when they cover
		// its minutes only (not a whole hour around an old window)
		if tt.DistinctExact && tt.TopsKnown && !tt.TopsFrom.Before(w.From.Truncate(time.Minute)) && !tt.TopsTo.After(w.To.Add(59*time.Second).Truncate(time.Minute)) {
			s.DistinctIPs, s.DistinctExact, s.DistinctKnown = tt.TopDistinct, true, true
		}
	}

	minAt := func(i int) time.Time { return w.From.Add(time.Duration(i) * time.Minute) }
	for i := range mins {
		b := &mins[i]
		span := earlier(minAt(i+1), w.To).Sub(minAt(i)).Seconds()
		if b.Requests > 0 {
			if q := float64(b.Requests) / span; !s.PeakMinute.Valid || q > s.PeakMinute.Value {
				s.PeakMinute = Peak{At: minAt(i), Value: q, Valid: true}
			}
		}
		if int(b.Timed) >= in.MinTimed {
			if r := float64(b.Slow) / float64(b.Timed); !s.MaxSlowMinute.Valid || r > s.MaxSlowMinute.Value {
				s.MaxSlowMinute = Peak{At: minAt(i), Value: r, Valid: true}
			}
		}
		m := Minute{At: minAt(i), Requests: uint64(b.Requests), Timed: uint64(b.Timed),
			S499: uint64(b.S499), S5xx: uint64(b.S5xx()), Slow: uint64(b.Slow), Valid: b.Requests > 0}
		if m.Valid && (!s.Worst.Valid || m.Bad() > s.Worst.Bad()) {
			s.Worst = m
		}
	}
	if s.PerSecond {
		for i := range secs {
			if q := float64(secs[i].Requests); secs[i].Requests > 0 && (!s.PeakSecond.Valid || q > s.PeakSecond.Value) {
				s.PeakSecond = Peak{At: w.From.Add(time.Duration(i) * time.Second), Value: q, Valid: true}
			}
		}
		span := int(SlowSpan / time.Second)
		for i := 0; i < len(secs); i += span {
			var b nginx.Bucket
			for _, x := range secs[i:min(i+span, len(secs))] {
				b.Add(&x)
			}
			if int(b.Timed) >= in.MinTimed {
				if r := float64(b.Slow) / float64(b.Timed); !s.MaxSlow.Valid || r > s.MaxSlow.Value {
					s.MaxSlow = Peak{At: w.From.Add(time.Duration(i) * time.Second), Value: r, Valid: true}
				}
			}
		}
	} else if len(in.Access)+len(in.Counted) > 0 {
		s.Notes = append(s.Notes, "per-second counters no longer held: figures are summed per minute (peak second and 10 s slow ratio unknown)")
	}
	if s.Partial {
		s.Notes = append(s.Notes, "part of the window is older than the per-minute counters hold: totals are low")
	}
	if s.BeforeLog {
		s.Notes = append(s.Notes, "the window starts before the access log's first line counted: totals cover only the part after it")
	}
	s.NoTops = len(in.Access) == 0
	s.NoCounts = len(in.Access)+len(in.Counted) == 0
	switch {
	case len(in.Access) == 0:
	case !s.TopsKnown:
		s.Notes = append(s.Notes, "top talkers and distinct clients no longer held for this window")
	case !s.DistinctKnown:
		s.Notes = append(s.Notes, "distinct clients no longer held for this window")
	}

	s.DBKnown = true
	for _, a := range in.Apps {
		pat := a.Pattern
		if pat == "" {
			pat = "db"
		}
		n, ok := a.Watcher.Count(pat, w.From, w.To)
		if !ok {
			continue
		}
		s.HasDB = true
		kept := a.Seconds
		if kept <= 0 {
			kept = 24 * time.Hour
		}
		if w.From.Before(now.Add(-kept + time.Second)) {
			s.DBKnown = false
		}
		s.DBErrors += n
	}
	s.DBKnown = s.DBKnown && s.HasDB
	if s.HasDB && !s.DBKnown {
		s.Notes = append(s.Notes, "application-log counts no longer held for the whole window (raise its retention above a day to compare with yesterday)")
	}
	return s
}

func tops(items []nginx.TopItem) []Top {
	if items == nil {
		return nil
	}
	out := make([]Top, len(items))
	for i, it := range items {
		out[i] = Top(it)
	}
	return out
}

// SameOffsets is the previous milestone's window at the offsets w has from
// its own end: for comparing like with like, whatever prev's own windows.
func SameOffsets(w Window, prevStage string, prevEnd time.Time) Window {
	return Window{Event: w.Event, Stage: prevStage, End: prevEnd,
		From: prevEnd.Add(w.From.Sub(w.End)), To: prevEnd.Add(w.To.Sub(w.End))}
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
