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
	// in the TUI), one write per notification. Nil: no terminal notifier.
	TerminalOut io.Writer
	// InTmux wraps OSC sequences in tmux passthrough (cmd: $TMUX != "").
	InTmux bool
	// Logf reports each delivery failure (already free of secrets) and
	// the delivery that ends a run of them. Nil: they are only in Status.
	Logf func(format string, args ...any)
	// QueueSize bounds each notifier's queue of ticks' transitions;
	// beyond it Notify drops and counts. Default 256.
	QueueSize int
	// Backoff is the wait before the first retry, doubled for each next
	// one up to 30s. Default 1s.
	Backoff time.Duration
}

// Dispatcher fans transitions out to the terminal and the webhooks. It
// is a sources.Sink: the collector hands it every tick's transitions, and
// its Status puts a notifier that fails in the status bar.
type Dispatcher struct {
	term    *terminalNotifier // nil without TerminalOut or with nothing to emit
	hooks   []*webhook
	running atomic.Bool
}

var _ sources.Sink = (*Dispatcher)(nil)

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
	d := &Dispatcher{}
	if o.TerminalOut != nil && (cfg.Bell || cfg.Desktop) {
		t := terminal{bell: cfg.Bell, desktop: cfg.Desktop, minState: cfg.MinState, inTmux: o.InTmux, title: o.Title}
		d.term = &terminalNotifier{t: t, out: o.TerminalOut, now: o.Now, logf: o.Logf,
			in: make(chan []sources.Transition, o.QueueSize), st: newTracker("terminal", "terminal"),
			alerts: newAlerts(t.level(), cfg.Desktop)}
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
		in:     make(chan []sources.Transition, o.QueueSize),
		st:     newTracker(w.Name, string(w.Kind)),
		alerts: newAlerts(w.MinState, w.SendResolved),
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

// Notify queues transitions for every notifier and returns at once: when
// a notifier's queue is full they are dropped for it and counted in its
// Status. Each notifier decides on its own goroutine which it tells of
// (see alerts). Acknowledged transitions are skipped. Safe from any
// goroutine, before or during Run.
func (d *Dispatcher) Notify(trs ...sources.Transition) {
	var batch []sources.Transition
	for _, tr := range trs {
		if !tr.Acked {
			batch = append(batch, tr)
		}
	}
	if len(batch) == 0 {
		return
	}
	if d.term != nil {
		offer(d.term.in, batch, d.term.st)
	}
	for _, h := range d.hooks {
		offer(h.in, batch, h.st)
	}
}

// Take is Notify for the collector: one tick's transitions.
func (d *Dispatcher) Take(trs []sources.Transition) { d.Notify(trs...) }

func offer(in chan []sources.Transition, batch []sources.Transition, st *tracker) {
	select {
	case in <- batch:
	default:
		st.dropped(len(batch))
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

// Status is every notifier's entry for the status bar, the terminal
// first, then the webhooks in config order: unknown before its first
// message, ok once delivered, unreachable (with "HTTP 400", "refused",
// "timeout", ...) from a message given up on until one is delivered.
func (d *Dispatcher) Status() []sources.SourceStatus {
	var out []sources.SourceStatus
	for _, st := range d.trackers() {
		out = append(out, st.entry())
	}
	return out
}

// Notifiers is every notifier's delivery record, in Status's order.
func (d *Dispatcher) Notifiers() []Status {
	var out []Status
	for _, st := range d.trackers() {
		out = append(out, st.status())
	}
	return out
}

func (d *Dispatcher) trackers() []*tracker {
	var out []*tracker
	if d.term != nil {
		out = append(out, d.term.st)
	}
	for _, h := range d.hooks {
		out = append(out, h.st)
	}
	return out
}

// terminalNotifier writes terminal sequences from its own goroutine, so a
// slow or blocked terminal never holds up Notify.
type terminalNotifier struct {
	t      terminal
	out    io.Writer
	now    func() time.Time
	logf   func(string, ...any)
	in     chan []sources.Transition
	st     *tracker
	alerts *alerts
}

// run writes whatever is queued at each wake-up as one notification: a
// tick's worth of transitions rings once.
func (n *terminalNotifier) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case batch := <-n.in:
			var b burst
			n.take(&b, batch)
		drain:
			for len(b.trs) < maxGroup {
				select {
				case batch := <-n.in:
					n.take(&b, batch)
				default:
					break drain
				}
			}
			n.alerts.close(&b)
			seq := n.t.sequence(b)
			if seq == "" {
				continue
			}
			if _, err := io.WriteString(n.out, seq); err != nil {
				err = fmt.Errorf("notify: terminal: %w", err)
				n.st.failed(n.now(), sources.Sanitize(err.Error()), sources.Brief(err))
				if n.logf != nil {
					n.logf("%v", err)
				}
				continue
			}
			if k := n.st.sent(n.now()); k > 0 && n.logf != nil {
				n.logf("notify: terminal: written again after %d failed notifications", k)
			}
		}
	}
}

// take adds the transitions of batch the alerts let through to b.
func (n *terminalNotifier) take(b *burst, batch []sources.Transition) {
	for _, tr := range batch {
		if n.alerts.pass(tr) {
			b.trs = append(b.trs, tr)
		}
	}
}
