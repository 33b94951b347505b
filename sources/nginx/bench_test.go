package nginx

import (
	"bytes"
	"testing"
	"time"

	"warroom/sources/nginx/synth"
)

func benchLog(b *testing.B, lines int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Seed: 7, Lines: lines}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkParse(b *testing.B) {
	data := benchLog(b, 20000)
	var lines [][]byte
	for _, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		lines = append(lines, l)
	}
	f, err := CompileFormat("timed")
	if err != nil {
		b.Fatal(err)
	}
	p := NewParser(f, ClientRemoteAddr)
	var r Record
	b.SetBytes(int64(len(data) / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if reason := p.Parse(lines[i%len(lines)], &r); reason != ReasonNone {
			b.Fatal(reason)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	var n Normalizer
	paths := [][]byte{[]byte("/yearend-api/v1/user/12345/progress?x=1"), []byte("/static/js/beanPay-77cc09a6.js"), []byte("/pay/order/9f1c2d3e-1111-2222-3333-444455556666")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n.Normalize(paths[i%len(paths)])
	}
}

// BenchmarkIngest is the whole per-line path (parse, normalize, rings,
// histogram, top-K, distinct) over realistic ~300-byte lines.
func BenchmarkIngest(b *testing.B) {
	data := benchLog(b, 100000)
	f, _ := CompileFormat("timed")
	a := NewAggregator(Options{Format: f, Slow: time.Second, Seconds: 600, Minutes: 120, DetailMinutes: 60,
		Groups: []Group{{Name: "pay", Prefix: "/pay/"}, {Name: "static", Glob: "/static/*"}}})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Ingest(data)
	}
	b.ReportMetric(float64(b.N)*100000/b.Elapsed().Seconds(), "lines/s")
}
