package tail

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
)

// CheckInput validates what the config of every followed source has: a
// name usable as an indicator prefix, paths or a command (not both) and a
// start position. Errors point at the field's line in n, the source's
// mapping (nil for a config built in code).
func CheckInput(n *yaml.Node, name string, paths, command []string, start string) error {
	at := func(field string) *yaml.Node { return config.FieldNode(n, field) }
	if name == "" || strings.ContainsAny(name, " .\t") {
		return config.Errorf(at("name"), "name", "must be non-empty without spaces or dots, got %q", name)
	}
	if len(paths) > 0 && len(command) > 0 {
		return config.Errorf(at("command"), "command", "give paths or command, not both")
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
