// Package tail follows log files the way an overnight dashboard needs: it
// survives every common rotation (rename + create, copytruncate, delete +
// recreate, symlink repointing, a file that does not exist yet) without
// losing or repeating a line, starts at the end, the beginning, or the last
// D of a file (found by binary search on timestamps, reaching into the
// rotated predecessor when needed), follows globs and command output, and
// hands lines over in batches so a busy log costs one callback per read.
//
// Problems with one file (a directory, a FIFO, no permission) are reported
// in Status and leave the other files of the source working. NUL bytes
// refuse no file: a run of them (the hole a copytruncate leaves behind a
// writer without O_APPEND) is skipped and counted (nul.go).
//
// A command's stderr is shown in the status bar through sources.Sanitize,
// the one policy for untrusted text; the only rule of this package's own is
// that terminal escape sequences are dropped whole (see sanitize.go).
package tail

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// FileStatus is what a Follower knows about one followed file or command.
type FileStatus struct {
	Path       string // as matched, or the command line
	Offset     int64  // read position in the current file; bytes read from a command
	Lines      int64  // lines delivered
	LongLines  int64  // lines cut to Options.MaxLineBytes
	Rotations  int64  // rotations, truncations and re-creations seen; restarts of a command
	Err        string // the latest problem, empty when none is current
	ErrAt      time.Time
	LastLineAt time.Time // when lines were last delivered (Options.Now)
	// NULRuns and NULBytes count the runs of NUL bytes skipped rather than
	// delivered (nul.go); NULAt is the offset where the latest began, in
	// the file it was in (for a command, in its output). Skipped says it
	// in words.
	NULRuns, NULBytes, NULAt int64
	// Loading is true until the file has been read to its end once: the
	// lines from the start position (a backfill of the last 30m, say) are
	// still coming, so counts over recent seconds are not yet true.
	Loading bool
}

// Follower follows the files (or the command) of one source.
type Follower struct {
	opts    Options
	started atomic.Bool

	mu     sync.Mutex
	status []FileStatus
}

// New checks the options; it does no IO.
func New(opts Options) (*Follower, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Follower{opts: opts.withDefaults()}, nil
}

// Run follows until ctx is done, calling emit on Run's goroutine with each
// batch of lines; emit must not keep Batch.Data. Problems with single files
// or command runs do not end Run: they show in Status. Run returns nil when
// ctx is done, and may be called once.
func (f *Follower) Run(ctx context.Context, emit func(Batch)) error {
	if !f.started.CompareAndSwap(false, true) {
		return errors.New("tail: Run called twice")
	}
	if len(f.opts.Command) > 0 {
		return f.runCommand(ctx, emit)
	}
	return f.runFiles(ctx, emit)
}

// Status returns a copy of each file's numbers; it is safe to call from any
// goroutine.
func (f *Follower) Status() []FileStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FileStatus(nil), f.status...)
}

// publish replaces the published status with fill's entries.
func (f *Follower) publish(fill func([]FileStatus) []FileStatus) {
	f.mu.Lock()
	f.status = fill(f.status[:0])
	f.mu.Unlock()
}
