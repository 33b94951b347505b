package tail

import (
	"bytes"
	"io"
	"os"
	"time"
)

// position applies the start position to a file found when Run starts.
func (t *fileTail) position(r *reader, o *openFile) error {
	size := o.info.Size()
	switch r.opts.Start.Kind {
	case StartEnd:
		return t.seekEnd(r, o, size)
	case StartLast:
		cutoff := r.now.Add(-r.opts.Start.Last)
		_, first, ok, err := probe(r, o.f, 0)
		if err != nil {
			return pathErr(t.path, err)
		}
		if size == 0 || (ok && !first.Before(cutoff)) {
			// The window reaches back past this file: the predecessor's
			// lines come first, then all of this one.
			return t.backfillPredecessor(r, cutoff)
		}
		if !ok {
			// No time reads at the start. If none reads near the end
			// either, the timestamp reader does not understand this log
			// (a format that does not match it): searching would read the
			// whole file for nothing. Start at its last lines instead, so
			// they reach the reader's consumer, which can say so.
			tail := max(0, size-int64(len(r.buf)/2))
			if _, _, okEnd, err := probe(r, o.f, tail); err != nil {
				return pathErr(t.path, err)
			} else if !okEnd {
				off, err := lineStartFrom(r, o.f, tail)
				if err != nil {
					return pathErr(t.path, err)
				}
				o.off = off
				return nil
			}
		}
		off, err := seekTime(r, o.f, size, cutoff)
		if err != nil {
			return pathErr(t.path, err)
		}
		o.off = off
	}
	return nil
}

// seekEnd starts after the last complete line, so a line being written as
// Run starts is delivered whole once its '\n' arrives. A NUL run ends what
// came before it too (nul.go), and one at the end of the file is where
// reading starts: a writer may fill it.
func (t *fileTail) seekEnd(r *reader, o *openFile, size int64) error {
	from := max(0, size-int64(r.opts.MaxLineBytes)-1)
	n, err := o.f.ReadAt(r.buf[:size-from], from)
	if err != nil && err != io.EOF {
		return pathErr(t.path, err)
	}
	text := r.buf[:n]
	for len(text) > 0 && text[len(text)-1] == 0 {
		text = text[:len(text)-1]
	}
	switch i := max(bytes.LastIndexByte(text, '\n'), bytes.LastIndexByte(text, 0)); {
	case i >= 0:
		o.off = from + int64(i) + 1
	case from == 0:
		o.off = 0
	case len(text) == 0:
		// inside a NUL run longer than what was read
		o.off = from
	default:
		// Inside an over-long line whose head is already history.
		o.off = from + int64(n)
		o.sp.skipping = true
	}
	return nil
}

// seekTime finds where the lines at or after cutoff start. Logs are ordered
// only up to a little disorder, so the binary search aims at cutoff minus
// Options.Disorder and a forward scan from there finds the first line at or
// after cutoff. Lines the scan passes are older; lines after it that are
// older than cutoff are kept, which costs nothing but a few extra lines.
func seekTime(r *reader, f *os.File, size int64, cutoff time.Time) (int64, error) {
	target := cutoff.Add(-r.opts.Disorder)
	block := int64(len(r.buf) / 2)
	lo, hi := int64(0), size
	for hi-lo > block {
		mid := lo + (hi-lo)/2
		s, ts, ok, err := probe(r, f, mid)
		if err != nil {
			return 0, err
		}
		if ok && ts.Before(target) && s > lo {
			lo = s
		} else {
			hi = mid
		}
	}
	return scanFrom(r, f, lo, cutoff)
}

// lineStartFrom is where the first line starting at or after off starts
// (off itself when a line starts there; the end of what was read when no
// line does within one buffer).
func lineStartFrom(r *reader, f io.ReaderAt, off int64) (int64, error) {
	if off == 0 {
		return 0, nil
	}
	n, err := f.ReadAt(r.buf[:len(r.buf)-1], off-1)
	if err != nil && err != io.EOF {
		return 0, err
	}
	if i := nextLineStart(r.buf[:n]); i >= 0 {
		return off - 1 + int64(i), nil
	}
	return off - 1 + int64(n), nil
}

// nextLineStart is the index of the first line start in data after its
// first byte, -1 when there is none: after a '\n', or at data[1] itself
// when it is in a NUL run or just after one, since the reader passes a
// run to the line after it (nul.go).
func nextLineStart(data []byte) int {
	if len(data) > 1 && (data[0] == 0 || data[1] == 0) {
		return 1
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1
	}
	return -1
}

// probe finds the first line starting at or after off whose timestamp
// reads, within one buffer of lines; NUL runs on the way are jumped.
func probe(r *reader, f *os.File, off int64) (start int64, ts time.Time, ok bool, err error) {
	base, pos := int64(0), 0
	if off > 0 {
		// from off-1 so a line starting exactly at off is seen
		base, pos = off-1, -1
	}
	for {
		n, err := f.ReadAt(r.buf[:len(r.buf)-1], base)
		if err != nil && err != io.EOF {
			return 0, time.Time{}, false, err
		}
		data := r.buf[:n]
		if pos < 0 {
			if pos = nextLineStart(data); pos < 0 {
				return 0, time.Time{}, false, nil
			}
		}
		for pos < len(data) && data[pos] != 0 {
			j := bytes.IndexByte(data[pos:], '\n')
			if j < 0 {
				return 0, time.Time{}, false, nil
			}
			if ts, ok := r.opts.Timestamp(data[pos : pos+j]); ok {
				return base + int64(pos), ts, true, nil
			}
			pos += j + 1
		}
		if pos == len(data) {
			return 0, time.Time{}, false, nil
		}
		end, found, err := runEnd(r, f, base+int64(pos), -1)
		if err != nil || !found {
			return 0, time.Time{}, false, err
		}
		base, pos = end, 0
	}
}

// scanFrom reads forward from the line start off to the first line at or
// after cutoff, or to the end of the last complete line; a NUL run at the
// end is where it stops too (nul.go).
func scanFrom(r *reader, f *os.File, off int64, cutoff time.Time) (int64, error) {
	room := len(r.buf) - 1
	skip := false // inside a line longer than the buffer
read:
	for {
		n, err := f.ReadAt(r.buf[:room], off)
		if err != nil && err != io.EOF {
			return 0, err
		}
		data := r.buf[:n]
		pos := 0
		if skip {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if n < room {
					return off, nil
				}
				off += int64(n)
				continue
			}
			pos, skip = i+1, false
		}
		for {
			if pos < len(data) && data[pos] == 0 {
				end, found, err := runEnd(r, f, off+int64(pos), -1)
				if err != nil || !found {
					return off + int64(pos), err
				}
				off = end
				continue read
			}
			j := bytes.IndexByte(data[pos:], '\n')
			if j < 0 {
				break
			}
			if ts, ok := r.opts.Timestamp(data[pos : pos+j]); ok && !ts.Before(cutoff) {
				return off + int64(pos), nil
			}
			pos += j + 1
		}
		if n < room {
			return off + int64(pos), nil
		}
		if pos == 0 {
			skip = true
			pos = n
		}
		off += int64(pos)
	}
}
