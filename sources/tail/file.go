package tail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// fingerprintBytes is how much of a file's head is remembered to notice
// copytruncate even when the file regrew past the old offset before the next
// check (GoAccess does the same). The head starts at the file's first byte
// that is not NUL (see refreshFingerprint).
const fingerprintBytes = 1024

// readLimit bounds one check's reading of one file so a huge backfill does
// not starve the other files or a cancellation.
const readLimit = 16 << 20

// reader is what the files of one Follower share: it runs on Run's goroutine
// alone, so one buffer serves every file.
type reader struct {
	opts       Options
	buf        []byte // len(buf)-1 is read into; the last byte is spare
	scratch    []byte // fingerprint comparisons
	emit       func(Batch)
	graceTicks int
	now        time.Time // clock reading for this round
}

// openFile is one open file behind a followed path: the current one, or a
// rotated-away one still read for a grace period.
type openFile struct {
	f    *os.File
	info os.FileInfo // from fstat when opened: the file's identity
	off  int64       // end of what was consumed; a partial line after it is read again
	sp   splitter
	fp   []byte  // the file's head from fpAt, up to fingerprintBytes
	fpAt int64   // where the head starts: the first byte that is not NUL
	held heldRun // a NUL run at the end of the file, not passed (nul.go)
	idle int     // ticks without growth, for rotated-away files
}

// fileTail follows one path through rotations. Its methods run on Run's
// goroutine only; Status reads a copy of st.
type fileTail struct {
	path    string
	glob    bool        // matched by a glob: forgotten when it vanishes
	first   bool        // the start position applies to what is found now
	cur     *openFile   // nil while the path is absent or refused
	old     []*openFile // rotated away, oldest first
	refused os.FileInfo // identity of a file that cannot be followed
	missing bool        // the path did not exist at the last check
	opens   int         // files opened behind the path; more than one is a rotation
	st      FileStatus

	// backfill is set while the start position's lines are read, up to
	// the end of the file found at start (Batch.Backfill)
	backfill bool
}

func newFileTail(path string, glob, first bool) *fileTail {
	return &fileTail{path: path, glob: glob, first: first, st: FileStatus{Path: path, Loading: true}}
}

// check reads whatever is new behind the path and notices rotation. It
// reports whether data is left over for an immediate second check. tick is
// set on the poll ticks that age rotated-away files.
func (t *fileTail) check(r *reader, tick bool) (more bool) {
	// Rotated-away files first: their lines are older than the new file's.
	kept := t.old[:0]
	for i, o := range t.old {
		n, more, err := t.read(r, o, false)
		if more {
			kept = append(kept, t.old[i:]...)
			t.old = kept
			return true
		}
		if n > 0 {
			o.idle = 0
		} else if tick {
			o.idle++
		}
		if err != nil || o.idle >= r.graceTicks {
			t.retire(r, o, err)
			continue
		}
		kept = append(kept, o)
	}
	clear(t.old[len(kept):])
	t.old = kept

	if o := t.cur; o != nil {
		if t.truncated(r, o) {
			t.recoverCopy(r, o)
			t.st.Rotations++
			o.off, o.sp, o.fp, o.fpAt, o.held = 0, splitter{max: r.opts.MaxLineBytes}, o.fp[:0], 0, heldRun{}
		}
		_, more, err := t.read(r, o, false)
		if err != nil {
			t.setErr(r, err)
		}
		if more {
			return true
		}
		if err := t.refreshFingerprint(r, o); err != nil {
			t.setErr(r, err)
		}
	}

	first := t.first
	t.first = false
	fi, err := os.Stat(t.path)
	switch {
	case err != nil:
		t.missing = true
		if t.cur != nil {
			t.old = append(t.old, t.cur)
			t.cur = nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			t.setErr(r, fmt.Errorf("tail: %s: waiting for the file to appear", t.path))
		} else {
			t.setErr(r, pathErr(t.path, err))
		}
		return false
	case t.cur != nil && os.SameFile(fi, t.cur.info):
		return false
	case t.refused != nil && os.SameFile(fi, t.refused):
		return false
	}
	// A new file behind the path: created, rotated in, or a symlink target.
	t.missing = false
	if t.cur != nil {
		t.old = append(t.old, t.cur)
		t.cur = nil
	}
	o, err := t.open(r)
	if err != nil {
		t.setErr(r, err)
		return false
	}
	if t.opens > 0 {
		t.st.Rotations++
	}
	t.opens++
	t.cur = o
	t.refused = nil
	t.st.Err, t.st.ErrAt = "", time.Time{}
	if first {
		t.backfill = r.opts.Start.Kind != StartEnd
		if err := t.position(r, o); err != nil {
			t.setErr(r, err)
		}
		// what the start position passed is the head to recognise
		if err := t.refreshFingerprint(r, o); err != nil {
			t.setErr(r, err)
		}
	}
	// Read it at once, after the rotated-away file was drained above.
	return true
}

