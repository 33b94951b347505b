package nginx

import (
	"bytes"
	"testing"
	"time"
)

// The stage benchmarks split the per-line cost of scan: each adds one
// stage to the previous over the same 200k-line block (scan's options).
func stageData(b *testing.B) []byte { return benchLog(b, 200000) }

func perLine(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/line")
}

func BenchmarkStageSplit(b *testing.B) {
	data := stageData(b)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = 0
		for off := 0; off < len(data); {
			j := bytes.IndexByte(data[off:], '\n')
			if j < 0 {
				break
			}
			n++
			off += j + 1
		}
	}
	perLine(b, n)
}

func BenchmarkStageParse(b *testing.B) {
	data := stageData(b)
	f, _ := CompileFormat("timed")
	p := newCountingParser(f, ClientRemoteAddr) // as the aggregator parses
	var r Record
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = 0
		for off := 0; off < len(data); {
			j := bytes.IndexByte(data[off:], '\n')
			if j < 0 {
				break
			}
			p.parse(data[off:off+j], &r, true)
			n++
			off += j + 1
		}
	}
	perLine(b, n)
}

func BenchmarkStageNormalize(b *testing.B) {
	data := stageData(b)
	f, _ := CompileFormat("timed")
	p := newCountingParser(f, ClientRemoteAddr) // as the aggregator parses
	var nz Normalizer
	var r Record
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = 0
		for off := 0; off < len(data); {
			j := bytes.IndexByte(data[off:], '\n')
			if j < 0 {
				break
			}
			p.parse(data[off:off+j], &r, true)
			nz.Normalize(r.Path)
			n++
			off += j + 1
		}
	}
	perLine(b, n)
}

func BenchmarkStageScan(b *testing.B) {
	data := stageData(b)
	f, _ := CompileFormat("timed")
	a := NewAggregator(Options{Format: f, Slow: time.Second, Seconds: 600, Minutes: 120, DetailMinutes: 1, NoDetail: true})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Ingest(data)
	}
	perLine(b, 200000)
}
