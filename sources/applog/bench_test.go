package applog

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkIngestFlood is a stage-end flood: every entry a database error
// with its stack trace, request ids and ports differing, with an info line
// between — the watcher's worst case, every entry matched and kept.
func BenchmarkIngestFlood(b *testing.B) {
	var batch []byte
	lines := 0
	start := time.Date(2026, 12, 31, 17, 29, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		at := start.Add(time.Duration(i) * 50 * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
		batch = fmt.Appendf(batch, "%s ERROR [yearend-api] [req-%06x] SequelizeDatabaseError: read ECONNRESET 10.0.0.5:%d\n"+
			"    at Query.formatError (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:265:16)\n"+
			"    at Query.run (/srv/yearend-api/node_modules/sequelize/lib/dialects/mysql/query.js:68:18)\n"+
			"%s INFO [yearend-api] GET /yearend-api/v1/rank 200 %dms\n", at, i*7919, 30000+i, at, i%40)
		lines += 4
	}
	w, err := New(Options{Name: "app", Packs: []string{"db", "upstream"}, Now: func() time.Time { return start.Add(time.Minute) }, Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Ingest(batch)
		w.Flush()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
