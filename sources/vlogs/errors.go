package vlogs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"warroom/sources"
)

// maxMessage bounds what a server's text adds to a status line.
const maxMessage = 200

// classify turns a request error into a health and a short reason: a
// server that could not be reached, or did not answer in time, is
// unreachable.
func classify(err error, timeout time.Duration) (sources.Health, string) {
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return sources.HealthUnreachable, fmt.Sprintf("no answer within %s", timeout)
	case strings.Contains(err.Error(), "stopped after") && strings.Contains(err.Error(), "redirects"):
		return sources.HealthError, "redirect loop"
	case isTLS(err):
		return sources.HealthUnreachable, "TLS: " + innermost(err)
	case errors.As(err, &opErr):
		return sources.HealthUnreachable, opErr.Op + ": " + innermost(opErr)
	}
	return sources.HealthUnreachable, innermost(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLS(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		rh tls.RecordHeaderError
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
	)
	return errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &ua) || errors.As(err, &hn) ||
		strings.Contains(err.Error(), "tls: ")
}

// innermost drops the wrapping url.Error and OpError text (`Post
// "http://…":`) and keeps the cause.
func innermost(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces    = regexp.MustCompile(`\s+`)
	// VictoriaLogs repeats the whole query in a parse error; the
	// reason is what follows it
	echoedQuery = regexp.MustCompile("(?s)^cannot parse `query` arg \\[.*?\\]: ")
)

// reasonOf is what an error answer says: VictoriaLogs' JSON error, a
// proxy's HTML page title, or its text.
func reasonOf(body []byte) string {
	text := strings.TrimSpace(string(body))
	if text == "" {
		return "empty answer"
	}
	var api struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &api) == nil && api.Error != "" {
		text = api.Error
	} else if m := htmlTitle.FindStringSubmatch(text); m != nil {
		text = m[1]
	} else if strings.HasPrefix(text, "<") {
		text = htmlTag.ReplaceAllString(text, " ")
	}
	text = echoedQuery.ReplaceAllString(text, "")
	return strings.TrimSpace(spaces.ReplaceAllString(text, " "))
}

// sanitize shows a server's text by the one policy for untrusted text,
// sources.Sanitize, and bounds its length.
func sanitize(s string) string { return sources.SanitizeMax(s, maxMessage) }
