package tail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// LastLines reads up to n whole lines from the end of the file at path,
// oldest first, reading at most maxBytes back from the end. A last line
// still being written (no newline yet) is left out. It is what format
// detection and `warroom check` look at: the lines the log is writing now,
// not the ones it wrote before the last reload.
func LastLines(path string, n, maxBytes int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathErr(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, pathErr(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("tail: %s: not a regular file", path)
	}
	size := fi.Size()
	end := size
	var tail []byte // bytes from end backwards, growing
	const chunk = 64 << 10
	for end > 0 && len(tail) < maxBytes && bytes.Count(tail, []byte{'\n'}) <= n {
		k := min(int64(chunk), end, int64(maxBytes-len(tail)))
		buf := make([]byte, k, int64(len(tail))+k)
		if _, err := f.ReadAt(buf, end-k); err != nil && err != io.EOF {
			return nil, pathErr(path, err)
		}
		tail = append(buf, tail...)
		end -= k
	}
	// drop the unfinished last line, then a first line cut by the window
	if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
		tail = tail[:i]
	} else {
		return nil, nil
	}
	if end > 0 {
		i := bytes.IndexByte(tail, '\n')
		if i < 0 {
			return nil, nil
		}
		tail = tail[i+1:]
	}
	lines := bytes.Split(tail, []byte{'\n'})
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}

// Newest is the most recently modified regular file that patterns (paths
// or globs, as a source's `paths`) name now, or "" when none exists.
func Newest(patterns []string) string {
	best, bestT := "", int64(0)
	for _, p := range patterns {
		var names []string
		if lit, ok := Literal(p); ok {
			names = []string{lit}
		} else {
			names, _ = filepath.Glob(p)
		}
		for _, name := range names {
			fi, err := os.Stat(name)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if t := fi.ModTime().UnixNano(); best == "" || t > bestT {
				best, bestT = name, t
			}
		}
	}
	return best
}

// Open opens the file at path for reading from its start, through gzip
// when it is gzipped (told by its magic bytes, whatever its name). Close
// closes both.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	r, err := readFrom(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return readCloser{r, f.Close}, nil
}

// readFrom reads f from where it is, through gzip when it is gzipped; it
// holds buffers (about 100 KiB gzipped, 64 KiB not), which go when it is
// dropped, but not f.
func readFrom(f *os.File) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// FirstLines reads up to n whole, non-empty lines from the start of the
// file at path (gzipped or not), reading at most maxBytes: the sample a
// scan or a replay, which read from the start, detects a format from.
func FirstLines(path string, n, maxBytes int) ([][]byte, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, maxBytes)
	k, err := io.ReadFull(r, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	buf = buf[:k]
	if k == maxBytes { // the last line may be cut
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			buf = buf[:i]
		}
	}
	var lines [][]byte
	for len(buf) > 0 && len(lines) < n {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		if len(line) > 0 {
			lines = append(lines, line)
		}
	}
	return lines, nil
}
