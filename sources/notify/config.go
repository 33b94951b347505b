package notify

import (
	"fmt"
	"strings"
	"time"

	promcfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// Level is the least severe state a notifier speaks up for: warn or crit.
// An error state (a source failing) counts as warn; stale counts as less
// than warn, so a lagging query alone never pages anyone.
type Level string

const (
	LevelWarn Level = "warn"
	LevelCrit Level = "crit"
)

// Kind is a webhook's protocol.
type Kind string

const (
	KindFeishu  Kind = "feishu"  // Feishu custom bot, msg_type text, optional signing
	KindLark    Kind = "lark"    // the same bot on the Lark (international) domain
	KindSlack   Kind = "slack"   // Slack incoming webhook, {"text": ...}
	KindGeneric Kind = "generic" // JSON object with the text and the transitions
)

// Config is the `notify:` section of warroom.yaml.
//
// Bell and Desktop are the terminal notifiers (on by default). The bell
// rings only when an indicator gets worse and reaches MinState; the
// desktop notification also follows every indicator it told of to its
// all-clear, so the engineer who was woken up learns it is over.
type Config struct {
	Bell     bool            `yaml:"bell"`      // default true
	Desktop  bool            `yaml:"desktop"`   // OSC 9 + OSC 777; default true
	MinState Level           `yaml:"min_state"` // terminal threshold; default warn
	Webhooks []WebhookConfig `yaml:"webhooks"`
}

// WebhookConfig is one outbound webhook under `webhooks:`.
//
// The URL is a secret (Feishu and Slack put the token in it): give exactly
// one of url_file (preferred), url_env or url. The Feishu signing key
// likewise comes from secret_file, secret_env or secret. Relative files are
// resolved by SetDirectory. The HTTP settings are prometheus/common's
// HTTPClientConfig inlined: proxy_url, tls_config, basic_auth,
// authorization, http_headers and follow_redirects read as in
// prometheus.yml.
type WebhookConfig struct {
	Name string `yaml:"name"`
	Kind Kind   `yaml:"kind"`

	URL     promcfg.Secret `yaml:"url"`
	URLFile string         `yaml:"url_file"`
	URLEnv  string         `yaml:"url_env"`

	Secret     promcfg.Secret `yaml:"secret"` // Feishu/Lark signing key
	SecretFile string         `yaml:"secret_file"`
	SecretEnv  string         `yaml:"secret_env"`

	// MinState defaults to crit: a page is for crits; warnings wait in
	// the timeline for the morning. It decides what opens an alert, not
	// what closes it (see alerts).
	MinState Level `yaml:"min_state"`
	// SendResolved (default true) follows every alert the webhook opened
	// through its later changes to its all-clear, whatever MinState is, as
	// Alertmanager's send_resolved reports resolved alerts.
	SendResolved bool `yaml:"send_resolved"`

	Timeout model.Duration `yaml:"timeout"` // per attempt; default 5s
	// Retries after the first attempt (default 3), with exponential
	// backoff. 4xx answers other than 408 and 429 are not retried.
	Retries int `yaml:"retries"`
	// GroupWait collects a burst into one message: the first transition
	// waits this long for company (default 10s; 0 sends at once).
	GroupWait model.Duration `yaml:"group_wait"`
	// MinInterval is the least time between two messages (default 30s);
	// transitions arriving sooner are folded into the next message.
	MinInterval model.Duration `yaml:"min_interval"`

	HTTP promcfg.HTTPClientConfig `yaml:",inline"`
}

// DefaultConfig is applied before decoding.
var DefaultConfig = Config{Bell: true, Desktop: true, MinState: LevelWarn}

// DefaultWebhookConfig is applied before decoding each webhook.
var DefaultWebhookConfig = WebhookConfig{
	MinState:     LevelCrit,
	SendResolved: true,
	Timeout:      model.Duration(5 * time.Second),
	Retries:      3,
	GroupWait:    model.Duration(10 * time.Second),
	MinInterval:  model.Duration(30 * time.Second),
	HTTP:         promcfg.DefaultHTTPClientConfig,
}

// Bounds keep a typo from turning into an hour of silence or a flood.
const (
	maxRetries     = 10
	maxTimeout     = 2 * time.Minute
	maxGroupWait   = 10 * time.Minute
	maxMinInterval = time.Hour
)

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	*c = DefaultConfig
	type plain Config
	if err := config.Decode(n, (*plain)(c)); err != nil {
		return err
	}
	return c.validate(n)
}

// Validate checks a config built in code; errors carry no line numbers.
func (c *Config) Validate() error { return c.validate(nil) }

func (c *Config) validate(n *yaml.Node) error {
	if c.MinState == "" { // a config built in code
		c.MinState = DefaultConfig.MinState
	}
	if err := c.MinState.check(); err != nil {
		return config.Errorf(config.FieldNode(n, "min_state"), "min_state", "%v", err)
	}
	seen := map[string]bool{}
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		at := config.ItemNode(n, "webhooks", i)
		field := fmt.Sprintf("webhooks[%d]", i)
		if err := w.validate(at); err != nil {
			return prefixField(orNode(at, n), field, err)
		}
		if seen[w.Name] {
			return config.Errorf(config.FieldNode(at, "name"), field+".name", "duplicate webhook name %q", w.Name)
		}
		seen[w.Name] = true
	}
	return nil
}

