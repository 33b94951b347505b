package tail

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestCut(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		eof      bool
		want     string
		consumed int
		long     int
	}{
		{"whole lines", "a\nbb\n", false, "a\nbb\n", 5, 0},
		{"partial held", "a\nbb", false, "a\n", 2, 0},
		{"partial at eof", "a\nbb", true, "a\nbb\n", 4, 0},
		{"empty lines", "\n\n", false, "\n\n", 2, 0},
		{"long line capped", "0123456789ab\nc\n", false, "01234\nc\n", 15, 1},
		{"long partial", "a\n0123456789", false, "a\n01234\n", 12, 1},
		{"exactly max", "01234\n", false, "01234\n", 6, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sp := splitter{max: 5}
			buf := make([]byte, len(c.in), len(c.in)+1)
			copy(buf, c.in)
			out, consumed, lines, long := sp.cut(buf, c.eof)
			if string(out) != c.want || consumed != c.consumed || long != c.long {
				t.Fatalf("cut(%q) = %q, %d consumed, %d long; want %q, %d, %d", c.in, out, consumed, long, c.want, c.consumed, c.long)
			}
			if lines != strings.Count(c.want, "\n") {
				t.Fatalf("lines = %d, want %d", lines, strings.Count(c.want, "\n"))
			}
		})
	}
}

func TestCutSkipsTailOfLongLineAcrossCalls(t *testing.T) {
	sp := splitter{max: 4}
	out, consumed, _, long := sp.cut([]byte("abcdefgh"), false)
	if string(out) != "abcd\n" || consumed != 8 || long != 1 {
		t.Fatalf("first: %q %d %d", out, consumed, long)
	}
	out, consumed, _, _ = sp.cut([]byte("ijk\nxy\n"), false)
	if string(out) != "xy\n" || consumed != 7 {
		t.Fatalf("second: %q %d", out, consumed)
	}
}

func TestBatchAll(t *testing.T) {
	b := Batch{Data: []byte("a\n\nccc\n"), Lines: 3}
	var got []string
	for l := range b.All() {
		got = append(got, string(l))
	}
	if strings.Join(got, "|") != "a||ccc" {
		t.Fatalf("got %q", got)
	}
	allocs := testing.AllocsPerRun(100, func() {
		n := 0
		for l := range b.All() {
			n += len(l)
		}
		for data := b.Data; len(data) > 0; {
			var l []byte
			l, data = NextLine(data)
			n += len(l)
		}
	})
	if allocs != 0 {
		t.Fatalf("iterating a batch allocates %.1f times", allocs)
	}
}

// referenceLines is the obvious, slow model of what the splitter delivers,
// and of the NUL runs it skips.
func referenceLines(in []byte, max int) (lines []string, long, runs, nuls int) {
	for len(in) > 0 {
		if k := len(in) - len(bytes.TrimLeft(in, "\x00")); k > 0 {
			runs++
			nuls += k
			in = in[k:]
			continue
		}
		i := bytes.IndexByte(in, '\n')
		var line []byte
		if i < 0 {
			line, in = in, nil
		} else {
			line, in = in[:i], in[i+1:]
		}
		if len(line) > max {
			line = line[:max]
			long++
		}
		lines = append(lines, string(line))
	}
	return lines, long, runs, nuls
}

// FuzzStream feeds data through stream in reads of arbitrary sizes and
// compares with the reference.
func FuzzStream(f *testing.F) {
	f.Add([]byte("a\nbb\nccc"), uint8(3), uint8(2))
	f.Add([]byte("0123456789\n0123456789abcdef\nx"), uint8(4), uint8(1))
	f.Add([]byte("\n\n\n"), uint8(1), uint8(7))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00abc\nde\x00f\n\x00\x00\n\x00"), uint8(4), uint8(3))
	f.Add([]byte("ab\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00cd"), uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, max, chunk uint8) {
		m := int(max%16) + 1
		sp := splitter{max: m}
		buf := make([]byte, 2*m+2+int(chunk%8))
		var got []string
		var long, runs, nuls int
		var next int64 // where the next run may start: after the previous one
		err := stream(&chunkReader{data: data, n: int(chunk%5) + 1}, &sp, buf, func(out []byte, lines, l int) {
			long += l
			n := 0
			for d := out; len(d) > 0; n++ {
				var line []byte
				line, d = NextLine(d)
				got = append(got, string(line))
			}
			if n != lines {
				t.Fatalf("emit says %d lines, has %d", lines, n)
			}
		}, func(at, n int64) {
			if at < next || at+n > int64(len(data)) || leadingNULs(data[at:at+n]) != int(n) || at+n < int64(len(data)) && data[at+n] == 0 {
				t.Fatalf("skipped %d at %d: not a whole NUL run of %q", n, at, data)
			}
			next = at + n
			runs++
			nuls += int(n)
		})
		if err != nil {
			t.Fatal(err)
		}
		want, wantLong, wantRuns, wantNULs := referenceLines(data, m)
		if strings.Join(got, "\x00|") != strings.Join(want, "\x00|") || long != wantLong {
			t.Fatalf("max %d: got %q (%d long), want %q (%d long)", m, got, long, want, wantLong)
		}
		if runs != wantRuns || nuls != wantNULs {
			t.Fatalf("max %d: skipped %d runs of %d NULs, want %d of %d", m, runs, nuls, wantRuns, wantNULs)
		}
	})
}

type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[n:]
	return n, nil
}
