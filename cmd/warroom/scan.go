package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/nginx"
	"warroom/sources/tail"
	"warroom/sources/units"
)

const scanAbout = `Summarize nginx access logs (plain or gzip) without a terminal UI: totals,
statuses, 499 and 5xx ratios, slow ratio in ‱, latency quantiles, top IPs and
paths, peak second and minute, malformed lines by reason. Streams: memory
does not grow with the file. A plain file is cut into parts counted on
--jobs cores at once and merged in order: the same summary whatever --jobs.`

type scanOpts struct {
	format     string
	formatNote string // which format was used, and how it was chosen
	formatFits bool   // false: no builtin read the first lines; the closest was used
	slow       time.Duration
	top        int
	from, to   string
	json       bool
	client     string
	follow     bool
	interval   time.Duration
	start      string
	timeZone   string
	zone       *time.Location // every time written is in it, labelled
	jobs       int            // parts of files counted at once
}

func runScan(args []string, stdout, stderr io.Writer) int {
	var o scanOpts
	args, stop, ok := profiled(args, stderr, "warroom scan")
	if !ok {
		return exitUsage
	}
	defer stop()
	fs := newFlags("scan", "[flags] FILE...", scanAbout, stderr)
	fs.StringVar(&o.format, "format", "auto", "log format: auto (detected from the first lines), combined, main, timed, upstreaminfo, a log_format statement or a format string")
	fs.DurationVar(&o.slow, "slow", time.Second, "a request is slow when $request_time is above this")
	fs.IntVar(&o.top, "top", 10, "how many IPs and paths to list")
	fs.StringVar(&o.from, "from", "", "count only lines at or after this time (RFC 3339, or '2006-01-02 15:04[:05]' in --time-zone)")
	fs.StringVar(&o.to, "to", "", "count only lines before this time")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a report")
	fs.StringVar(&o.client, "client", "remote_addr", "client identity: remote_addr, x_forwarded_for (first hop) or x_real_ip")
	fs.BoolVar(&o.follow, "follow", false, "follow the files through rotation and print one summary per --interval (until interrupted)")
	fs.BoolVar(&o.follow, "f", false, "short for --follow")
	fs.DurationVar(&o.interval, "interval", time.Second, "with --follow: how often to print")
	fs.StringVar(&o.start, "start", "end", "with --follow: where to start: end, beginning, or a duration like 30m")
	fs.IntVar(&o.jobs, "jobs", runtime.GOMAXPROCS(0), "how many parts of the files to count at once (one a core); the summary is the same whatever it is")
	fs.StringVar(&o.timeZone, "time-zone", "", "IANA zone (e.g. Asia/Shanghai) to write times in and to read --from/--to in; default this machine's")
	files, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "warroom scan: no files given (try: warroom scan /var/log/nginx/access.log)")
		return exitUsage
	}
	o.zone = time.Local
	if o.timeZone != "" {
		z, err := time.LoadLocation(o.timeZone)
		if err != nil {
			fmt.Fprintf(stderr, "warroom scan: --time-zone: unknown time zone %q (want an IANA name like Asia/Shanghai)\n", sources.Sanitize(o.timeZone))
			return exitUsage
		}
		o.zone = z
	}
	cfg := nginx.DefaultSourceConfig
	cfg.Format, cfg.Client = o.format, o.client
	cfg.Slow = modelDuration(o.slow)
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "warroom scan: %v\n", err)
		return exitUsage
	}
	if o.follow {
		if o.interval < 100*time.Millisecond {
			fmt.Fprintln(stderr, "warroom scan: --interval must be at least 100ms")
			return exitUsage
		}
		cfg.Paths, cfg.Start = files, o.start
		if err := cfg.Validate(); err != nil {
			fmt.Fprintf(stderr, "warroom scan: %v\n", err)
			return exitUsage
		}
		return runFollow(followContext(), cfg, followOpts{interval: o.interval, zone: o.zone, json: o.json}, stdout, stderr)
	}
	opts := cfg.AggregatorOptions()
	// scan needs whole-run totals, not history: small rings keep RSS flat,
	// and peaks are kept as slots are reused.
	opts.Seconds, opts.Minutes, opts.DetailMinutes = 600, 120, 1
	opts.NoDetail = true // per-minute top-K sketches cost ~11% of a scan and it never reads them
	var err error
	if opts.From, err = parseWhen(o.from, o.zone); err != nil {
		fmt.Fprintf(stderr, "warroom scan: --from: %v\n", err)
		return exitUsage
	}
	if opts.To, err = parseWhen(o.to, o.zone); err != nil {
		fmt.Fprintf(stderr, "warroom scan: --to: %v\n", err)
		return exitUsage
	}
	if opts.From != 0 && opts.To != 0 && opts.From >= opts.To {
		fmt.Fprintf(stderr, "warroom scan: --from %s is not before --to %s: no line could be counted\n", o.from, o.to)
		return exitUsage
	}
	if o.top < 0 || o.top > 10000 {
		fmt.Fprintln(stderr, "warroom scan: --top must be between 0 and 10000")
		return exitUsage
	}
	if o.jobs < 1 || o.jobs > 4096 {
		fmt.Fprintln(stderr, "warroom scan: --jobs must be between 1 and 4096")
		return exitUsage
	}
	// Logs scanned are usually from the past, or from a test night
	// generated ahead of the calendar; a line stamped more than a year
	// ahead of this machine's clock (year 9999, a $msec with a digit too
	// many) is corrupt, and counting it would stretch every span.
	// One clock for the whole scan, so that every part judges a line the
	// same (and a format without times counts its lines at this second).
	now := time.Now()
	opts.Now, opts.MaxSkew = func() time.Time { return now }, scanMaxAhead
	if opts.Format == nil {
		// zero config: the format is the builtin that reads the first
		// file's first lines
		sample, err := tail.FirstLines(files[0], nginx.SampleLines, 4<<20)
		if err != nil {
			fmt.Fprintf(stderr, "warroom scan: %v\n", err)
			return exitUsage
		}
		d := nginx.Detect(sample)
		f, fits := d.Use() // with none that fits, the closest: its reasons show what does not
		if f == nil {
			f, fits = nginx.MustBuiltin("combined"), true // an empty file
		}
		opts.Format = f
		o.formatNote, o.formatFits = sources.Sanitize(d.String()), fits
	} else {
		o.formatNote, o.formatFits = "format "+cmp.Or(opts.Format.Name, "as given"), true
	}
	agg, err := scanParts(planParts(files, scanPartSize), opts, o.jobs)
	if err != nil {
		fmt.Fprintf(stderr, "warroom scan: %s\n", sources.Sanitize(err.Error())) // names a file, maybe a glob's
		return exitUsage
	}
	sum := agg.Summary(o.top)
	code = exitOK
	if sum.Requests == 0 && sum.BadLines > 0 {
		// nothing counted, and not for want of lines: the usual cause is
		// a format that does not match the log
		var reason nginx.Malformed
		for _, m := range sum.Malformed {
			if m.Reason != "empty" && m.Count > reason.Count { // blank lines are not counted as malformed
				reason = m
			}
		}
		fmt.Fprintf(stderr, "warroom scan: no line could be counted: %d malformed, most %s; does --format match the log? (%s)\n", sum.BadLines, reason.Reason, o.formatNote)
		code = exitProblem
	} else if bad, lines := sum.BadLines, sum.Lines-blank(&sum); bad*2 > lines {
		// the numbers describe a minority of the log: not a summary of it
		fmt.Fprintf(stderr, "warroom scan: %d of %d lines are malformed (over half): the figures cover only the rest; does --format match the log? (%s)\n", bad, lines, o.formatNote)
		code = exitProblem
	}
	if n := agg.Partial(); n > 0 && code == exitOK {
		// the format ends before these lines do: what follows is not read
		fmt.Fprintf(stderr, "warroom scan: %d of %d lines read in part: the format ends before the line does (%s); paste your log_format to read the rest\n",
			n, sum.Lines-blank(&sum), o.formatNote)
	}
	if o.json {
		// keys are exact, with controls and format characters as \u escapes
		j := scanJSON(&sum, o.zone)
		j["format"], j["format_note"], j["format_fits"] = agg.Format().Name, o.formatNote, o.formatFits
		j["partial"] = agg.Partial()
		if j["format"] == "" {
			j["format"] = "custom"
		}
		if err := sources.EncodeJSON(stdout, j, "  "); err != nil {
			fmt.Fprintf(stderr, "warroom scan: %v\n", err)
			return exitProblem
		}
		return code
	}
	printReport(stdout, files, &sum, o.formatNote, o.zone)
	return code
}

