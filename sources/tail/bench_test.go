package tail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A typical combined-format nginx line, about 200 bytes; the last 7 digits
// are a sequence number.
const benchLine = `203.0.113.7 - - [24/Nov/2026:23:59:59 +0800] "GET /api/stage/result?round=3&uid=12345 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)" 0.012 seq=0000000` + "\n"

func benchFile(b *testing.B, lines int) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "access.log")
	buf := bytes.Repeat([]byte(benchLine), lines)
	must(b, os.WriteFile(path, buf, 0o644))
	return path, int64(len(buf))
}

// BenchmarkRead is the read path: a 20 MB file followed from its beginning,
// every line ranged over by the consumer.
func BenchmarkRead(b *testing.B) {
	const lines = 100_000
	path, size := benchFile(b, lines)
	var n, total int
	r := testReader(Options{Start: Start{Kind: StartBeginning}}, nil)
	r.emit = func(batch Batch) {
		for l := range batch.All() {
			n++
			total += len(l)
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n = 0
		readOnce(path, r)
		if n != lines {
			b.Fatalf("%d lines, want %d", n, lines)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

// readOnce follows path from its first byte until nothing more is read,
// as a follower does with a file that appears, and returns its status.
func readOnce(path string, r *reader) FileStatus {
	ft := newFileTail(path, false, true)
	defer ft.close()
	checkUntilQuiet(ft, r)
	return ft.status()
}

// BenchmarkReadBaseline is `wc -l` on the same file: read in the same
// chunks and count newlines. BenchmarkRead's ratio to it is the overhead
// of following.
func BenchmarkReadBaseline(b *testing.B) {
	const lines = 100_000
	path, size := benchFile(b, lines)
	buf := make([]byte, DefaultBufferBytes)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		must(b, err)
		n := 0
		for {
			k, err := f.Read(buf)
			n += bytes.Count(buf[:k], []byte{'\n'})
			if err == io.EOF {
				break
			}
		}
		f.Close()
		if n != lines {
			b.Fatalf("%d lines", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

const writerEnv = "WARROOM_TAIL_TEST_WRITER"

// BenchmarkLive50k measures what following costs while another process
// appends 50,000 lines/s, one write per line like an unbuffered nginx, for
// 3 s: cpu-s/wall-s is this process's user+system CPU time per wall second
// (0.10 is 10% of one core). Run it alone:
//
//	go test -run '^$' -bench Live50k -benchtime 1x ./sources/tail/
func BenchmarkLive50k(b *testing.B) {
	const rate, seconds = 50_000, 3
	for _, notify := range []bool{true, false} {
		b.Run(map[bool]string{true: "notify", false: "poll"}[notify], func(b *testing.B) {
			for range b.N {
				path := filepath.Join(b.TempDir(), "access.log")
				must(b, os.WriteFile(path, nil, 0o644))
				f, err := New(Options{Paths: []string{path}, NoNotify: !notify})
				must(b, err)
				var lines atomic.Int64
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() {
					done <- f.Run(ctx, func(batch Batch) {
						n := 0
						for range batch.All() {
							n++
						}
						lines.Add(int64(n))
					})
				}()
				statusOf(b, f, path, func(FileStatus) bool { return true })

				exe, err := os.Executable()
				must(b, err)
				w := exec.Command(exe)
				w.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%d", writerEnv, path, rate, seconds))
				w.Stderr = os.Stderr
				cpu0, wall0 := cpuTime(b), time.Now()
				must(b, w.Run())
				waitFor(b, "all lines", func() bool { return lines.Load() == rate*seconds })
				cpu, wall := cpuTime(b)-cpu0, time.Since(wall0)
				cancel()
				must(b, <-done)
				b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cpu-s/wall-s")
				b.ReportMetric(float64(lines.Load())/wall.Seconds(), "lines/s")
			}
		})
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	must(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runWriterProcess appends benchLine at a steady rate: spec is
// "path|lines per second|seconds".
func runWriterProcess(spec string) int {
	parts := strings.Split(spec, "|")
	rate, _ := strconv.Atoi(parts[1])
	seconds, _ := strconv.Atoi(parts[2])
	f, err := os.OpenFile(parts[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	line := []byte(benchLine)
	digits := line[len(line)-8 : len(line)-1]
	total := rate * seconds
	begin := time.Now()
	for written := 0; written < total; {
		due := min(total, int(time.Since(begin).Seconds()*float64(rate)))
		for ; written < due; written++ {
			v := written
			for i := len(digits) - 1; i >= 0; i-- {
				digits[i] = byte('0' + v%10)
				v /= 10
			}
			if _, err := f.Write(line); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0
}

// BenchmarkNULRun is skipping a 64 MB run before one line: a sparse hole
// (what a copytruncate leaves behind a writer without O_APPEND), jumped
// where the system can find data, and the same run as written zeros, read
// through.
func BenchmarkNULRun(b *testing.B) {
	const run = 64 << 20
	for _, sparse := range []bool{true, false} {
		b.Run(map[bool]string{true: "sparse", false: "zeros"}[sparse], func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "app.log")
			f, err := os.Create(path)
			must(b, err)
			if !sparse {
				_, err = f.Write(make([]byte, run))
				must(b, err)
			}
			_, err = f.WriteAt([]byte(benchLine), run)
			must(b, err)
			must(b, f.Close())
			n := 0
			r := testReader(Options{Start: Start{Kind: StartBeginning}}, nil)
			r.emit = func(batch Batch) { n += batch.Lines }
			b.SetBytes(run)
			b.ResetTimer()
			for range b.N {
				n = 0
				if st := readOnce(path, r); n != 1 || st.NULBytes != run {
					b.Fatalf("%d lines, %d NUL bytes skipped", n, st.NULBytes)
				}
			}
		})
	}
}
