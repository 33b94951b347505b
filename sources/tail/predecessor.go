package tail

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// The rotated predecessor of a log, as logrotate names it: plain with
// delaycompress, gzipped without.
const (
	predecessorSuffix   = ".1"
	predecessorGzSuffix = ".1.gz"
)

// openRegular opens path without blocking and insists on a regular file.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("tail: %s: %s, not a regular file", path, describeMode(fi.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// backfillPredecessor delivers the lines at or after cutoff from the rotated
// predecessor of t's path: a plain one is searched like the current file, a
// gzipped one is streamed from its start.
func (t *fileTail) backfillPredecessor(r *reader, cutoff time.Time) error {
	prev := t.path + predecessorSuffix
	f, fi, err := openRegular(prev)
	switch {
	case err == nil:
		defer f.Close()
		off, err := seekTime(r, f, fi.Size(), cutoff)
		if err != nil {
			return pathErr(prev, err)
		}
		o := &openFile{f: f, info: fi, off: off, sp: splitter{max: r.opts.MaxLineBytes}}
		_, _, err = t.read(r, o, true)
		return err
	case !errors.Is(err, fs.ErrNotExist):
		return pathErr(prev, err)
	}

	prev = t.path + predecessorGzSuffix
	f, _, err = openRegular(prev)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return pathErr(prev, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return pathErr(prev, err)
	}
	filtering := true
	sp := splitter{max: r.opts.MaxLineBytes}
	err = stream(zr, &sp, r.buf, func(data []byte, lines, long int) {
		for filtering && len(data) > 0 {
			line, rest := NextLine(data)
			if ts, ok := r.opts.Timestamp(line); ok && !ts.Before(cutoff) {
				filtering = false
				break
			}
			data = rest
			lines--
		}
		if !filtering {
			t.deliver(r, data, lines, long)
		}
	}, func(at, n int64) {
		if !filtering {
			t.st.addNULRun(at, n)
		}
	})
	if err != nil {
		return pathErr(prev, err)
	}
	return nil
}

// recoverCopy reads, from the copy logrotate's copytruncate made, what was
// written after o's offset and before the truncation; without it those lines
// would be lost. The copy is recognised by starting with o's fingerprint.
func (t *fileTail) recoverCopy(r *reader, o *openFile) {
	if o.off == 0 || len(o.fp) == 0 {
		return
	}
	prev := t.path + predecessorSuffix
	f, fi, err := openRegular(prev)
	if err == nil {
		defer f.Close()
		if fi.Size() >= o.off && startsLike(r, f, o) {
			c := &openFile{f: f, info: fi, off: o.off, sp: o.sp}
			if _, _, err := t.read(r, c, true); err != nil {
				t.setErr(r, err)
			}
			return
		}
	}
	prev = t.path + predecessorGzSuffix
	if f, _, err := openRegular(prev); err == nil {
		defer f.Close()
		if t.recoverGz(r, o, f) {
			return
		}
	}
	t.setErr(r, fmt.Errorf("tail: %s: truncated at offset %d and no copy (%s or %s) starts like it did: lines written just before the truncation may be lost",
		t.path, o.off, predecessorSuffix, predecessorGzSuffix))
}

func (t *fileTail) recoverGz(r *reader, o *openFile, f *os.File) bool {
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	// the head's bytes before o.off, which the copy has for sure
	head := r.scratch[:min(int64(len(o.fp)), max(0, o.off-o.fpAt))]
	if len(head) == 0 {
		return false
	}
	if _, err := io.CopyN(io.Discard, zr, o.fpAt); err != nil {
		return false
	}
	if _, err := io.ReadFull(zr, head); err != nil || !bytes.Equal(head, o.fp[:len(head)]) {
		return false
	}
	if _, err := io.CopyN(io.Discard, zr, o.off-o.fpAt-int64(len(head))); err != nil {
		return false
	}
	sp := o.sp
	err = stream(zr, &sp, r.buf, func(data []byte, lines, long int) {
		t.deliver(r, data, lines, long)
	}, func(at, n int64) { t.st.addNULRun(o.off+at, n) })
	if err != nil {
		t.setErr(r, pathErr(t.path+predecessorGzSuffix, err))
	}
	return true
}
