package main

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"

	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// Scan on every core: a plain file is cut into parts of scanPartSize
// bytes, each moved forward to the start of a line, and each part is
// counted by its own aggregator; the aggregators are merged in the order
// of the parts, files in the order given. The cuts depend on the files
// alone, not on --jobs, which only says how many parts are counted at
// once: the summary is the same bytes whatever --jobs is. A gzip file, a
// pipe, and a file of one part are read from start to end in one part.

// scanPartSize is the bytes of a part (a variable for tests).
var scanPartSize int64 = 32 << 20

// scanPart is a part of a file: lines starting in [from, to), moved
// forward to line starts; to < 0 is the end of the file, and a part with
// whole set is the file read as a stream (gzip decompressed).
type scanPart struct {
	path     string
	from, to int64
	whole    bool
}

// planParts cuts each file into parts.
func planParts(files []string, size int64) []scanPart {
	var parts []scanPart
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || !st.Mode().IsRegular() || st.Size() <= size || isGzip(f) {
			// one part; an error is the stream's to report, in turn
			parts = append(parts, scanPart{path: f, whole: true})
			continue
		}
		for off := int64(0); off < st.Size(); off += size {
			to := off + size
			if to >= st.Size() {
				to = -1 // the file may have grown: read what is there then
			}
			parts = append(parts, scanPart{path: f, from: off, to: to})
		}
	}
	return parts
}

// isGzip says whether the file starts with gzip's magic bytes, as tail.Open
// tells them.
func isGzip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}

// scanParts counts the parts, jobs at a time, and merges them in order
// into the aggregator of the first part. At most jobs+1 parts are held
// counted and not yet merged.
func scanParts(parts []scanPart, opts nginx.Options, jobs int) (*nginx.Aggregator, error) {
	opts.Seed = maphash.MakeSeed() // the parts' paths are the same keys
	type result struct {
		agg *nginx.Aggregator
		err error
	}
	results := make([]chan result, len(parts))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	held := make(chan struct{}, jobs+1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(next)
		for i := range parts {
			select {
			case held <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	// aggregators merged, to count other parts in: a part's sketches
	// grow to megabytes, and new ones for every part ran the collector
	// five times as often (its write barriers on through the parser),
	// which made a one-core scan 10-15% slower
	free := make(chan *nginx.Aggregator, jobs+1)
	for range min(jobs, len(parts)) {
		go func() {
			buf := make([]byte, scanBatch)
			for i := range next {
				o := opts
				o.Follows = i > 0
				var agg *nginx.Aggregator
				select {
				case old := <-free:
					agg = old.Recycle(o)
				default:
					agg = nginx.NewAggregator(o)
				}
				results[i] <- result{agg, countPart(parts[i], agg, buf)}
			}
		}()
	}
	var all *nginx.Aggregator
	for i := range parts {
		r := <-results[i]
		<-held
		if r.err != nil {
			return nil, r.err
		}
		if all == nil {
			all = r.agg
			continue
		}
		if err := all.Merge(r.agg); err != nil {
			return nil, err
		}
		select {
		case free <- r.agg:
		default:
		}
	}
	return all, nil
}

// countPart streams the lines of one part into agg, reading into buf.
func countPart(p scanPart, agg *nginx.Aggregator, buf []byte) error {
	if p.whole {
		r, err := tail.Open(p.path)
		if err != nil {
			return err
		}
		defer r.Close()
		return scanStream(r, p.path, agg, buf)
	}
	f, err := os.Open(p.path)
	if err != nil {
		return err
	}
	defer f.Close()
	from, err := lineStart(f, p.from)
	if err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	to := int64(math.MaxInt64)
	if p.to >= 0 {
		if to, err = lineStart(f, p.to); err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
	}
	if from >= to {
		return nil // a line longer than the part began before it and ends after
	}
	return scanStream(io.NewSectionReader(f, from, to-from), p.path, agg, buf)
}

// lineStart is the offset of the first line starting at or after off:
// off itself when a newline is just before it, else just past the next
// newline; MaxInt64 when no line starts there (the rest of the file is
// the end of a line).
func lineStart(f *os.File, off int64) (int64, error) {
	if off == 0 {
		return 0, nil
	}
	buf := make([]byte, 4<<10)
	for pos := off - 1; ; {
		n, err := f.ReadAt(buf, pos)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, nil
		}
		if err == io.EOF {
			return math.MaxInt64, nil
		}
		if err != nil {
			return 0, err
		}
		pos += int64(n)
	}
}

// Batches of 256 KiB: what read copies in is still in the second-level
// cache when the parser reaches it (4 MiB batches were ~6% slower end to
// end), and any line up to MaxLine fits.
const scanBatch = 256 << 10

// scanStream feeds r (one part, or a whole file or stream, starting at a
// line start) into agg in batches of len(buf).
func scanStream(r io.Reader, path string, agg *nginx.Aggregator, buf []byte) error {
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		data := buf[:carry+n]
		if err == io.EOF {
			if len(data) > 0 {
				agg.Ingest(data)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		last := bytes.LastIndexByte(data, '\n')
		if last < 0 {
			if k := leadingNULs(data); k > 0 && len(data) == len(buf) {
				// a hole of NULs longer than the buffer (a copytruncate
				// behind a writer without O_APPEND): skip it, keeping one
				// NUL so the aggregator counts the run once and reads the
				// line behind it
				carry = copy(buf, data[k-1:])
				continue
			}
			if len(data) == len(buf) {
				// a line longer than the buffer: count it as too long and
				// skip to its end
				agg.Ingest(data[:nginx.MaxLine+1])
				if carry, err = skipLine(r, buf); err != nil {
					if err == io.EOF {
						return nil
					}
					return fmt.Errorf("%s: %w", path, err)
				}
			} else {
				carry = len(data)
			}
			continue
		}
		agg.Ingest(data[:last+1])
		carry = copy(buf, data[last+1:])
	}
}

// leadingNULs is how many NUL bytes b starts with.
func leadingNULs(b []byte) int {
	k := 0
	for k < len(b) && b[k] == 0 {
		k++
	}
	return k
}

// skipLine reads (into buf) past the end of the current line and moves
// what follows the newline to the start of buf, returning its length.
func skipLine(r io.Reader, buf []byte) (int, error) {
	for {
		n, err := r.Read(buf)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return copy(buf, buf[i+1:n]), nil
		}
		if err != nil {
			return 0, err
		}
	}
}