// open opens the path without blocking (a FIFO would block a plain open) and
// refuses what is not a regular file.
func (t *fileTail) open(r *reader) (*openFile, error) {
	f, err := os.OpenFile(t.path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, pathErr(t.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, pathErr(t.path, err)
	}
	o := &openFile{f: f, info: fi, sp: splitter{max: r.opts.MaxLineBytes}}
	if !fi.Mode().IsRegular() {
		t.refuse(r, o, fmt.Errorf("tail: %s: %s, not a regular file", t.path, describeMode(fi.Mode())))
		return nil, errors.New(t.st.Err)
	}
	return o, nil
}

// refuse stops following o's file until another file takes the path.
func (t *fileTail) refuse(r *reader, o *openFile, err error) {
	o.f.Close()
	if t.cur == o {
		t.cur = nil
	}
	t.refused = o.info
	t.setErr(r, err)
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.String() + ")"
}

// read consumes o from its offset towards its end, emitting whole lines and
// skipping NUL runs; at most readLimit bytes unless final, which also
// delivers a last unterminated line and passes a NUL run at the end. n is
// the number of bytes consumed.
func (t *fileTail) read(r *reader, o *openFile, final bool) (n int64, more bool, err error) {
	room := len(r.buf) - 1
	for final || n < readLimit {
		got, err := o.f.ReadAt(r.buf[:room], o.off)
		if err != nil && err != io.EOF {
			return n, false, pathErr(t.path, err)
		}
		atEnd := got < room
		out, consumed, lines, long := o.sp.cut(r.buf[:got], final && atEnd)
		o.off += int64(consumed)
		n += int64(consumed)
		t.deliver(r, out, lines, long)
		if atRun(r.buf[:got], consumed) {
			skipped, held, err := t.skipRun(r, o, final)
			if err != nil {
				return n, false, err
			}
			n += skipped
			atEnd = held
			if !held {
				continue
			}
		}
		if atEnd {
			if o == t.cur {
				t.st.Loading, t.backfill = false, false
			}
			return n, false, nil
		}
	}
	return n, true, nil
}

func (t *fileTail) deliver(r *reader, out []byte, lines, long int) {
	if lines == 0 {
		return
	}
	t.st.Lines += int64(lines)
	t.st.LongLines += int64(long)
	t.st.LastLineAt = r.now
	r.emit(Batch{Path: t.path, Data: out, Lines: lines, Backfill: t.backfill})
}

// retire reads a rotated-away file to its very end, delivering a final
// unterminated line, and closes it.
func (t *fileTail) retire(r *reader, o *openFile, err error) {
	if err == nil {
		_, _, err = t.read(r, o, true)
	}
	if err != nil {
		t.setErr(r, err)
	}
	o.f.Close()
}

// truncated reports whether o's file no longer starts with the bytes it
// started with: copytruncate, whether or not it regrew since.
func (t *fileTail) truncated(r *reader, o *openFile) bool {
	if fi, err := o.f.Stat(); err == nil && fi.Size() < o.off {
		return true
	}
	return len(o.fp) > 0 && !startsLike(r, o.f, o)
}

// startsLike reports whether f holds o's fingerprint at o.fpAt.
func startsLike(r *reader, f io.ReaderAt, o *openFile) bool {
	n, _ := f.ReadAt(r.scratch[:len(o.fp)], o.fpAt)
	return bytes.Equal(r.scratch[:n], o.fp)
}

// refreshFingerprint remembers the head of o's file while it is shorter
// than fingerprintBytes and the read position has passed it. The head
// starts at the file's first byte that is not NUL: every copytruncate
// behind a writer without O_APPEND leaves the file starting with NULs
// again, so NULs would recognise the new file as the old one. It ends
// before a NUL byte the follower has not passed, which may be a
// preallocated tail that is written later.
func (t *fileTail) refreshFingerprint(r *reader, o *openFile) error {
	if len(o.fp) >= fingerprintBytes || o.off <= o.fpAt+int64(len(o.fp)) {
		return nil
	}
	n, err := o.f.ReadAt(r.scratch[:fingerprintBytes], o.fpAt)
	if err != nil && err != io.EOF {
		return pathErr(t.path, err)
	}
	if len(o.fp) == 0 && leadingNULs(r.scratch[:n]) > 0 {
		at, found, err := runEnd(r, o.f, o.fpAt, -1)
		if err != nil {
			return pathErr(t.path, err)
		}
		if !found {
			return nil // nothing but NULs yet
		}
		o.fpAt = at
		if n, err = o.f.ReadAt(r.scratch[:fingerprintBytes], at); err != nil && err != io.EOF {
			return pathErr(t.path, err)
		}
	}
	head := r.scratch[:n]
	if passed := max(0, o.off-o.fpAt); passed < int64(n) {
		if i := bytes.IndexByte(head[passed:], 0); i >= 0 {
			head = head[:passed+int64(i)]
		}
	}
	o.fp = append(o.fp[:0], head...)
	return nil
}

func (t *fileTail) setErr(r *reader, err error) {
	t.st.Err, t.st.ErrAt = err.Error(), r.now
}

// status is the published copy of t's numbers.
func (t *fileTail) status() FileStatus {
	s := t.st
	s.Offset = 0
	if t.cur != nil {
		s.Offset = t.cur.off
	}
	return s
}

// gone reports whether a glob-matched path vanished and everything read
// from it was delivered, so it can be forgotten.
func (t *fileTail) gone() bool {
	return t.glob && t.missing && t.cur == nil && len(t.old) == 0
}

func (t *fileTail) close() {
	if t.cur != nil {
		t.cur.f.Close()
	}
	for _, o := range t.old {
		o.f.Close()
	}
}

// pathErr wraps err naming the path once, even when err is an *fs.PathError
// naming it already.
func pathErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("tail: %s: %s: %w", path, pe.Op, pe.Err)
	}
	return fmt.Errorf("tail: %s: %w", path, err)
}
