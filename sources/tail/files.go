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

// fileSet is the state of runFiles: the followed paths and what watches them.
type fileSet struct {
	f       *Follower
	r       *reader
	tails   []*fileTail
	byPath  map[string]*fileTail
	nomatch []string // patterns matching nothing at the last scan
	watcher *fsnotify.Watcher
	watched map[string]bool // directories added to watcher
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
	ticker := time.NewTicker(o.Poll)
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
	}
}

// scan matches the configured paths, adding new files and watches.
func (s *fileSet) scan(initial bool) {
	s.nomatch = s.nomatch[:0]
	for _, p := range s.f.opts.Paths {
		if !hasMeta(p) {
			s.add(p, false, initial)
			s.watchDir(filepath.Dir(p))
			if target, err := filepath.EvalSymlinks(p); err == nil && target != p {
				s.watchDir(filepath.Dir(target))
			}
			continue
		}
		if dir := filepath.Dir(p); !hasMeta(dir) {
			s.watchDir(dir)
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
	if s.watcher == nil || s.watched[dir] {
		return
	}
	if err := s.watcher.Add(dir); err == nil {
		s.watched[dir] = true
	}
	// A directory that does not exist yet is tried again at the next scan.
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
