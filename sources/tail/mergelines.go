package tail

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

var nulLine = []byte{0}

// lineReader splits a replayed file into lines. Unlike bufio.Scanner it
// has no line it cannot take: a line longer than its buffer is cut to its
// head and the rest skipped, and the replay goes on with the next line.
type lineReader struct {
	r    *bufio.Reader
	head int    // how much of a line longer than r's buffer is kept
	line []byte // the current line; aliases r's buffer or long
	long []byte // a line longer than r's buffer, cut
	err  error
	n    int // lines handed out
}

// lineBuffer is a lineReader's buffer: lines up to its size are whole.
const lineBuffer = 256 << 10

func newLineReader(r io.Reader, head int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, lineBuffer), head: head}
}

// Scan reads the next line (without its "\n" or "\r\n"); false at the end
// of input or on an error, which Err returns.
func (l *lineReader) Scan() bool {
	if b, _ := l.r.Peek(1); len(b) == 1 && b[0] == 0 {
		// a hole of NULs (a copytruncate behind a writer without
		// O_APPEND) is one line of a NUL, which the counters count as
		// such, and the line written behind it is the next
		for {
			b, _ := l.r.Peek(4096)
			k := leadingNULs(b)
			l.r.Discard(k)
			if k < len(b) || len(b) == 0 {
				break
			}
		}
		l.line = nulLine
		l.n++
		return true
	}
	frag, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// longer than the buffer: copy the head, skip the rest
		l.long = append(l.long[:0], frag[:min(len(frag), l.head)]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			frag, err = l.r.ReadSlice('\n')
			if room := l.head - len(l.long); room > 0 {
				l.long = append(l.long, frag[:min(len(frag), room)]...)
			}
		}
		frag = l.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		l.err = err
		return false
	}
	if len(frag) == 0 && err != nil {
		return false
	}
	frag = bytes.TrimSuffix(frag, []byte("\n"))
	l.line = bytes.TrimSuffix(frag, []byte("\r"))
	l.n++
	return true
}

// Bytes is the current line, valid until the next Scan.
func (l *lineReader) Bytes() []byte { return l.line }

// Err is the first read error other than the end of input.
func (l *lineReader) Err() error { return l.err }