// blank is how many lines were blank (not malformed, not counted).
func blank(s *nginx.Summary) uint64 {
	for _, m := range s.Malformed {
		if m.Reason == "empty" {
			return m.Count
		}
	}
	return 0
}

// scanMaxAhead is how far ahead of the clock a scanned line may be stamped.
const scanMaxAhead = 366 * 24 * time.Hour

// profiled starts a CPU profile when args hold the hidden --cpuprofile
// FILE, and returns the other args and what stops it; ok is false when
// the file cannot be written (said on stderr after who).
func profiled(args []string, stderr io.Writer, who string) (rest []string, stop func(), ok bool) {
	rest, prof := cutProfileFlag(args)
	if prof == "" {
		return rest, func() {}, true
	}
	f, err := os.Create(prof)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", who, err)
		return nil, nil, false
	}
	return rest, func() { pprof.StopCPUProfile(); f.Close() }, true
}

// cutProfileFlag removes the hidden --cpuprofile FILE (or =FILE) flag, for
// measuring scan; it is left out of --help on purpose.
func cutProfileFlag(args []string) ([]string, string) {
	out := args[:0:0]
	prof := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--cpuprofile" || a == "-cpuprofile":
			if i+1 < len(args) {
				prof = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--cpuprofile="), strings.HasPrefix(a, "-cpuprofile="):
			prof = a[strings.IndexByte(a, '=')+1:]
		default:
			out = append(out, a)
		}
	}
	return out, prof
}

