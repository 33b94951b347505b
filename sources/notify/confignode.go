package notify

import (
	"errors"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// checkURL validates a webhook URL without ever putting it in the error:
// url.Parse's own errors quote the input, token and all.
func checkURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.Host == "" {
		return errors.New("missing host")
	}
	return nil
}

// prefixField puts an item's errors under its place in the list
// ("webhooks[1].kind") when the config was built in code; decoded configs
// already fail inside the item's UnmarshalYAML with the item's line.
func prefixField(n *yaml.Node, prefix string, err error) error {
	var ce *config.Error
	if errors.As(err, &ce) {
		field := prefix
		if ce.Field != "" {
			field += "." + ce.Field
		}
		line := ce.Line
		if line == 0 && n != nil {
			line = n.Line
		}
		return &config.Error{Line: line, Field: field, Err: ce.Err}
	}
	if n == nil {
		return err
	}
	return config.At(n, err)
}

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}
