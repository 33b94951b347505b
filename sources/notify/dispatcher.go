package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	promcfg "github.com/prometheus/common/config"

	"warroom/sources"
)

// Options are what the caller (cmd) injects: the library reads no
// environment and no clock of its own.
type Options struct {
	// Title starts every message, e.g. "warroom · 2025 year-end".
	// Default "warroom".
	Title string
	// Now is the wall clock; it schedules grouping and stamps Feishu
	// signatures, so it must advance like time.Now. Default time.Now.
	Now func() time.Time
	// Env resolves url_env and secret_env (os.Getenv in cmd). Nil: every
	// variable is unset.
	Env func(string) string
	// ReadFile reads url_file and secret_file. Default os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// TerminalOut receives bells and OSC notifications (stderr or the tty
	// in `warroom watch`; a writer that forwards to the bubbletea program
	// in the TUI). Nil: no terminal notifier.
	TerminalOut io.Writer
	// InTmux wraps OSC sequences in tmux passthrough (cmd: $TMUX != "").
	InTmux bool
	// Logf reports delivery failures (already free of secrets). Nil: the
	// failures are only in Status.
	Logf func(format string, args ...any)
	// QueueSize bounds each notifier's queue of transitions; beyond it
	// Notify drops and counts. Default 256.
	QueueSize int
	// Backoff is the wait before the first retry, doubled for each next
	// one up to 30s. Default 1s.
	Backoff time.Duration
}

// Dispatcher fans transitions out to the terminal and the webhooks.
type Dispatcher struct {
	terminal Terminal
	term     *terminalNotifier // nil without TerminalOut or with nothing to emit
	hooks    []*webhook
	running  atomic.Bool
}

// New builds the notifiers: it reads url_file/secret_file and the
// environment now, so a missing secret is an error at startup rather than
// a silent failure at midnight.
func New(cfg Config, o Options) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if o.Title == "" {
		o.Title = "warroom"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Env == nil {
		o.Env = func(string) string { return "" }
	}
	if o.ReadFile == nil {
		o.ReadFile = os.ReadFile
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	d := &Dispatcher{terminal: NewTerminal(cfg, o.Title, o.InTmux)}
	if o.TerminalOut != nil && (cfg.Bell || cfg.Desktop) {
		d.term = &terminalNotifier{t: d.terminal, out: o.TerminalOut, now: o.Now, logf: o.Logf,
			in: make(chan sources.Transition, o.QueueSize), st: &tracker{s: Status{Name: "terminal", Kind: "terminal"}}}
	}
	for _, w := range cfg.Webhooks {
		h, err := newWebhook(w, o)
		if err != nil {
			return nil, err
		}
		d.hooks = append(d.hooks, h)
	}
	return d, nil
}

func newWebhook(w WebhookConfig, o Options) (*webhook, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("notify: webhook %q: "+format, append([]any{w.Name}, args...)...)
	}
	rawURL, err := resolve(string(w.URL), w.URLFile, w.URLEnv, "url", o)
	if err != nil {
		return nil, fail("%w", err)
	}
	if err := checkURL(rawURL); err != nil {
		return nil, fail("url: %w", err)
	}
	secret, err := resolve(string(w.Secret), w.SecretFile, w.SecretEnv, "secret", o)
	if err != nil {
		return nil, fail("%w", err)
	}
	red := newRedactor(rawURL, secret)
	client, err := promcfg.NewClientFromConfig(w.HTTP, "warroom_notify_"+w.Name)
	if err != nil {
		return nil, fail("http client: %s", red.clean(err.Error()))
	}
	return &webhook{
		cfg: w, title: o.Title, url: rawURL, secret: secret, client: client, red: red,
		now: o.Now, backoff: o.Backoff, logf: o.Logf,
		in: make(chan sources.Transition, o.QueueSize),
		st: &tracker{s: Status{Name: w.Name, Kind: string(w.Kind)}},
	}, nil
}

// resolve reads a secret from exactly one of inline, file or env.
func resolve(inline, file, env, what string, o Options) (string, error) {
	switch {
	case file != "":
		b, err := o.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_file: %w", what, err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("%s_file %s is empty", what, file)
		}
		return s, nil
	case env != "":
		s := strings.TrimSpace(o.Env(env))
		if s == "" {
			return "", fmt.Errorf("%s_env: $%s is unset or empty", what, env)
		}
		return s, nil
	}
	return strings.TrimSpace(inline), nil
}

// Terminal is the terminal notifier the config describes, for a caller
// that emits the sequences itself (the TUI, through bubbletea).
func (d *Dispatcher) Terminal() Terminal { return d.terminal }

// Notify queues transitions for every notifier that wants them and
// returns at once: when a notifier's queue is full the transition is
// dropped for it and counted in its Status. Acknowledged transitions are
// skipped. Safe from any goroutine, before or during Run.
func (d *Dispatcher) Notify(trs ...sources.Transition) {
	for _, tr := range trs {
		if tr.Acked {
			continue
		}
		if d.term != nil && d.term.wants(tr) {
			offer(d.term.in, tr, d.term.st)
		}
		for _, h := range d.hooks {
			if h.wants(tr) {
				offer(h.in, tr, h.st)
			}
		}
	}
}

func offer(in chan sources.Transition, tr sources.Transition, st *tracker) {
	select {
	case in <- tr:
	default:
		st.dropped()
	}
}

// Run delivers until ctx ends; then each webhook sends what it still holds
// in one attempt (bounded by its timeout) and Run returns nil. It may be
// called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("notify: Dispatcher.Run called twice")
	}
	var wg sync.WaitGroup
	if d.term != nil {
		wg.Go(func() { d.term.run(ctx) })
	}
	for _, h := range d.hooks {
		wg.Go(func() { h.run(ctx) })
	}
	<-ctx.Done() // with no notifiers too, so Run reads the same in an errgroup
	wg.Wait()
	return nil
}

// Status is every notifier's record: the terminal first, then the
// webhooks in config order.
func (d *Dispatcher) Status() []Status {
	var out []Status
	if d.term != nil {
		out = append(out, d.term.st.status())
	}
	for _, h := range d.hooks {
		out = append(out, h.st.status())
	}
	return out
}

// terminalNotifier writes terminal sequences from its own goroutine, so a
// slow or blocked terminal never holds up Notify.
type terminalNotifier struct {
	t    Terminal
	out  io.Writer
	now  func() time.Time
	logf func(string, ...any)
	in   chan sources.Transition
	st   *tracker
}

func (n *terminalNotifier) wants(tr sources.Transition) bool {
	min := n.t.minState()
	return escalates(tr, min) || (n.t.Desktop && eases(tr, min))
}

// run writes whatever is queued at each wake-up as one notification: a
// tick's worth of transitions rings once.
func (n *terminalNotifier) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case tr := <-n.in:
			trs := []sources.Transition{tr}
		drain:
			for len(trs) < maxGroup {
				select {
				case tr := <-n.in:
					trs = append(trs, tr)
				default:
					break drain
				}
			}
			seq := n.t.Sequence(trs...)
			if seq == "" {
				continue
			}
			if _, err := io.WriteString(n.out, seq); err != nil {
				err = fmt.Errorf("notify: terminal: %w", err)
				n.st.failed(n.now(), sources.Sanitize(err.Error()))
				if n.logf != nil {
					n.logf("%v", err)
				}
				continue
			}
			n.st.sent(n.now())
		}
	}
}
