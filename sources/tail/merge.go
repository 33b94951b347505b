package tail

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// MergeInput is one saved log file to be replayed.
type MergeInput struct {
	Path string
	// Stamp reads a line's time in Unix seconds; false for a line without
	// one (a continuation, a stack frame, garbage). It must not keep line.
	Stamp func(line []byte) (int64, bool)
	// Ingest takes the file's lines of a second (and late lines of earlier
	// seconds), each ending in '\n'. It must not keep batch.
	Ingest func(batch []byte)
}

// Defaults for the zero values of MergeOptions.
const (
	DefaultHeadBytes = DefaultMaxLineBytes + 1
	DefaultJump      = time.Hour
)

// MergeOptions configure a Merge.
type MergeOptions struct {
	// HeadBytes is how much of a line longer than the read buffer (256 KiB)
	// is handed on; the rest of it is skipped. Shorter lines are handed on
	// whole: Ingest judges their length. Give one byte more than Ingest
	// takes, so that it still sees the cut line is too long. Default
	// DefaultHeadBytes, one byte more than a Follower's longest line.
	HeadBytes int
	// Jump is how far ahead of the newest stamp before it a stamp must be
	// to be checked against the lines after it (corrupt or a silence).
	// Default DefaultJump.
	Jump time.Duration
}

// Merge replays saved log files together on their lines' clock: the
// caller asks for the earliest second at the head of any file (Next), then
// has every file's lines stamped up to it handed to that file's Ingest
// (ReadTo), and so on to the end. What happens between seconds (ticking)
// is the caller's. Files are read through gzip when gzipped (Open).
//
// A line without a stamp goes with the stamped line before it (first in
// the file, with the first stamped line after it). A stamp far ahead of
// the file's newest (more than Jump) that the next stamps fall back from
// is corrupt (year 9999): the line goes with the second before it and
// does not move the clock; where the next stamps follow it, the log
// resumed after a silence. A run of NUL bytes (a copytruncate behind a
// writer without O_APPEND) is one line of one NUL.
//
// Only the files being read hold read buffers (about 350 KiB each): a
// file whose lines the clock has not reached keeps its next lines and its
// descriptor (a rename does not lose it), and one read to its end is
// closed. A campaign's 40 rotated logs are not 14 MiB held from the first
// second to the last. (A named pipe, which cannot be read again, keeps
// its reader.)
type Merge struct {
	o        MergeOptions
	files    []*mergeFile
	problems []string
}

// NewMerge returns an empty Merge; Add its files.
func NewMerge(o MergeOptions) *Merge {
	if o.HeadBytes <= 0 {
		o.HeadBytes = DefaultHeadBytes
	}
	if o.Jump <= 0 {
		o.Jump = DefaultJump
	}
	return &Merge{o: o}
}

// Add opens in.Path and reads up to its first line. On an error the file
// is not added (and is closed).
func (m *Merge) Add(in MergeInput) error {
	file, err := os.Open(in.Path)
	if err != nil {
		return err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		if err == nil {
			err = fmt.Errorf("%s: is a directory", in.Path)
		}
		return err
	}
	f := &mergeFile{
		MergeInput: in,
		file:       file,
		headBytes:  m.o.HeadBytes,
		jump:       int64(m.o.Jump / time.Second),
	}
	if err := f.open(false); err != nil {
		f.close()
		return err
	}
	if err := f.advance(); err != nil {
		f.close()
		return err
	}
	if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
		f.park() // a pipe cannot be read again: it keeps its reader
	}
	m.files = append(m.files, f)
	return nil
}

// Len is the number of files added.
func (m *Merge) Len() int { return len(m.files) }

// Next is the earliest second at the head of any file; false when no file
// has a line of a known time left (lines of no known time at the end are
// never handed on: there is no second to hand them on with).
func (m *Merge) Next() (int64, bool) {
	sec, ok := int64(math.MaxInt64), false
	for _, f := range m.files {
		if !f.done && f.headSec > 0 && f.headSec < sec { // 0: a time not known yet
			sec, ok = f.headSec, true
		}
	}
	return sec, ok
}

// ReadTo hands every file's lines stamped up to sec — late lines of
// earlier seconds included: the counters place them — to its Ingest, in
// one batch per file, files in the order they were added. Lines are read
// ahead: after ReadTo, each file's head is its first line past sec. A
// file that cannot be read on ends there (see Problems); the error is
// nil.
func (m *Merge) ReadTo(sec int64) error {
	for _, f := range m.files {
		for !f.done && f.headSec <= sec {
			f.buf = append(f.buf, f.head...)
			f.buf = append(f.buf, '\n')
			err := error(nil)
			if f.sc == nil {
				err = f.unpark()
			}
			if err == nil {
				err = f.advance()
			}
			if err != nil {
				// a file that breaks off (a .gz cut short, a disk error)
				// ends there: what it held up to the break is handed on,
				// and the other files go on
				msg := err.Error()
				if !strings.HasPrefix(msg, f.Path) {
					msg = f.Path + ": " + msg
				}
				m.problems = append(m.problems, msg+": the rest of it is left out")
				f.done = true
				f.close()
			}
		}
		if len(f.buf) > 0 {
			f.Ingest(f.buf)
			f.buf = f.buf[:0]
		}
		if f.done { // its last lines were handed on
			f.buf, f.Ingest = nil, nil
		}
	}
	return nil
}

