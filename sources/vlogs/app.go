package vlogs

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/collect"
)

// LinesSpan is how far back an app stream's latest lines are looked for.
const LinesSpan = time.Hour

// App is an app stream: application or error lines, counted per pattern
// and pack by VictoriaLogs, with the latest of them to show.
type App struct {
	base
	patterns []pattern
	packs    []string
	// colOf is each indicator's ring column: the query counts the
	// patterns (p0...), then the packs (k0...); the indicators list the
	// packs first, as an app log's do
	colOf []int
	lines linesState
}

type linesState struct {
	mu      sync.Mutex
	lines   []sources.LogLine   // oldest first
	rows    []map[string]string // what they were folded from, newest first
	tailing bool                // the live tail is connected (apptail.go)
	queried bool                // a query answered since it connected
	tailErr string              // why the tail is down; "" when it is not
	asked   bool                // LogView was called: a screen shows the lines
}

// linesWanted says a screen has asked for the lines.
func (a *App) linesWanted() bool {
	a.lines.mu.Lock()
	defer a.lines.mu.Unlock()
	return a.lines.asked
}

func newApp(cfg StreamConfig, srv *server, o Options, specs []collect.IndicatorSpec) (*App, error) {
	ps, err := compilePatterns(cfg.Packs, cfg.Patterns)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ps)+len(cfg.Packs))
	for i := range ps {
		names = append(names, "p"+strconv.Itoa(i))
	}
	for k := range cfg.Packs {
		names = append(names, "k"+strconv.Itoa(k))
	}
	a := &App{base: newBase(cfg, srv, o, specs, patternsQuery(cfg.Filter, ps, cfg.Packs), names), patterns: ps, packs: cfg.Packs}
	a.base.detail, a.base.wanted = a.fetchLines, a.linesWanted
	for k := range cfg.Packs {
		a.colOf = append(a.colOf, len(ps)+k)
	}
	for i := range ps {
		a.colOf = append(a.colOf, i)
	}
	return a, nil
}

// Run polls, and tails the latest lines, until ctx ends.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { a.tailLoop(ctx) })
	err := a.loop(ctx)
	wg.Wait()
	return err
}

// Values are the counts over the minute before t.End (or before the end
// of what is held). An error log is silent when all is well: no line is
// a count of 0, true as long as the answers are.
func (a *App) Values(t collect.TickInfo) []sources.Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	h, msg := a.healthLocked(t.At)
	if t.RunErr != "" {
		h, msg = sources.HealthError, sources.Sanitize(t.RunErr)
	}
	end := a.heldEnd(t)
	sum := make([]uint64, a.width)
	a.ring.sum(end-60, end, 0, sum)
	out := make([]sources.Value, len(a.specs))
	for i, sp := range a.specs {
		v := sources.Value{Name: sp.Name, Unit: sp.Unit, Value: math.NaN(), Health: h, Err: msg}
		if h == sources.HealthOK || h == sources.HealthStale {
			v.Value, v.At = float64(sum[a.colOf[i]]), time.Unix(end, 0)
		}
		out[i] = v
	}
	return out
}

// Series is matches per minute of indicator i over [q.From, q.End) at
// q.Step, over the seconds held of each step.
func (a *App) Series(i int, q collect.SeriesQuery) sources.Series {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.series(a.colOf[i], q.From, q.End, q.Step)
	s.Name = a.specs[i].Title
	return s
}

// series is column col per minute; a.mu is held.
func (a *App) series(col int, from, to time.Time, step time.Duration) sources.Series {
	st := max(int64(step/time.Second), 1)
	f := from.Unix()
	f -= f % st
	t := to.Unix()
	s := sources.Series{Unit: sources.UnitCount}
	sum := make([]uint64, a.width)
	for x := f; x < t; x += st {
		end := min(x+st, t)
		if end < x+st && 2*(end-x) < st && x > f {
			break
		}
		clear(sum)
		held := a.ring.sum(x, end, 0, sum)
		v := math.NaN()
		if held > 0 {
			v = float64(sum[col]) * 60 / float64(held)
		}
		s.Points = append(s.Points, sources.Point{At: time.Unix(x, 0), V: v})
	}
	return s
}

// Shifted reads what the ring holds of an earlier span, or what was
// fetched for it.
func (a *App) Shifted(i int, q collect.ShiftedQuery) sources.Series {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.holds(q) {
		return a.series(a.colOf[i], q.From, q.End, q.Step)
	}
	if o, ok := a.over.fits(q); ok {
		return o.app(a.colOf[i], q)
	}
	return sources.Series{}
}

// FetchShifted fetches an earlier span the ring does not hold.
func (a *App) FetchShifted(_ int, q collect.ShiftedQuery) { a.fetchShifted(q) }

