package demo

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"warroom/sources/applog"
	"warroom/sources/nginx"
	"warroom/sources/tail"
)

// A campaign is its options: the same bytes whatever the days are
// written by, gzipped ones included.
func TestCampaignIsDeterministic(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for i, jobs := range []int{1, 3} {
		if err := WriteCampaign(CampaignOptions{Dir: dirs[i], Days: 3, Peak: 0.5, Seed: 9, Jobs: jobs}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(dir string) []string {
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	want := []string{"access.log", "access.log.1", "access.log.2.gz", "access.log.3.gz",
		"app.log", "app.log.1", "app.log.2.gz", "app.log.3.gz", "warroom.yaml"}
	if got := names(dirs[0]); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	for _, name := range want {
		a, _ := os.ReadFile(filepath.Join(dirs[0], name))
		b, _ := os.ReadFile(filepath.Join(dirs[1], name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: %d bytes with one job, %d with three, or they differ", name, len(a), len(b))
		}
	}
}

// The campaign's traffic, read back with the real counters: the evening
// peak and the small hours' low by day, a flood with 499s, slow requests
// and ECONNRESET after the stage end at midnight, the day's files ending
// where the next begin.
func TestCampaignPlaysTheDays(t *testing.T) {
	dir := t.TempDir()
	first := time.Date(2026, 12, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	o := CampaignOptions{Dir: dir, Days: 1, Peak: 10, Seed: 4}
	if err := WriteCampaign(o); err != nil {
		t.Fatal(err)
	}
	end := first.Add(24 * time.Hour) // the stage end, the last file's first second
	read := func(name string) []byte {
		r, err := tail.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	f, _ := nginx.CompileFormat("timed")
	agg := nginx.NewAggregator(nginx.Options{Format: f})
	day, night := read("access.log.1"), read("access.log")
	agg.Ingest(day)
	agg.Ingest(night)
	if sum := agg.Summary(1); sum.BadLines != 0 || !sum.First.Equal(first) || !sum.Last.Equal(end.Add(time.Hour-time.Second)) {
		t.Fatalf("%d malformed lines, %v to %v", sum.BadLines, sum.First, sum.Last)
	}
	if !bytes.Contains(night[:200], []byte("[13/Dec/2026:00:00:00 +0800]")) {
		t.Errorf("access.log starts with %q, want the stage end's second", night[:100])
	}
	rate := func(from, to time.Duration) float64 {
		w := agg.Window(first.Add(from), first.Add(to), 0)
		return float64(w.Requests) / (to - from).Seconds()
	}
	if r := rate(21*time.Hour, 21*time.Hour+10*time.Minute); r < 8 || r > 12 {
		t.Errorf("%.1f req/s at 21:00, want about the peak of 10", r)
	}
	if r := rate(3*time.Hour, 5*time.Hour); r > 1 {
		t.Errorf("%.1f req/s in the small hours, want a twentieth of the peak", r)
	}
	// the last night: a flood of 10 × peak × 1.5, ±30%
	storm := agg.Window(end, end.Add(40*time.Second), 0)
	if r := float64(storm.Requests) / 40; r < 100 || r > 200 {
		t.Errorf("%.0f req/s in the storm, want 105–195", r)
	}
	hang := agg.Window(end.Add(60*time.Second), end.Add(200*time.Second), 0)
	if r := float64(hang.S499) / 140; r < 8 || r > 20 {
		t.Errorf("%.1f 499/s in the hang, want about 14", r)
	}
	if hang.SlowRatio() < 0.05 {
		t.Errorf("slow ratio %.3f in the hang", hang.SlowRatio())
	}
	w, err := applog.New(applog.Options{Name: "app", Packs: []string{"db"}, Now: func() time.Time { return end.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	w.Ingest(read("app.log.1"))
	w.Ingest(read("app.log"))
	w.Flush()
	if n, _ := w.Count("db", end.Add(60*time.Second), end.Add(150*time.Second)); n < 400 || n > 700 {
		t.Errorf("%d db errors in the hang, want about 540", n)
	}
	if n, _ := w.Count("db", end.Add(-12*time.Hour), end.Add(-time.Hour)); n > 0 && n < 20 {
		t.Errorf("%d db errors by day: a burst is 20–60 s of 1–3 a second", n)
	}
}