// Problems are the files that broke off while read (ReadTo goes on
// without them), each with why, in the order they did.
func (m *Merge) Problems() []string { return m.problems }

// Close closes every file.
func (m *Merge) Close() error {
	var errs []error
	for _, f := range m.files {
		errs = append(errs, f.close())
	}
	m.files = nil
	return errors.Join(errs...)
}

// mergeFile is one file being replayed.
type mergeFile struct {
	MergeInput
	file      *os.File    // nil once closed
	sc        *lineReader // nil while parked or closed
	scanned   int         // lines sc (and the readers before it) handed out: where a reader opened again resumes
	headBytes int
	jump      int64  // MergeOptions.Jump in seconds
	buf       []byte // lines read for the current second, not yet ingested

	head    []byte // next line, valid until the next advance
	headSec int64
	last    int64 // the newest stamp read: stamp-less lines belong with it
	done    bool

	held  []byte   // a copy of head, when lines had to be read ahead of it
	ahead [][]byte // lines read ahead (copies), oldest first
	spare [][]byte // their buffers, for reuse
}

// open starts reading f.file from its first byte, again when again.
func (f *mergeFile) open(again bool) error {
	if again {
		if _, err := f.file.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	r, err := readFrom(f.file)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	f.sc = newLineReader(r, f.headBytes)
	return nil
}

// park lets go of the read buffers of a file whose lines the clock has
// not reached: its head (and the lines read ahead) are copies, and
// unpark reads on from where the reader was.
func (f *mergeFile) park() {
	if f.sc == nil || f.done {
		return
	}
	f.scanned += f.sc.n
	if len(f.head) > 0 && (len(f.held) == 0 || &f.head[0] != &f.held[0]) {
		f.held = append(f.held[:0], f.head...)
		f.head = f.held
	}
	f.sc = nil
}

// unpark reads f again from its start, up to where park left it.
func (f *mergeFile) unpark() error {
	if err := f.open(true); err != nil {
		return err
	}
	for range f.scanned {
		if !f.sc.Scan() {
			if err := f.sc.Err(); err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
			break // shorter than when it was added (truncated): it ends here
		}
	}
	f.sc.n = 0
	return nil
}

// close closes the file, once, and lets go of what it read (head may
// alias the reader's buffer) and of Stamp, and what it may keep.
func (f *mergeFile) close() error {
	f.sc, f.head, f.held, f.ahead, f.spare = nil, nil, nil, nil, nil
	f.Stamp = nil
	if f.file == nil {
		return nil
	}
	err := f.file.Close()
	f.file = nil
	return err
}

// nextLine is the next non-empty line: one read ahead, if any, else the
// reader's (valid until the next Scan).
func (f *mergeFile) nextLine() ([]byte, bool) {
	if len(f.ahead) > 0 {
		l := f.ahead[0]
		f.ahead = f.ahead[1:]
		f.held = append(f.held[:0], l...)
		f.spare = append(f.spare, l[:0])
		return f.held, true
	}
	for f.sc.Scan() {
		if b := f.sc.Bytes(); len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// lookAhead is how many lines a jump's check reads for a stamp.
const lookAhead = 16

func (f *mergeFile) advance() error {
	line, ok := f.nextLine()
	if !ok {
		f.done = true
		err := f.sc.Err()
		f.close() // read to its end: its buffers and descriptor go
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		return nil
	}
	f.head = line
	sec, ok := f.Stamp(line)
	if !ok {
		// a continuation, or a line with no time: with the one before,
		// or, first in the file, with the first stamped line after it
		// (0, unknown, when none is near: it does not set the clock)
		f.headSec = f.last
		if f.last == 0 {
			f.headSec, _ = f.nextStamp()
		}
		return nil
	}
	if f.last == 0 || sec > f.last+f.jump {
		// One corrupt stamp (year 9999) would move the clock past every
		// later line, and the counters would drop them all as too old.
		// The next stamped line tells: if it falls back by more than the
		// jump, this stamp is corrupt and the line goes with the second
		// before it (or, first in the file, with the one after), where
		// the counters judge its stamp; else the log resumed after a
		// silence.
		if next, ok := f.nextStamp(); ok && next+f.jump < sec {
			if f.last != 0 {
				f.headSec = f.last
			} else {
				f.headSec = next
			}
			return nil
		}
	}
	f.headSec = sec
	f.last = max(f.last, sec)
	return nil
}

// nextStamp reads ahead (keeping head) up to lookAhead lines and returns
// the earliest stamp among them: a second corrupt stamp right after the
// first does not hide the log's own time behind it.
func (f *mergeFile) nextStamp() (int64, bool) {
	f.held = append(f.held[:0], f.head...)
	f.head = f.held
	for len(f.ahead) < lookAhead && f.sc.Scan() {
		b := f.sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var buf []byte
		if n := len(f.spare); n > 0 {
			buf, f.spare = f.spare[n-1], f.spare[:n-1]
		}
		f.ahead = append(f.ahead, append(buf, b...))
	}
	first, found := int64(0), false
	for _, l := range f.ahead {
		if sec, ok := f.Stamp(l); ok && (!found || sec < first) {
			first, found = sec, true
		}
	}
	return first, found
}
