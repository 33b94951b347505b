package notify

import (
	"net/url"
	"sort"
	"strings"

	"warroom/sources"
)

// redactor scrubs a webhook's secrets from text that may be shown: the
// URL (its path and query carry the token), the parts of it, and the
// signing key. Errors are built without the URL in the first place; this
// is the second line, for text that comes from libraries and servers.
type redactor struct {
	secrets []string // longest first, so a URL goes before its path
}

// minSecret keeps short fragments ("/", "v2") from being blanked out of
// ordinary words.
const minSecret = 6

func newRedactor(rawURL, secret string) redactor {
	var s []string
	add := func(v string) {
		if len(v) >= minSecret {
			s = append(s, v)
		}
	}
	add(rawURL)
	add(secret)
	if u, err := url.Parse(rawURL); err == nil {
		add(u.Path)
		add(u.EscapedPath())
		add(u.RawQuery)
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		// The last path segment alone is the token of Feishu's and
		// Slack's URLs.
		if i := strings.LastIndexByte(u.Path, '/'); i >= 0 {
			add(u.Path[i+1:])
		}
	}
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	return redactor{secrets: s}
}

// clean sanitizes s for a terminal and replaces every secret with <secret>.
func (r redactor) clean(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "<secret>")
	}
	return sources.Sanitize(s)
}
