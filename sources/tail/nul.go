package tail

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// NUL runs. A writer that keeps its own offset (`node app.js > app.log`,
// no O_APPEND) goes on writing at that offset after logrotate's
// copytruncate, so the file restarts with a hole that reads as NUL bytes,
// megabytes of them, before its first new line. A file can also end in a
// preallocated tail of NULs that a writer fills later.
//
// A run is one or more NUL bytes where a line would start, up to the next
// byte that is not NUL; that byte starts the next line. A run is skipped,
// not delivered, and counted in FileStatus (NULRuns, NULBytes, NULAt) once
// a non-NUL byte ends it or its file is read for the last time. NULs after
// the first byte of a line are the line's: its consumer judges it (nginx
// counts it malformed as nul_bytes), and the file goes on being followed.
//
// A run that reaches the end of a file that is still being followed is not
// passed: the read position stays at its start, as it does before a
// partial line, so whatever a writer puts into a preallocated tail is read.
// Looking again costs one seek over a sparse hole where the system can
// find data (lseek SEEK_DATA on Linux) and a read of the run otherwise;
// while the file's size stays the same only the run's first buffer is read
// again, since such a writer fills the tail from its start.

// leadingNULs is the length of the run of NUL bytes that b starts with.
func leadingNULs(b []byte) int {
	le := binary.LittleEndian
	i := 0
	for ; i+32 <= len(b); i += 32 {
		if le.Uint64(b[i:])|le.Uint64(b[i+8:])|le.Uint64(b[i+16:])|le.Uint64(b[i+24:]) != 0 {
			break
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if le.Uint64(b[i:]) != 0 {
			break
		}
	}
	for i < len(b) && b[i] == 0 {
		i++
	}
	return i
}

// runEnd finds the first byte at or after off that is not NUL, reading
// through r.buf (which it overwrites) and jumping over sparse holes, and
// looking at most limit bytes past off when limit > 0. found is false when
// only NULs were seen; end is then where the look stopped: the end of the
// file, or off+limit.
func runEnd(r *reader, f *os.File, off, limit int64) (end int64, found bool, err error) {
	buf := r.buf[:len(r.buf)-1]
	stop := int64(-1)
	if limit > 0 {
		stop = off + limit
	}
	for stop < 0 || off < stop {
		d := nextData(f, off)
		if d < 0 {
			// a hole to the end: where that end is
			fi, err := f.Stat()
			if err != nil {
				return off, false, err
			}
			return max(off, fi.Size()), false, nil
		}
		off = max(off, d)
		chunk := buf
		if stop >= 0 {
			chunk = buf[:min(int64(len(buf)), max(0, stop-off))]
		}
		n, err := f.ReadAt(chunk, off)
		if err != nil && err != io.EOF {
			return off, false, err
		}
		if k := leadingNULs(chunk[:n]); k < n {
			return off + int64(k), true, nil
		}
		off += int64(n)
		if n < len(chunk) || n == 0 {
			return off, false, nil
		}
	}
	return off, false, nil
}

// skipRun passes the NUL run at o.off, counting it. held is set instead
// when the run reaches the end of a file that is not read for the last
// time (final): the position then stays at the run (see above). skipped is
// the number of bytes passed.
func (t *fileTail) skipRun(r *reader, o *openFile, final bool) (skipped int64, held bool, err error) {
	start := o.off
	var size int64 = -1
	if !final {
		fi, err := o.f.Stat()
		if err != nil {
			return 0, false, pathErr(t.path, err)
		}
		size = fi.Size()
	}
	limit := int64(-1)
	if !final && o.held == (heldRun{at: start, size: size}) {
		// unchanged since the last look: a writer filling the run
		// starts at its head
		limit = int64(len(r.buf) - 1)
	}
	end, found, err := runEnd(r, o.f, start, limit)
	if err != nil {
		return 0, false, pathErr(t.path, err)
	}
	if !found && !final {
		o.held = heldRun{at: start, size: size}
		return 0, true, nil
	}
	o.held = heldRun{}
	t.st.addNULRun(start, end-start)
	o.off = end
	if start == 0 {
		o.fpAt = end // where refreshFingerprint would look for the head
	}
	return end - start, false, nil
}

// heldRun is the run at the end of a file that a follower stopped at, and
// the file's size then; the zero value when there is none (a run has
// bytes, so it never matches a real one).
type heldRun struct{ at, size int64 }

// addNULRun counts a run of n NUL bytes passed at offset at.
func (s *FileStatus) addNULRun(at, n int64) {
	s.NULRuns++
	s.NULBytes += n
	s.NULAt = at
}

// Skipped says what was skipped as NUL runs, for a status line: "" when
// nothing was, else e.g. "skipped 1 NUL run (10.2 MB) at offset 4096".
func (s FileStatus) Skipped() string {
	switch s.NULRuns {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("skipped 1 NUL run (%s) at offset %d", byteSize(s.NULBytes), s.NULAt)
	}
	return fmt.Sprintf("skipped %d NUL runs (%s), the latest at offset %d", s.NULRuns, byteSize(s.NULBytes), s.NULAt)
}

// byteSize is n in B, kB, MB, GB or TB (powers of 1000) with three
// significant digits.
func byteSize(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1000, 0
	for v >= 999.5 && unit < 3 {
		v /= 1000
		unit++
	}
	return fmt.Sprintf("%.3g %cB", v, "kMGT"[unit])
}
