package config

import (
	"strings"

	promcfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"
)

// DecodeHTTP decodes n strictly into v, a struct that inlines the
// prometheus/common HTTP client settings at http (`yaml:",inline"`), so
// blocks copied from prometheus.yml read the same. http_headers is decoded
// on its own: prometheus/common keeps it as an inline map, which the strict
// key check cannot see through.
func DecodeHTTP(n *yaml.Node, v any, http *promcfg.HTTPClientConfig) error {
	rest, headers := splitKey(n, "http_headers")
	if err := Decode(rest, v); err != nil {
		return err
	}
	if headers != nil {
		m := map[string]promcfg.Header{}
		if err := Decode(headers, &m); err != nil {
			return err
		}
		http.HTTPHeaders = &promcfg.Headers{Headers: m}
	}
	return nil
}

// ValidateHTTP validates the HTTP client settings of the item at n (what
// names it in the message, e.g. `server "main"`) and points the error at
// the block it is about.
func ValidateHTTP(n *yaml.Node, http *promcfg.HTTPClientConfig, what string) error {
	if err := http.Validate(); err != nil {
		key := httpKey(err.Error())
		return Errorf(FieldNode(n, key), key, "%s: %v", what, err)
	}
	return nil
}

// httpKey guesses which block a prometheus/common validation message is
// about, so the error can point at that block's line.
func httpKey(msg string) string {
	for _, k := range []string{"basic_auth", "oauth2", "authorization", "bearer_token", "proxy", "header"} {
		if strings.Contains(msg, k) {
			switch k {
			case "proxy":
				return "proxy_url"
			case "header":
				return "http_headers"
			}
			return k
		}
	}
	return ""
}

// splitKey returns mapping n without key, and key's value node.
func splitKey(n *yaml.Node, key string) (rest, val *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return n, nil
	}
	cp := *n
	cp.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			val = n.Content[i+1]
			continue
		}
		cp.Content = append(cp.Content, n.Content[i], n.Content[i+1])
	}
	return &cp, val
}
