package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// Parse health for `warroom check`: every configured log is opened and its
// last lines are read with the format the screen would use, so a format
// that reads nothing is found before the night, not during it.

// checkMaxFiles bounds the files check reads per source (a glob over a
// directory of rotated logs reads only the newest).
const checkMaxFiles = 8

// logFiles are the existing regular files a source's paths name, newest
// first, and a warning for each path that names none.
func logFiles(paths []string) (files []string, warnings []string) {
	type file struct {
		path string
		mod  time.Time
	}
	var found []file
	for _, p := range paths {
		names := []string{}
		if lit, ok := tail.Literal(p); ok {
			names = append(names, lit)
		} else {
			names, _ = filepath.Glob(p)
		}
		n := 0
		for _, name := range names {
			fi, err := os.Stat(name)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			found = append(found, file{name, fi.ModTime()})
			n++
		}
		if n == 0 {
			if _, ok := tail.Literal(p); ok {
				warnings = append(warnings, fmt.Sprintf("%s does not exist (yet): it is followed once it appears", sources.Sanitize(p)))
			} else {
				warnings = append(warnings, fmt.Sprintf("%s matches no file (yet)", sources.Sanitize(p)))
			}
		}
	}
	for i := 1; i < len(found); i++ { // newest first
		for j := i; j > 0 && found[j].mod.After(found[j-1].mod); j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
	for i, f := range found {
		if i == checkMaxFiles {
			break
		}
		files = append(files, f.path)
	}
	return files, warnings
}

// sampleOf reads the last lines of path and the line number of the first.
func sampleOf(path string) (sample [][]byte, first int64, err error) {
	sample, err = tail.LastLines(path, nginx.SampleLines, 8<<20)
	if err != nil || len(sample) == 0 {
		return sample, 0, err
	}
	n, err := countLines(path)
	if err != nil {
		return nil, 0, err
	}
	return sample, n - int64(len(sample)) + 1, nil
}

// countLines counts the whole lines of the file at path.
func countLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// checkAccessLog reports how the source's format reads its files' last
// lines. It returns the number of problems: a file read below
// nginx.FailPercent, or one no builtin format reads when none is given.
func checkAccessLog(s nginx.SourceConfig, p func(string, ...any)) (problems int) {
	if len(s.Command) > 0 {
		p("    lines: not read by check (a command's output; run it to see)\n")
		return 0
	}
	files, warnings := logFiles(s.Paths)
	for _, w := range warnings {
		p("    warning: %s\n", w)
	}
	for _, path := range files {
		sample, first, err := sampleOf(path)
		name := sources.Sanitize(path)
		switch {
		case err != nil:
			p("    %s: unreadable: %s\n", name, sources.Sanitize(err.Error()))
			problems++
			continue
		case len(sample) == 0:
			p("    %s: no lines yet\n", name)
			continue
		}
		f := s.CompiledFormat()
		if f == nil {
			d := nginx.Detect(sample)
			var fits bool
			f, fits = d.Use()
			switch {
			case !fits:
				// the screen reads with the closest: judge that
				p("    %s: no built-in format reads these lines; the closest is %s (paste your log_format)\n", name, f.Name)
			case d.Format == nil:
				p("    %s: format %s (detected: the closest; some lines it does not read)\n", name, f.Name)
			case d.Partial:
				p("    %s: format %s (detected), but it does not read the lines to their end: paste your log_format to read the rest\n", name, f.Name)
			default:
				p("    %s: format %s (detected)\n", name, f.Name)
			}
			if fits {
				for _, w := range nginx.FormatWarnings(f, s.Client, s.Start) {
					p("    warning: %s\n", w)
				}
			}
		}
		problems += reportTrial(name, nginx.TryFormat(f, sample), first, p)
	}
	return problems
}

// reportTrial prints a trial's parse rate, naming the first line it could
// not read by its line number in the file, and judges it.
func reportTrial(name string, t nginx.Trial, first int64, p func(string, ...any)) int {
	pct := t.Percent()
	p("    %s: the last %d lines: %d read (%.1f%%)\n", name, t.Lines, t.OK, pct)
	if t.Bad != nil {
		p("      first unread: line %d %s: %s\n", first+int64(t.Bad.Index), sources.Sanitize(t.Bad.String()), sources.Sanitize(t.Bad.Line))
	}
	if t.Rest != nil && t.Whole < t.OK {
		p("      %d lines read in part: line %d %s\n", t.OK-t.Whole, first+int64(t.Rest.Index), sources.Sanitize(t.Rest.String()))
	}
	switch {
	case pct < nginx.FailPercent:
		p("      problem: under %d%% of lines read: does the format match the log?\n", nginx.FailPercent)
		return 1
	case pct < nginx.WarnPercent:
		p("      warning: under %d%% of lines read\n", nginx.WarnPercent)
	}
	return 0
}

// checkAppLog reports which of an app log's last lines carry a time the
// watcher reads, and times far ahead of the clock: a log written in
// another zone than the one its stamp-less times are read in.
func checkAppLog(s applog.SourceConfig, now time.Time, p func(string, ...any)) {
	if len(s.Command) > 0 {
		p("    lines: not read by check (a command's output; run it to see)\n")
		return
	}
	src, err := applog.NewSource(s, func() time.Time { return now })
	if err != nil {
		p("    warning: %s\n", sources.Sanitize(err.Error()))
		return
	}
	files, warnings := logFiles(s.Paths)
	for _, w := range warnings {
		p("    warning: %s\n", w)
	}
	for _, path := range files {
		name := sources.Sanitize(path)
		sample, first, err := sampleOf(path)
		if err != nil {
			p("    %s: unreadable: %s\n", name, sources.Sanitize(err.Error()))
			continue
		}
		stamped, ahead := 0, 0
		var most time.Duration
		firstAhead := int64(-1)
		for i, line := range sample {
			t, ok := src.Watcher().LineTime(line)
			if !ok {
				continue
			}
			stamped++
			if d := t.Sub(now); d > 30*time.Minute {
				ahead++
				most = max(most, d)
				if firstAhead < 0 {
					firstAhead = first + int64(i)
				}
			}
		}
		p("    %s: the last %d lines: %d carry a time\n", name, len(sample), stamped)
		if stamped == 0 && len(sample) > 0 {
			p("      warning: no line carries a time warroom reads: lines are counted when they are read\n")
		}
		if ahead > 0 {
			p("      warning: %d %s stamped up to %s ahead of the clock (first: line %d): a time-zone mismatch? set time_zone to the zone the log is written in\n",
				ahead, plural(ahead, "line is", "lines are"), strings.TrimSuffix(most.Round(time.Minute).String(), "0s"), firstAhead)
		}
	}
}
