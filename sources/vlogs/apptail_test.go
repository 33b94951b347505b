package vlogs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"warroom/sources/collect"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
)

// An app stream's new lines come by the live tail, not the next query
// (queries are an hour apart here); when VictoriaLogs goes away the
// status says the tail is down, and once it is back the tail reconnects
// and the lines come again.
func TestAppLinesComeByTheLiveTail(t *testing.T) {
	vl := vltest.Start(t)
	cfg := vlogs.Config{Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL, Timeout: vlTimeout}},
		Streams: []vlogs.StreamConfig{{Name: "api", Kind: vlogs.KindApp, Filter: "app:=api"}}}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now, DetailEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	a := srcs[0].(*vlogs.App)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	ship := func(n int, what string) {
		var lines []vltest.Line
		for i := range n {
			lines = append(lines, vltest.Line{Time: time.Now(), Msg: fmt.Sprintf("SequelizeDatabaseError: read ECONNRESET (%s %d)", what, i),
				Fields: map[string]string{"app": "api", "host": "api-2"}})
		}
		vl.Insert(t, "app:=api", lines)
	}
	// lines that read alike but for their numbers fold into the latest,
	// with a count, as an app log's do
	shown := func(what string, count uint64) bool {
		for _, l := range a.LogView(time.Now()).Lines {
			if strings.Contains(l.Text, what) && l.Count == count {
				return true
			}
		}
		return false
	}
	waitFor(t, "the tail to connect", func() (bool, string) { return a.Tailing(), "" })
	ship(3, "first")
	waitFor(t, "the first lines by the tail", func() (bool, string) {
		return shown("api-2 SequelizeDatabaseError: read ECONNRESET (first 2)", 3), fmt.Sprint(a.LogView(time.Now()).Lines)
	})

	vl.Stop(t)
	waitFor(t, "the status to say the tail is down", func() (bool, string) {
		st := a.Status(collect.TickInfo{At: time.Now()})[0]
		return strings.Contains(st.Detail, "live tail"), st.Detail
	})
	vl.Restart(t)
	waitFor(t, "the tail to reconnect", func() (bool, string) { return a.Tailing(), "" })
	ship(2, "again")
	waitFor(t, "the lines after the restart", func() (bool, string) {
		return shown("(again 1)", 2) && shown("(first 2)", 3), fmt.Sprint(a.LogView(time.Now()).Lines)
	})
	if st := a.Status(collect.TickInfo{At: time.Now()})[0]; strings.Contains(st.Detail, "live tail") {
		t.Errorf("reconnected, the status still says %q", st.Detail)
	}
}