// parseWhen reads a --from/--to time: RFC 3339, or a date and time
// without an offset in zone.
func parseWhen(s string, zone *time.Location) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, fmt.Errorf("cannot read %q as a time (want RFC 3339 like 2026-12-31T23:55:00+08:00, or '2026-12-31 23:55')", s)
}

type jsonKeyCount struct {
	Key   string `json:"key"`
	Count uint64 `json:"count"`
	S499  uint64 `json:"499"`
	Slow  uint64 `json:"slow"`
}

type jsonPeak struct {
	At    *time.Time `json:"at"`
	Value float64    `json:"value"`
}

// scanJSON is the summary for scripts: raw numbers, and times as RFC 3339
// with zone's offset.
func scanJSON(s *nginx.Summary, zone *time.Location) map[string]any {
	status := map[string]uint64{}
	for code, n := range s.Status {
		status[strconv.Itoa(code)] = n
	}
	malformed := map[string]uint64{}
	for _, m := range s.Malformed {
		malformed[m.Reason] = m.Count
	}
	keys := func(items []nginx.TopItem) []jsonKeyCount {
		out := make([]jsonKeyCount, 0, len(items))
		for _, it := range items {
			out = append(out, jsonKeyCount{Key: it.Key, Count: it.Count, S499: it.S499, Slow: it.Slow})
		}
		return out
	}
	peak := func(p nginx.Peak) jsonPeak {
		if p.At.IsZero() {
			return jsonPeak{}
		}
		at := p.At.In(zone)
		return jsonPeak{At: &at, Value: p.Value}
	}
	opt := func(v float64) any {
		if v < 0 {
			return nil
		}
		return v
	}
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.In(zone).Format(time.RFC3339)
	}
	return map[string]any{
		"lines":        s.Lines,
		"requests":     s.Requests,
		"malformed":    s.BadLines,
		"malformed_by": malformed,
		"filtered":     s.Filtered,
		"status":       status,
		"499":          s.S499,
		"5xx":          s.Class[5],
		"ratio_499":    opt(s.Ratio499()),
		"ratio_5xx":    opt(s.Ratio5xx()),
		"slow":         s.Totals.Bucket.Slow,
		"slow_seconds": s.SlowAbove.Seconds(),
		"slow_ratio":   opt(s.SlowRatio()),
		"latency":      map[string]any{"p50": opt(s.P50), "p95": opt(s.P95), "p99": opt(s.P99)},
		"bytes":        s.Bytes,
		"no_upstream":  s.NoUpstream,
		"distinct_ips": s.DistinctIPs,
		"top_ips":      keys(s.TopIPs),
		"top_paths":    keys(s.TopPaths),
		"top_exact":    s.TopExact,
		"peak_qps":     peak(s.PeakSecond),
		"peak_minute":  peak(s.PeakMinute),
		"first":        ts(s.First),
		"last":         ts(s.Last),
	}
}

