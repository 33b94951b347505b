package config

import "go.yaml.in/yaml/v3"

// ItemNode returns item i of the list under key in mapping n, so a check
// that runs after decoding (duplicate names, cross-references) can point
// at the item's line. It is nil when there is no such node (a config
// built in code has no nodes at all).
func ItemNode(n *yaml.Node, key string, i int) *yaml.Node {
	if n == nil {
		return nil
	}
	v := FieldNode(n, key)
	if v == n || v.Kind != yaml.SequenceNode || i < 0 || i >= len(v.Content) {
		return nil
	}
	return v.Content[i]
}