// LogView is the latest matching lines and each pattern's and pack's
// count over the minute before end.
func (a *App) LogView(end time.Time) sources.LogView {
	a.lines.mu.Lock()
	a.lines.asked = true
	v := sources.LogView{Source: a.cfg.Name, Lines: append([]sources.LogLine(nil), a.lines.lines...)}
	a.lines.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	e := min(end.Unix(), a.knownEnd)
	sum := make([]uint64, a.width)
	a.ring.sum(e-60, e, 0, sum)
	// totals and last times are over the seconds held (a day), not the
	// whole run as an app log's
	count := func(col int, name string) sources.PatternCount {
		pc := sources.PatternCount{Name: name, PerMin: float64(sum[col]), Total: a.ring.total[col], Indicator: a.cfg.Name + "." + name}
		if l := a.ring.last[col]; l != noSecond {
			pc.LastAt = time.Unix(l, 0)
		}
		return pc
	}
	for i, p := range a.patterns {
		pc := count(i, p.name)
		pc.Group = p.pack
		v.Patterns = append(v.Patterns, pc)
	}
	for k, pk := range a.packs {
		pc := count(len(a.patterns)+k, pk)
		pc.Pack = true
		v.Patterns = append(v.Patterns, pc)
	}
	return v
}

// fetchLines asks for the latest matching lines of the last LinesSpan,
// unless the live tail hands them on (and a query answered since it
// connected).
func (a *App) fetchLines(ctx context.Context) {
	a.lines.mu.Lock()
	tailed := a.lines.tailing && a.lines.queried
	a.lines.mu.Unlock()
	if tailed {
		return
	}
	end := a.o.Now().Unix()
	rows, err := a.rows(ctx, linesQuery(a.cfg.Filter, a.patterns, a.rowsKept()), end-int64(LinesSpan/time.Second), end)
	if err == errCanceled {
		return
	}
	if err == nil {
		a.addRows(rows, true)
	}
	a.setDetail("lines", err)
	if note := a.tailNote(); err == nil && note != "" {
		a.mu.Lock()
		a.detailErr = note
		a.mu.Unlock()
	}
}

// maxLine is the most of a line shown, in characters.
const maxLine = 400

// rowsKept is how many of the latest matching lines are read and kept
// to fold into the Keep lines shown: a flood of one error is one line
// with its count, and the other errors of the hour stay in sight.
func (a *App) rowsKept() int { return min(max(20*a.cfg.Keep, 200), 2000) }

// foldLines turns rows (newest first) into at most Keep lines, in the
// order last seen (oldest first): each sanitized, prefixed with its host,
// its patterns named; lines that read alike once every word holding a
// digit is set aside (the app log's fold: ids, addresses, times) fold,
// host by host, into the latest of them, with a count.
func (a *App) foldLines(rows []map[string]string) []sources.LogLine {
	out := make([]sources.LogLine, 0, len(rows))
	index := map[string]int{} // fold key → index in out
	var keys []string
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		at, _ := time.Parse(time.RFC3339Nano, r["_time"])
		msg := r["_msg"]
		var names []string
		for _, p := range a.patterns {
			if _, _, ok := p.find(msg); ok {
				names = append(names, p.name)
			}
		}
		text := sources.Sanitize(msg)
		if utf8.RuneCountInString(text) > maxLine {
			text = string([]rune(text)[:maxLine-1]) + "…"
		}
		host := ""
		if h := r[a.cfg.Fields.Host]; h != "" {
			host = sources.Sanitize(h) + " "
		}
		// the host leads, kept in sight however narrow the pane: it is
		// what the line says that one machine's log would not
		line := sources.LogLine{At: at, Pattern: strings.Join(names, ","), Text: host + text, Count: 1}
		for _, p := range a.patterns {
			if from, to, ok := p.find(text); ok {
				line.KeyFrom, line.KeyTo = len(host)+from, len(host)+to
				break
			}
		}
		line.Lead, line.Msg = len(host), len(host)
		// per host: a flood on four machines is four lines, each with its
		// count, not one credited to the latest machine
		key := host + "\x00" + applog.FoldKey(text)
		if j, ok := index[key]; ok {
			// seen before: the latest entry, moved to the end
			line.Count += out[j].Count
			out = append(out[:j], out[j+1:]...)
			keys = append(keys[:j], keys[j+1:]...)
			for k := j; k < len(keys); k++ {
				index[keys[k]] = k
			}
		}
		index[key] = len(out)
		out, keys = append(out, line), append(keys, key)
	}
	if n := len(out) - a.cfg.Keep; n > 0 {
		out = out[n:] // the least recently seen go
	}
	return out
}

// Count is the lines of a pack or pattern (by name: "db") over [from,
// to), for a milestone report as an app log's; ok false for a name the
// stream does not count, or when it does not hold every second of the
// span (its count would be low).
func (a *App) Count(name string, from, to time.Time) (uint64, bool) {
	col := -1
	for i, p := range a.patterns {
		if p.name == name {
			col = i
		}
	}
	for k, pk := range a.packs {
		if pk == name {
			col = len(a.patterns) + k
		}
	}
	if col < 0 {
		return 0, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var sum [1]uint64
	held := a.ring.sum(from.Unix(), to.Unix(), col, sum[:])
	return sum[0], held == to.Unix()-from.Unix()
}
