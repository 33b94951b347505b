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
// environment and clock injected, transitions handed over from the
// collector's tick, Status shown in the status bar.
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
		TerminalOut: os.Stderr, // headless watch; the TUI forwards to tea.Raw instead
		InTmux:      os.Getenv("TMUX") != "",
		Logf:        log.Printf,
	})
	if err != nil {
		log.Fatal(err) // e.g. notify: webhook "oncall": url_env: $WARROOM_FEISHU_URL is unset or empty
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)

	onTransition := func(tr sources.Transition) { d.Notify(tr) } // collect.Options.OnTransition
	onTransition(sources.Transition{At: time.Now(), Indicator: "nginx.499_rate", From: sources.StateOK, To: sources.StateCrit})
	for _, s := range d.Status() {
		log.Println(s)
	}
}
