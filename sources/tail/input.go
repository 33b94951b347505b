package tail

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// CheckInput validates what the config of every followed source has: a
// name usable as an indicator prefix, paths or a command (not both), paths
// that are valid globs, and a start position. Errors point at the field's
// line in n, the source's mapping (nil for a config built in code). That
// there is something to follow at all is CheckFollows: a config built in
// code (scan) may check its format before it has files.
func CheckInput(n *yaml.Node, name string, paths, command []string, start string) error {
	at := func(field string) *yaml.Node { return config.FieldNode(n, field) }
	if name == "" || strings.ContainsAny(name, " .\t") {
		return config.Errorf(at("name"), "name", "must be non-empty without spaces or dots, got %q", name)
	}
	if len(paths) > 0 && len(command) > 0 {
		return config.Errorf(at("command"), "command", "give paths or command, not both")
	}
	// the follower checks the same at start (Options.Validate); found here,
	// the mistake is reported by `warroom check` with its line
	for i, p := range paths {
		field := fmt.Sprintf("paths[%d]", i)
		if p == "" {
			return config.Errorf(item(n, "paths", i), field, "empty path")
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return config.Errorf(item(n, "paths", i), field, "bad glob %q: %v (filepath.Match syntax: * ? [a-z] and \\ to escape)", p, err)
		}
	}
	if len(command) > 0 && command[0] == "" {
		return config.Errorf(item(n, "command", 0), "command[0]", "empty command name")
	}
	st, err := ParseStart(start)
	if err != nil {
		return config.Errorf(at("start"), "start", "%v", err)
	}
	if st.Kind == StartLast && len(command) > 0 {
		return config.Errorf(at("start"), "start", "%s: a command's output cannot be searched; use end or beginning, and have the command start where you want (e.g. tail -n 100000 -F)", st)
	}
	return nil
}

// CheckFollows reports a source of a config file that has nothing to
// follow (no paths, an empty list, no command), at its paths field or, when
// there is none, at the source's mapping n. The field named is "paths", or
// empty when the mapping has no paths key.
func CheckFollows(n *yaml.Node, paths, command []string) error {
	if len(paths) > 0 || len(command) > 0 {
		return nil
	}
	if pn := config.FieldNode(n, "paths"); pn != n {
		return config.Errorf(pn, "paths", "nothing to follow: give files or globs in paths, or a command")
	}
	return config.Errorf(n, "", "nothing to follow: give paths (files or globs) or command")
}

// item is the i-th element of sequence field key of mapping n, or the
// field's node (or n) when there is no such element.
func item(n *yaml.Node, key string, i int) *yaml.Node {
	s := config.FieldNode(n, key)
	if s != nil && s != n && s.Kind == yaml.SequenceNode && i < len(s.Content) {
		return s.Content[i]
	}
	return s
}
