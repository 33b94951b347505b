package prom

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"warroom/sources"
)

var (
	errBodyTooLarge = errors.New("response body too large")
	errRedirectLoop = errors.New("too many redirects")
)

// maxMessage bounds what a server's error text can add to a Result.
const maxMessage = 300

// classify turns a request error into a health and a short reason. A
// server that answered (even badly) is an error; one that could not be
// reached, or did not answer before the deadline, is unreachable.
func classify(err error, deadline time.Duration) (sources.Health, string) {
	var apiErr *v1.Error
	switch {
	case errors.Is(err, errBodyTooLarge):
		return sources.HealthError, withoutURL(err)
	case errors.Is(err, errRedirectLoop):
		return sources.HealthError, "redirect loop: " + errRedirectLoop.Error()
	case errors.As(err, &apiErr):
		return sources.HealthError, apiMessage(apiErr)
	case errors.Is(err, context.DeadlineExceeded):
		return sources.HealthUnreachable, fmt.Sprintf("no answer within %s", deadline)
	case isTLS(err):
		return sources.HealthUnreachable, "TLS: " + innermost(err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return sources.HealthUnreachable, opErr.Op + ": " + innermost(opErr)
	}
	return sources.HealthUnreachable, innermost(err)
}

func isTLS(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		alt tls.AlertError
	)
	return errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &ua) ||
		errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &alt) ||
		strings.Contains(err.Error(), "tls: ")
}

// withoutURL drops net/http's `Post "http://…": ` prefix.
func withoutURL(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// innermost drops the wrapping url.Error/OpError text ("Post "http://…":")
// and keeps the cause.
func innermost(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// apiMessage makes a client_golang API error readable. Prometheus' own
// errors (bad PromQL, execution errors) come with the server's text; other
// statuses carry the body in Detail, which may be API JSON (a 503 query
// timeout), an HTML page from a proxy, or plain text.
func apiMessage(e *v1.Error) string {
	if e.Type == "" && e.Msg == "" && e.Detail == "" {
		// a 2xx answer {"status":"error"} that does not say what went wrong
		return `status "error" without an errorType or error`
	}
	msg := string(e.Type) + ": " + e.Msg
	if (e.Type == v1.ErrServer || e.Type == v1.ErrClient) && strings.HasPrefix(e.Msg, strings.ReplaceAll(string(e.Type), "_", " ")+": ") {
		// client_golang's own "server_error: server error: 502" says it
		// twice; the message alone is the reason
		msg = e.Msg
	}
	if e.Type == v1.ErrBadResponse && strings.Contains(e.Msg, "invalid character '<'") {
		msg = "bad_response: not Prometheus API JSON (an HTML page?)"
	} else if e.Type == v1.ErrBadResponse && strings.Contains(e.Msg, "unexpected end of JSON input") {
		msg = "bad_response: truncated JSON body"
	}
	if d := detailText(e.Detail); d != "" {
		msg += ": " + d
	}
	return msg
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces    = regexp.MustCompile(`\s+`)
)

func detailText(body string) string {
	body = strings.TrimSpace(body)
	if body == "" {
		return ""
	}
	var api struct {
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	if json.Unmarshal([]byte(body), &api) == nil && api.Error != "" {
		return api.ErrorType + ": " + api.Error
	}
	if m := htmlTitle.FindStringSubmatch(body); m != nil {
		body = m[1]
	} else {
		body = htmlTag.ReplaceAllString(body, " ")
	}
	return strings.TrimSpace(spaces.ReplaceAllString(body, " "))
}

// sanitize shows a server's text (messages, warnings, label names and
// values, legends) by the one policy for untrusted text, sources.Sanitize:
// nothing is dropped, so what a proxy or exporter put there can be seen
// for what it is. It also bounds the length.
func sanitize(s string) string { return sources.SanitizeMax(s, maxMessage) }
