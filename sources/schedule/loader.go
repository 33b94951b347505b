package schedule

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// LoaderOptions configures a Loader. Stat and ReadFile default to the os
// functions; tests replace them.
type LoaderOptions struct {
	Path     string
	Stat     func(name string) (fs.FileInfo, error)
	ReadFile func(name string) ([]byte, error)
}

// Loader keeps the schedule from a separate file current, so a stage moved
// at 23:00 reaches a warroom that has been running since the morning. The
// caller calls Poll on its own ticker (a few seconds is plenty); Schedule is
// safe to call from any goroutine. A file that fails to parse, or vanishes,
// leaves the previous schedule in force and is reported once.
type Loader struct {
	opts LoaderOptions
	cur  atomic.Pointer[Schedule]

	mu      sync.Mutex
	modTime time.Time
	size    int64
	data    []byte // last content read, so a touch without a change is not a reload
	loaded  bool
	errText string // last reported error, to report each distinct failure once
	err     error
}

// NewLoader returns a loader for o.Path. It does no IO: the first Poll loads.
func NewLoader(o LoaderOptions) *Loader {
	if o.Stat == nil {
		o.Stat = os.Stat
	}
	if o.ReadFile == nil {
		o.ReadFile = os.ReadFile
	}
	return &Loader{opts: o}
}

// Schedule is the schedule in force: nil until the first successful load.
func (l *Loader) Schedule() *Schedule { return l.cur.Load() }

// Err is the current problem with the file (nil when the schedule in force
// is the file's content), for a status line.
func (l *Loader) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Poll checks the file and reloads it when its modification time or size
// changed. It reports reloaded when a new schedule is in force, and err for
// a failure that was not already reported by an earlier Poll.
func (l *Loader) Poll() (reloaded bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fi, err := l.opts.Stat(l.opts.Path)
	if err != nil {
		return false, l.fail(fmt.Errorf("schedule: %w", err))
	}
	if l.loaded && fi.ModTime().Equal(l.modTime) && fi.Size() == l.size && l.err == nil {
		return false, nil
	}
	data, err := l.opts.ReadFile(l.opts.Path)
	if err != nil {
		return false, l.fail(fmt.Errorf("schedule: %w", err))
	}
	if l.loaded && l.err == nil && bytes.Equal(data, l.data) {
		l.modTime, l.size = fi.ModTime(), fi.Size()
		return false, nil
	}
	s, err := Parse(bytes.NewReader(data))
	if err != nil {
		return false, l.fail(fmt.Errorf("schedule: %s: %w", l.opts.Path, unwrapPrefix(err)))
	}
	l.cur.Store(s)
	l.modTime, l.size, l.data, l.loaded = fi.ModTime(), fi.Size(), data, true
	l.err, l.errText = nil, ""
	return true, nil
}

// fail records err and returns it only when it differs from the last one,
// so a broken file polled every few seconds is one message, not hundreds.
func (l *Loader) fail(err error) error {
	l.err = err
	if err.Error() == l.errText {
		return nil
	}
	l.errText = err.Error()
	return err
}

// unwrapPrefix drops Parse's "schedule: " so the path can sit next to the
// noun without repeating it.
func unwrapPrefix(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}
