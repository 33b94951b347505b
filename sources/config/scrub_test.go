package config

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	promcfg "github.com/prometheus/common/config"
)

// Every configured secret, in every form it could come back in (as is,
// URL-escaped, base64, the basic-auth header), is scrubbed; short words
// and other text are left alone.
func TestScrubber(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pass")
	if err := os.WriteFile(file, []byte("file-secret-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proxy, _ := url.Parse("http://u:proxy-pass-2@proxy:3128")
	sc := Scrubber{URL: "https://warroom:url-pass-3@vl:9428", HTTP: promcfg.HTTPClientConfig{
		BasicAuth:   &promcfg.BasicAuth{Username: "warroom", PasswordFile: file},
		BearerToken: "bearer-token-4",
		TLSConfig:   promcfg.TLSConfig{Key: "tls-key-5"},
		ProxyConfig: promcfg.ProxyConfig{ProxyURL: promcfg.URL{URL: proxy}},
	}}
	secrets := []string{"file-secret-1", "proxy-pass-2", "url-pass-3", "bearer-token-4", "tls-key-5"}
	var text []string
	for _, s := range secrets {
		text = append(text, s, url.QueryEscape(s+"&"), base64.StdEncoding.EncodeToString([]byte(s)))
	}
	text = append(text, "Basic "+base64.StdEncoding.EncodeToString([]byte("warroom:file-secret-1")), "ok abc")
	got := sc.Scrub(strings.Join(text, " | "))
	for _, s := range secrets {
		if strings.Contains(got, s) || strings.Contains(got, base64.StdEncoding.EncodeToString([]byte(s))) {
			t.Errorf("%s left in %q", s, got)
		}
	}
	if !strings.Contains(got, "ok abc") || strings.Contains(got, base64.StdEncoding.EncodeToString([]byte("warroom:file-secret-1"))) {
		t.Errorf("scrubbed %q", got)
	}
}
