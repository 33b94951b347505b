package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	promcfg "github.com/prometheus/common/config"
)

// Scrubber removes a server's secrets (from its URL and its HTTP block) from text that may be shown or
// logged: an error page may echo request headers, a proxy may print the URL.
type Scrubber struct {
	URL  string
	HTTP promcfg.HTTPClientConfig
}

// secrets lists every form in which a configured secret could come back:
// as is, base64 (basic auth header), URL-encoded (form bodies, URLs).
// Secrets in files are read here, only when there is text to scrub.
func (sc Scrubber) secrets() []string {
	h := sc.HTTP
	var raw []string
	var user, pass string
	if b := h.BasicAuth; b != nil {
		user, pass = b.Username, string(b.Password)
		if b.UsernameFile != "" {
			user = readSecret(b.UsernameFile)
		}
		if b.PasswordFile != "" {
			pass = readSecret(b.PasswordFile)
		}
		raw = append(raw, pass)
	}
	if a := h.Authorization; a != nil {
		raw = append(raw, string(a.Credentials), readSecret(a.CredentialsFile))
	}
	raw = append(raw, string(h.BearerToken), readSecret(h.BearerTokenFile))
	if o := h.OAuth2; o != nil {
		raw = append(raw, string(o.ClientSecret), readSecret(o.ClientSecretFile), string(o.ClientCertificateKey))
	}
	raw = append(raw, string(h.TLSConfig.Key))
	if h.HTTPHeaders != nil {
		for _, hd := range h.HTTPHeaders.Headers {
			for _, s := range hd.Secrets {
				raw = append(raw, string(s))
			}
			for _, f := range hd.Files {
				raw = append(raw, readSecret(f))
			}
		}
	}
	for _, vs := range h.ProxyConnectHeader {
		for _, s := range vs {
			raw = append(raw, string(s))
		}
	}
	if u, err := url.Parse(sc.URL); err == nil && u.User != nil {
		p, _ := u.User.Password()
		raw = append(raw, p)
		if user == "" {
			user, pass = u.User.Username(), p
		}
	}
	if u := h.ProxyURL.URL; u != nil && u.User != nil {
		p, _ := u.User.Password()
		raw = append(raw, p)
	}
	var out []string
	if pass != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	for _, s := range raw {
		// Very short secrets would blank out ordinary words; they are too
		// weak to protect anything anyway.
		if len(s) < 4 {
			continue
		}
		out = append(out, s, url.QueryEscape(s), base64.StdEncoding.EncodeToString([]byte(s)))
	}
	return out
}

// Scrub replaces every form of every secret in text with <secret>.
func (sc Scrubber) Scrub(text string) string {
	if text == "" {
		return text
	}
	for _, s := range sc.secrets() {
		text = strings.ReplaceAll(text, s, "<secret>")
	}
	return text
}

func readSecret(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// RedactURL is raw with its password hidden, for messages.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid url>"
	}
	return u.Redacted()
}

// ValidateURL checks a server's URL: http or https, with a host. Its
// errors never echo the URL, which may hold a password.
func ValidateURL(raw string) error {
	if raw == "" {
		return errors.New("must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("missing host")
	}
	return nil
}