// printReport writes the summary for a person: times in zone, each
// labelled; rates, ratios and latencies as the screen writes them; counts
// exact.
func printReport(w io.Writer, files []string, s *nginx.Summary, formatNote string, zone *time.Location) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = sources.Sanitize(f)
	}
	p("warroom scan: %s\n", strings.Join(names, ", "))
	p("  %s\n\n", sources.Sanitize(formatNote))
	p("  lines      %s   requests %s   malformed %s (%s)\n", grouped(s.Lines), grouped(uint64(s.Requests)), grouped(s.BadLines), pct(float64(s.BadLines), float64(s.Lines)))
	if s.Filtered > 0 {
		p("  outside --from/--to: %s\n", grouped(s.Filtered))
	}
	if !s.First.IsZero() {
		first, last := s.First.In(zone), s.Last.In(zone)
		to := units.DateClock(last)
		if y, m, d := first.Date(); last.Day() == d && last.Month() == m && last.Year() == y {
			to = units.Clock(last) // the same day: the date once is enough
		}
		p("  span       %s → %s (%s)\n", units.Stamp(first), to, s.Last.Sub(s.First))
		p("  peak       second %s at %s\n", units.Format(s.PeakSecond.Value, sources.UnitPerSecond), units.DateClock(s.PeakSecond.At.In(zone)))
		p("             minute %s at %s\n", units.Format(s.PeakMinute.Value, sources.UnitPerSecond), units.Minute(s.PeakMinute.At.In(zone)))
	}
	p("\nstatus\n")
	codes := make([]int, 0, len(s.Status))
	for c := range s.Status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		p("  %d %12s  %7s\n", c, grouped(s.Status[c]), pct(float64(s.Status[c]), float64(s.Requests)))
	}
	p("\n  499 (client gave up) %s = %s (%s)\n", grouped(uint64(s.S499)), permyriad(s.Ratio499()), pct(float64(s.S499), float64(s.Requests)))
	p("  5xx                  %s = %s (%s)\n", grouped(uint64(s.Class[5])), permyriad(s.Ratio5xx()), pct(float64(s.Class[5]), float64(s.Requests)))
	if s.HasTimes {
		p("  slow (> %s)          %s = %s (%s)\n", s.SlowAbove, grouped(uint64(s.Totals.Bucket.Slow)), permyriad(s.SlowRatio()), pct(float64(s.Totals.Bucket.Slow), float64(s.Timed)))
		p("  latency              p50 %s  p95 %s  p99 %s\n", secs(s.P50), secs(s.P95), secs(s.P99))
	} else {
		p("  slow / latency       not in this log format (add $request_time)\n")
	}
	p("  distinct IPs         ~%s\n", grouped(s.DistinctIPs))
	top := func(title string, items []nginx.TopItem) {
		if len(items) == 0 {
			return
		}
		p("\n%-44s %10s %7s %7s\n", title, "requests", "499", "slow")
		for _, it := range items {
			p("  %-42s %10s %7s %7s\n", cut(sources.Sanitize(it.Key), 42), grouped(it.Count), grouped(it.S499), grouped(it.Slow))
		}
	}
	exact := ""
	if !s.TopExact {
		exact = " (approximate)"
	}
	top("top IPs"+exact, s.TopIPs)
	top("top paths"+exact, s.TopPaths)
	if len(s.Malformed) > 0 {
		p("\nmalformed lines by reason\n")
		for _, m := range s.Malformed {
			p("  %-12s %s\n", m.Reason, grouped(m.Count))
			for _, smp := range m.Samples {
				p("      line %d: %s\n", smp.Line, cut(sources.Sanitize(smp.Text), 100))
			}
		}
	}
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func grouped(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func pct(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*a/b, 'f', 2, 64) + "%"
}

// permyriad is a ratio as the screen writes it (12‱); an undefined one
// (no requests) is a dash.
func permyriad(r float64) string {
	if r < 0 {
		return "–"
	}
	return units.Format(r, sources.UnitRatio)
}

// secs is a latency as the screen writes it (250ms).
func secs(v float64) string {
	if v < 0 {
		return "–"
	}
	return units.Format(v, sources.UnitSeconds)
}
