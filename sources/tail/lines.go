package tail

import (
	"bytes"
	"io"
	"iter"
)

// Batch is a run of whole lines from one file or command, handed to the
// consumer in one call so a busy log costs one callback per read, not one per
// line.
type Batch struct {
	// Path is the followed path as configured or matched by a glob (also when
	// the lines came from its rotated predecessor), or the command line for a
	// command source.
	Path string
	// Data holds whole lines, each ending in '\n'. It aliases the follower's
	// read buffer: it is valid only during the emit callback.
	Data []byte
	// Lines is the number of lines in Data.
	Lines int
	// Backfill is set for lines read back from the start position of a
	// file found at start ("beginning", "30m"), until its end is reached:
	// they were written earlier, so a line without a time of its own did
	// not happen now.
	Backfill bool
}

// All yields each line of the batch without its '\n'. The yielded slices
// alias Data. Ranging over it does not allocate.
func (b Batch) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		data := b.Data
		for len(data) > 0 {
			var line []byte
			line, data = NextLine(data)
			if !yield(line) {
				return
			}
		}
	}
}

// NextLine splits the first line (without its '\n') off data. It is the
// loop-friendly form of Batch.All:
//
//	for data := b.Data; len(data) > 0; {
//		var line []byte
//		line, data = tail.NextLine(data)
//		...
//	}
func NextLine(data []byte) (line, rest []byte) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil
	}
	return data[:i], data[i+1:]
}

// splitter turns raw bytes into whole lines in place, capping over-long
// lines. Its only state is whether it is inside an over-long line whose head
// was already delivered, so a file's read position alone says where to go on.
type splitter struct {
	max      int  // longest line delivered, without its '\n'
	skipping bool // discarding the tail of an over-long line
}

// cut compacts data in place to whole lines and reports how many input bytes
// it consumed; bytes after that are an incomplete line to be read again with
// more data, or a NUL run (nul.go) for the caller to skip: cut stops where
// a line would start with a NUL byte. When eof is set a final unterminated
// line is consumed and delivered with a '\n' appended, which needs
// cap(data) > len(data).
//
// Only lines after an over-long one are moved, so the common case copies
// nothing.
func (s *splitter) cut(data []byte, eof bool) (out []byte, consumed, lines, long int) {
	w, r := 0, 0
	for r < len(data) {
		if s.skipping {
			i := bytes.IndexByte(data[r:], '\n')
			if i < 0 {
				r = len(data)
				break
			}
			r += i + 1
			s.skipping = false
			continue
		}
		if data[r] == 0 {
			break
		}
		i := bytes.IndexByte(data[r:], '\n')
		if i < 0 {
			rem := len(data) - r
			switch {
			case rem > s.max:
				w = putHead(data, w, r, s.max)
				lines++
				long++
				s.skipping = true
				r = len(data)
			case eof:
				data = data[:len(data)+1]
				copy(data[w:], data[r:r+rem])
				data[w+rem] = '\n'
				w += rem + 1
				lines++
				r = len(data) - 1
			}
			break
		}
		if i > s.max {
			w = putHead(data, w, r, s.max)
			long++
		} else {
			if w != r {
				copy(data[w:], data[r:r+i+1])
			}
			w += i + 1
		}
		lines++
		r += i + 1
	}
	if eof {
		// The over-long line, if any, ended with the file.
		s.skipping = false
	}
	return data[:w], r, lines, long
}

// putHead writes the first n bytes of the line at r, and a '\n', at w. The
// line is longer than n, so the '\n' lands on bytes already read.
func putHead(data []byte, w, r, n int) int {
	copy(data[w:], data[r:r+n])
	data[w+n] = '\n'
	return w + n + 1
}

// atRun reports whether cut, having consumed that many bytes of data,
// stopped at a NUL run.
func atRun(data []byte, consumed int) bool {
	return consumed < len(data) && data[consumed] == 0
}

// stream reads r to its end through sp, calling emit with each non-empty
// run of lines and skipped with each NUL run passed (at: its position in
// r's bytes). buf must be longer than sp.max+1; its last byte is kept free
// for the '\n' of a final unterminated line.
func stream(r io.Reader, sp *splitter, buf []byte, emit func(data []byte, lines, long int), skipped func(at, n int64)) error {
	room := len(buf) - 1
	p := 0
	var pos int64        // r's position of the next byte to cut
	var runAt, run int64 // the run being passed, which may go on in the next read
	for {
		n, err := r.Read(buf[p:room])
		eof := err != nil
		data := buf[:p+n]
		for {
			out, consumed, lines, long := sp.cut(data, eof)
			if len(out) > 0 {
				emit(out, lines, long)
			}
			if run > 0 && consumed > 0 {
				skipped(runAt, run)
				run = 0
			}
			pos += int64(consumed)
			if !atRun(data, consumed) {
				data = data[consumed:]
				break
			}
			k := leadingNULs(data[consumed:])
			if run == 0 {
				runAt = pos
			}
			run += int64(k)
			pos += int64(k)
			data = data[consumed+k:]
		}
		if run > 0 && (eof || len(data) > 0) {
			// ended by the end of r, or by a partial line
			skipped(runAt, run)
			run = 0
		}
		p = copy(buf, data)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
