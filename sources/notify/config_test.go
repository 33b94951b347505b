package notify

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warroom/sources/config"
)

func loadFile(t *testing.T, path string) (Config, error) {
	var c Config
	err := config.LoadFile(path, &c)
	return c, err
}

func TestConfigGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) == 0 {
		t.Fatal("no good configs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := loadFile(t, f); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadFile(t, "testdata/good/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Bell || !c.Desktop || c.MinState != LevelWarn {
		t.Errorf("terminal defaults wrong: %+v", c)
	}
	w := c.Webhooks[0]
	if w.Kind != KindLark || w.MinState != LevelCrit || !w.SendResolved || w.Retries != 3 ||
		time.Duration(w.Timeout) != 5*time.Second || time.Duration(w.GroupWait) != 10*time.Second ||
		time.Duration(w.MinInterval) != 30*time.Second || !w.HTTP.FollowRedirects {
		t.Errorf("webhook defaults wrong: %v", w)
	}

	c, err = loadFile(t, "testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Bell || c.Desktop || c.MinState != LevelCrit {
		t.Errorf("explicit terminal settings lost: %+v", c)
	}
	oncall, pager := c.Webhooks[0], c.Webhooks[2]
	if oncall.Retries != 0 || oncall.GroupWait != 0 || oncall.SendResolved || oncall.MinState != LevelWarn ||
		time.Duration(oncall.MinInterval) != time.Minute || oncall.HTTP.ProxyURL.URL == nil {
		t.Errorf("explicit zero/false values lost: %v %+v", oncall, oncall.HTTP)
	}
	if pager.HTTP.Authorization == nil || pager.HTTP.Authorization.Type != "Bearer" {
		t.Errorf("authorization not decoded: %+v", pager.HTTP.Authorization)
	}
	if h := pager.HTTP.HTTPHeaders; h == nil || h.Headers["X-Source"].Values[0] != "warroom" {
		t.Errorf("http_headers not decoded: %+v", h)
	}
	c.SetDirectory("/etc/warroom")
	if got := c.Webhooks[0].URLFile; got != "/etc/warroom/secrets/feishu-url" {
		t.Errorf("SetDirectory: url_file = %q", got)
	}
	if got := c.Webhooks[2].HTTP.Authorization.CredentialsFile; got != "/etc/warroom/secrets/pager-token" {
		t.Errorf("SetDirectory: credentials_file = %q", got)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", c.Webhooks[2])} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "hooks.example.com") {
			t.Errorf("config text shows the inline URL: %s", s)
		}
	}
}

func TestConfigBad(t *testing.T) {
	cases := map[string]string{
		"bad_duration.yaml":          `line 5: group_wait: not a valid duration string: "soon"`,
		"bad_kind.yaml":              `line 3: kind: webhook "oncall": "teams" is not one of feishu, lark, slack, generic`,
		"bad_min_state.yaml":         `line 1: min_state: "error" is not one of warn, crit`,
		"bad_webhook_min_state.yaml": `line 5: min_state: webhook "oncall": "ok" is not one of warn, crit`,
		"basic_auth_both.yaml":       `line 6: basic_auth: webhook "pager": at most one of basic_auth password, password_file`,
		"bell_not_bool.yaml":         "line 1: cannot unmarshal !!str `loud` into bool",
		"dup_name.yaml":              `line 5: webhooks[1].name: duplicate webhook name "oncall"`,
		"negative_retries.yaml":      `line 5: retries: webhook "oncall": must be 0–10, got -1`,
		"no_kind.yaml":               `line 2: kind: webhook "oncall": must be one of feishu, lark, slack, generic`,
		"no_name.yaml":               `line 2: name: must be 1–64 printable characters, got ""`,
		"no_url.yaml":                `line 2: url: webhook "oncall": give exactly one of url_file, url_env or url (got 0)`,
		"secret_for_slack.yaml":      `line 2: secret: webhook "team": a signing secret is only used by feishu and lark`,
		"tls_typo.yaml":              `line 6: insecure_skip_verfy: unknown field`,
		"two_secrets.yaml":           `line 2: secret: webhook "oncall": give at most one of secret_file, secret_env or secret`,
		"two_urls.yaml":              `line 2: url: webhook "oncall": give exactly one of url_file, url_env or url (got 2)`,
		"unknown_field.yaml":         `line 2: webhook: unknown field (known: bell, desktop, min_state, webhooks)`,
		"unknown_webhook_field.yaml": `line 5: retry: unknown field`,
		"url_invalid.yaml":           `line 4: url: webhook "oncall": not a valid URL`,
		"url_scheme.yaml":            `line 4: url: webhook "oncall": scheme must be http or https`,
		"zero_timeout.yaml":          `line 5: timeout: webhook "oncall": must be in (0, 2m]`,
	}
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) != len(cases) {
		t.Errorf("%d bad files, %d expectations", len(files), len(cases))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				t.Fatalf("no expected error for %s", name)
			}
			_, err := loadFile(t, f)
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n got: %v\nwant: %s…", err, want)
			}
			for _, secret := range []string{"t0ken", "hunter2", "inline-signing-key"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret (%s): %v", secret, err)
				}
			}
		})
	}
}

// A config built in code names the list item in its errors.
func TestConfigValidateInCode(t *testing.T) {
	c := Config{MinState: LevelWarn, Webhooks: []WebhookConfig{DefaultWebhookConfig}}
	c.Webhooks[0].Name = "oncall"
	c.Webhooks[0].Kind = KindSlack
	if err := c.Validate(); err == nil || err.Error() != `webhooks[0].url: webhook "oncall": give exactly one of url_file, url_env or url (got 0)` {
		t.Errorf("Validate = %v", err)
	}
	c.Webhooks[0].URLEnv = "SLACK_URL"
	if err := c.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}
