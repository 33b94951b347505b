package notify_test

import (
	"context"
	"log"
	"os"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/config"
	"warroom/sources/notify"
)

// How cmd wires the dispatcher: the section decoded from warroom.yaml, the
// environment and clock injected, and the dispatcher given to the
// collector as one of its sinks (collect.Options.Sinks), which hands it
// every tick's transitions and shows its Status in the status bar.
func Example() {
	cfg := notify.DefaultConfig // a missing `notify:` section keeps these
	if err := config.Load(strings.NewReader("webhooks:\n  - {name: oncall, kind: feishu, url_env: WARROOM_FEISHU_URL}\n"), &cfg); err != nil {
		log.Fatal(err)
	}
	cfg.SetDirectory("/etc/warroom")
	d, err := notify.New(cfg, notify.Options{
		Title:       "warroom · year-end",
		Now:         time.Now,
		Env:         os.Getenv,
		TerminalOut: os.Stderr, // headless watch; the TUI forwards to its program instead
		InTmux:      os.Getenv("TMUX") != "",
		Logf:        log.Printf,
	})
	if err != nil {
		log.Fatal(err) // e.g. notify: webhook "oncall": url_env: $WARROOM_FEISHU_URL is unset or empty
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)

	var sink sources.Sink = d // what the collector sees
	sink.Take([]sources.Transition{{At: time.Now(), Indicator: "nginx.499_rate", From: sources.StateOK, To: sources.StateCrit,
		Value: 12.3, Threshold: 5, Unit: sources.UnitPerSecond}})
	for _, s := range sink.Status() {
		log.Println(s.Name, s.Health, s.Detail) // e.g. oncall unreachable HTTP 400
	}
}