// UnmarshalYAML decodes one webhook. http_headers is decoded on its own:
// prometheus/common keeps it as an inline map, which the strict key check
// in sources/config cannot see through.
func (w *WebhookConfig) UnmarshalYAML(n *yaml.Node) error {
	*w = DefaultWebhookConfig
	type plain WebhookConfig
	if err := config.DecodeHTTP(n, (*plain)(w), &w.HTTP); err != nil {
		return err
	}
	return w.validate(n)
}

// Validate checks one webhook built in code.
func (w *WebhookConfig) Validate() error { return w.validate(nil) }

func (w *WebhookConfig) validate(n *yaml.Node) error {
	at := func(f string) *yaml.Node { return config.FieldNode(n, f) }
	if w.Name == "" || strings.IndexFunc(w.Name, isControl) >= 0 || len(w.Name) > 64 {
		return config.Errorf(at("name"), "name", "must be 1–64 printable characters, got %q", w.Name)
	}
	switch w.Kind {
	case KindFeishu, KindLark, KindSlack, KindGeneric:
	case "":
		return config.Errorf(at("kind"), "kind", "webhook %q: must be one of feishu, lark, slack, generic", w.Name)
	default:
		return config.Errorf(at("kind"), "kind", "webhook %q: %q is not one of feishu, lark, slack, generic", w.Name, w.Kind)
	}
	if k := countSet(string(w.URL), w.URLFile, w.URLEnv); k != 1 {
		return config.Errorf(n, "url", "webhook %q: give exactly one of url_file, url_env or url (got %d)", w.Name, k)
	}
	if w.URL != "" {
		// Never echo the URL: it holds the token.
		if err := checkURL(string(w.URL)); err != nil {
			return config.Errorf(at("url"), "url", "webhook %q: %v", w.Name, err)
		}
	}
	if k := countSet(string(w.Secret), w.SecretFile, w.SecretEnv); k > 1 {
		return config.Errorf(n, "secret", "webhook %q: give at most one of secret_file, secret_env or secret", w.Name)
	} else if k == 1 && w.Kind != KindFeishu && w.Kind != KindLark {
		return config.Errorf(n, "secret", "webhook %q: a signing secret is only used by feishu and lark", w.Name)
	}
	if w.MinState == "" {
		w.MinState = DefaultWebhookConfig.MinState
	}
	if err := w.MinState.check(); err != nil {
		return config.Errorf(at("min_state"), "min_state", "webhook %q: %v", w.Name, err)
	}
	switch {
	case w.Timeout <= 0 || time.Duration(w.Timeout) > maxTimeout:
		return config.Errorf(at("timeout"), "timeout", "webhook %q: must be in (0, %s]", w.Name, model.Duration(maxTimeout))
	case w.Retries < 0 || w.Retries > maxRetries:
		return config.Errorf(at("retries"), "retries", "webhook %q: must be 0–%d, got %d", w.Name, maxRetries, w.Retries)
	case w.GroupWait < 0 || time.Duration(w.GroupWait) > maxGroupWait:
		return config.Errorf(at("group_wait"), "group_wait", "webhook %q: must be in [0, %s]", w.Name, model.Duration(maxGroupWait))
	case w.MinInterval < 0 || time.Duration(w.MinInterval) > maxMinInterval:
		return config.Errorf(at("min_interval"), "min_interval", "webhook %q: must be in [0, %s]", w.Name, model.Duration(maxMinInterval))
	}
	return config.ValidateHTTP(n, &w.HTTP, fmt.Sprintf("webhook %q", w.Name))
}

// SetDirectory resolves relative file paths (url_file, secret_file and the
// HTTP client's files) against dir, normally the config file's directory.
func (c *Config) SetDirectory(dir string) {
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		w.URLFile = promcfg.JoinDir(dir, w.URLFile)
		w.SecretFile = promcfg.JoinDir(dir, w.SecretFile)
		w.HTTP.SetDirectory(dir)
	}
}

// String shows the webhook without its URL or secret.
func (w WebhookConfig) String() string {
	src := "url=<secret>"
	switch {
	case w.URLFile != "":
		src = "url_file=" + w.URLFile
	case w.URLEnv != "":
		src = "url_env=" + w.URLEnv
	}
	signed := ""
	if w.Secret != "" || w.SecretFile != "" || w.SecretEnv != "" {
		signed = " signed"
	}
	return fmt.Sprintf("%s webhook %q %s%s min_state=%s timeout=%s retries=%d group_wait=%s min_interval=%s",
		w.Kind, w.Name, src, signed, w.MinState, w.Timeout, w.Retries, w.GroupWait, w.MinInterval)
}

// GoString keeps %#v from printing secrets field by field.
func (w WebhookConfig) GoString() string { return w.String() }

// String shows the section without secrets.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify bell=%t desktop=%t min_state=%s\n", c.Bell, c.Desktop, c.MinState)
	for _, w := range c.Webhooks {
		b.WriteString(w.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// GoString keeps %#v from printing secrets field by field.
func (c Config) GoString() string { return c.String() }

func (l Level) check() error {
	if l != LevelWarn && l != LevelCrit {
		return fmt.Errorf("%q is not one of warn, crit", string(l))
	}
	return nil
}

func countSet(ss ...string) int {
	k := 0
	for _, s := range ss {
		if s != "" {
			k++
		}
	}
	return k
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }
