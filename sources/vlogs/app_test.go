package vlogs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources"
	"warroom/sources/applog"
	"warroom/sources/collect"
	"warroom/sources/vlogs"
	"warroom/sources/vlogs/vltest"
	"warroom/sources/watch"
)

var appMessages = []string{
	"ERROR SequelizeDatabaseError: read ECONNRESET",
	"ERROR Error: connect ECONNREFUSED 10.0.3.7:3306",
	"ERROR SequelizeConnectionAcquireTimeoutError: Operation timeout",
	"FATAL JavaScript heap out of memory",
	"INFO GET /yearend-api/v1/rank 200 12ms",
	"ERROR \x1b[31mSequelizeDatabaseError: read ECONNRESET\x1b[0m",
}

// An app stream counts what an application log read from a file counts:
// the db pack (each line once, whichever members it matched), a member,
// the user's own pattern — over the same minutes. Its lines say which
// host wrote them, repeats folded, the server's text sanitized.
func TestAppStreamCountsAsTheAppLog(t *testing.T) {
	vl := vltest.Start(t)
	base := time.Now().Truncate(time.Second).Add(-6 * time.Minute)
	r := rand.New(rand.NewPCG(3, 4))
	var file []string
	var lines []vltest.Line
	for s := 0; s < 300; s++ {
		for j := range r.IntN(4) {
			at := base.Add(time.Duration(s)*time.Second + time.Duration(j)*100*time.Millisecond)
			msg := appMessages[r.IntN(len(appMessages))]
			host := fmt.Sprintf("api-%d", r.IntN(3))
			line := at.UTC().Format("2006-01-02T15:04:05.000Z") + " " + msg
			file = append(file, line)
			lines = append(lines, vltest.Line{Time: at, Msg: line, Fields: map[string]string{"app": "api", "host": host}})
		}
	}
	vl.Insert(t, "app:=api", lines)
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte(strings.Join(file, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	acfg := applog.DefaultSourceConfig
	acfg.Name, acfg.Paths, acfg.Start = "app", []string{path}, "beginning"
	acfg.Patterns = []applog.PatternConfig{{Name: "oom", Substring: "JavaScript heap out of memory"}}
	app, err := applog.NewSource(acfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	go app.Run(ctx)
	cfg := vlogs.Config{
		Servers: []vlogs.ServerConfig{{Name: "vl", URL: vl.URL}},
		Streams: []vlogs.StreamConfig{{Name: "api", Kind: vlogs.KindApp, Filter: "app:=api",
			Patterns: []vlogs.PatternConfig{{Name: "oom", Substring: "JavaScript heap out of memory"}}}},
	}
	srcs, err := vlogs.New(cfg, vlogs.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	api := srcs[0].(*vlogs.App)
	api.Refresh(ctx)
	// pack members show when a rule names them
	var rules watch.Rules
	for _, m := range []string{"econnreset", "econnrefused", "sequelize_connection_error"} {
		rules = append(rules, watch.Rule{Indicator: "app." + m, Warn: watch.Float(1e9), Recover: 1}, watch.Rule{Indicator: "api." + m, Warn: watch.Float(1e9), Recover: 1})
	}
	c, err := collect.New(collect.Options{Apps: []*applog.Source{app}, Sources: srcs, Now: time.Now, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for app.Watcher().Entries() < uint64(len(file)) || app.Status()[0].Loading {
		if time.Now().After(deadline) {
			t.Fatalf("the app log read %d of %d lines", app.Watcher().Entries(), len(file))
		}
		time.Sleep(20 * time.Millisecond)
	}
	compared := 0
	for end := base.Add(30 * time.Second); !end.After(base.Add(330 * time.Second)); end = end.Add(11 * time.Second) {
		c.Tick(end.Add(collect.DefaultLag))
		s := c.Snapshot()
		for _, m := range []string{"db", "econnreset", "econnrefused", "sequelize_connection_error", "oom"} {
			a, _ := s.Indicator("app." + m)
			v, ok := s.Indicator("api." + m)
			if !ok {
				t.Fatalf("api.%s not shown (%v)", m, c.Indicators())
			}
			if a.Value.Value != v.Value.Value || a.Value.Health != v.Value.Health || v.Value.Health != sources.HealthOK {
				t.Errorf("minute before %s, %s: app log %v %v, VictoriaLogs %v %v %q", end.Format(time.TimeOnly), m,
					a.Value.Value, a.Value.Health, v.Value.Value, v.Value.Health, v.Value.Err)
			}
			if v.Value.Value > 0 {
				compared++
			}
		}
	}
	if compared < 50 {
		t.Fatalf("only %d nonzero values compared", compared)
	}

	// the lines come from a query of their own, which a loaded machine
	// may time out: asked again as the source asks every 5 s
	view := api.LogView(time.Now())
	for deadline := time.Now().Add(60 * time.Second); len(view.Lines) == 0 && time.Now().Before(deadline); view = api.LogView(time.Now()) {
		api.Refresh(ctx)
	}
	if len(view.Lines) == 0 || len(view.Lines) > vlogs.DefaultKeep {
		t.Fatalf("%d lines", len(view.Lines))
	}
	for _, l := range view.Lines {
		if !strings.HasPrefix(l.Text, "api-") || strings.Contains(l.Text, "INFO GET") || strings.ContainsRune(l.Text, 0x1b) {
			t.Errorf("line %q", l.Text)
		}
		if strings.Contains(l.Text, "ECONNRESET") && (l.Pattern != "sequelize_database_error,econnreset" || l.Text[l.KeyFrom:l.KeyTo] != "SequelizeDatabaseError") {
			t.Errorf("line %q: patterns %q, key %q", l.Text, l.Pattern, l.Text[l.KeyFrom:l.KeyTo])
		}
	}
}
