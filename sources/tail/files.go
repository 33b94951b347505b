package tail

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// eventGap is the least time between checks prompted by filesystem events.
// While it runs the watcher's events are not received, so the kernel folds a
// busy file's repeated modify events into one instead of waking Run for each
// write.
const eventGap = 20 * time.Millisecond

// quietPoll is how often files are checked while the watcher sees every
// change that matters: each file open in a local directory that is
// watched, nothing rotated away still being drained, no pattern waiting
// for a match, no error. Rotations and writes then arrive as events (within
// eventGap); the poll is only a safety net, and an idle screen is not woken
// Poll times a second per file for nothing.
const quietPoll = 2 * time.Second

// fileSet is the state of runFiles: the followed paths and what watches them.
type fileSet struct {
	f       *Follower
	r       *reader
	tails   []*fileTail
	byPath  map[string]*fileTail
	nomatch []string // patterns matching nothing at the last scan
	watcher *fsnotify.Watcher
	watched map[string]bool // directories added to watcher; false: local or not, not trusted
	blind   bool            // some path's changes may not reach the watcher (see quiet)
}

func (f *Follower) runFiles(ctx context.Context, emit func(Batch)) error {
	o := f.opts
	s := &fileSet{
		f: f,
		r: &reader{
			opts:       o,
			buf:        make([]byte, o.BufferBytes+1),
			scratch:    make([]byte, fingerprintBytes),
			emit:       emit,
			graceTicks: max(1, int((o.RotateGrace+o.Poll-1)/o.Poll)),
		},
		byPath:  map[string]*fileTail{},
		watched: map[string]bool{},
	}
	defer s.close()

	var events <-chan fsnotify.Event
	var watchErrs <-chan error
	if !o.NoNotify {
		// Without a watcher, polling alone still finds everything.
		if w, err := fsnotify.NewWatcher(); err == nil {
			s.watcher = w
			events, watchErrs = w.Events, w.Errors
		}
	}
	period := o.Poll
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	gap := time.NewTimer(time.Hour)
	gap.Stop()

	s.scan(true)
	more := s.checkAll(true)
	for {
		if more {
			if ctx.Err() != nil {
				return nil
			}
			more = s.checkAll(false)
			continue
		}
		rescan, tick := false, false
		select {
		case <-ctx.Done():
			// one last look: lines written before the stop that no event
			// has woken Run for yet are still delivered (scan -f prints
			// them in its last interval)
			s.checkAll(false)
			return nil
		case ev := <-events:
			rescan = ev.Has(fsnotify.Create) || ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove)
			events = nil
			gap.Reset(eventGap)
		case <-gap.C:
			events = s.watcher.Events
			continue
		case <-watchErrs:
			// An overflowed queue lost events: look at everything.
			rescan = true
		case <-ticker.C:
			rescan, tick = true, true
		}
		if rescan {
			s.scan(false)
		}
		more = s.checkAll(tick)
		if p := s.period(); p != period {
			period = p
			ticker.Reset(p)
		}
	}
}

// period is the poll interval for the current state: Poll, or quietPoll
// while the watcher can be trusted to report whatever happens (rotation is
// then still noticed within eventGap).
func (s *fileSet) period() time.Duration {
	o := s.f.opts
	if s.watcher == nil || s.blind || len(s.nomatch) > 0 || o.Poll >= quietPoll {
		return o.Poll
	}
	for _, t := range s.tails {
		if t.cur == nil || len(t.old) > 0 || t.missing || t.st.Err != "" || t.refused != nil {
			return o.Poll
		}
	}
	return quietPoll
}

// scan matches the configured paths, adding new files and watches.
func (s *fileSet) scan(initial bool) {
	s.nomatch = s.nomatch[:0]
	s.blind = false
	for _, p := range s.f.opts.Paths {
		if lit, ok := Literal(p); ok {
			p = lit
			s.add(p, false, initial)
			s.watchDir(filepath.Dir(p))
			if target, err := filepath.EvalSymlinks(p); err == nil && target != p {
				// a chain of links may pass through directories not watched
				s.watchDir(filepath.Dir(target))
				s.blind = true
			}
			continue
		}
		if dir := filepath.Dir(p); !hasMeta(dir) {
			s.watchDir(dir)
		} else {
			s.blind = true // new directories are found by polling only
		}
		matches, _ := filepath.Glob(p) // the pattern was validated in New
		found := false
		for _, m := range matches {
			found = true
			s.add(m, true, initial)
		}
		if !found {
			s.nomatch = append(s.nomatch, p)
		}
	}
}

func (s *fileSet) add(path string, glob, initial bool) {
	if _, ok := s.byPath[path]; ok {
		return
	}
	t := newFileTail(path, glob, initial)
	s.byPath[path] = t
	s.tails = append(s.tails, t)
}

func (s *fileSet) watchDir(dir string) {
	if s.watcher == nil {
		return
	}
	trusted, ok := s.watched[dir]
	if !ok {
		if err := s.watcher.Add(dir); err != nil {
			// A directory that does not exist yet is tried again at the
			// next scan.
			s.blind = true
			return
		}
		trusted = notifySeesAll(dir)
		s.watched[dir] = trusted
	}
	if !trusted {
		s.blind = true
	}
}

// checkAll checks every file once and publishes the status. It reports
// whether some file has more to read at once.
func (s *fileSet) checkAll(tick bool) (more bool) {
	s.r.now = s.f.opts.Now()
	kept := s.tails[:0]
	for _, t := range s.tails {
		if t.check(s.r, tick) {
			more = true
		}
		if t.gone() {
			delete(s.byPath, t.path)
			continue
		}
		kept = append(kept, t)
	}
	clear(s.tails[len(kept):])
	s.tails = kept
	s.f.publish(func(st []FileStatus) []FileStatus {
		for _, t := range s.tails {
			st = append(st, t.status())
		}
		for _, p := range s.nomatch {
			st = append(st, FileStatus{Path: p, Err: fmt.Sprintf("tail: %s: no file matches", p)})
		}
		return st
	})
	return more
}

func (s *fileSet) close() {
	if s.watcher != nil {
		s.watcher.Close()
	}
	for _, t := range s.tails {
		t.close()
	}
}

func hasMeta(p string) bool {
	return strings.ContainsAny(p, `*?[\`)
}

// Literal reports whether pattern names one file (no * ? or [ that is not
// escaped with \) and returns that file's path, unescaped: a config in
// /srv/logs[prod] has its relative paths escaped, and they are followed as
// plain files (through rotation, with their predecessors), not as globs.
func Literal(pattern string) (string, bool) {
	if !hasMeta(pattern) {
		return pattern, true
	}
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			if i+1 < len(pattern) {
				i++
				b.WriteByte(pattern[i])
			} else {
				b.WriteByte(c)
			}
		case '*', '?', '[':
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}
