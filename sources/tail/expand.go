package tail

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Expand lists the saved files a source's paths name, for a replay: globs
// are resolved, and the rotated predecessors of a plain path (x.log.9.gz
// … x.log.2.gz, x.log.1) come before it, oldest first, so a night that
// crossed a rotation replays whole. A command cannot be replayed. Errors
// name the path; the caller says which source.
func Expand(paths, command []string) ([]string, error) {
	if len(command) > 0 {
		return nil, errors.New("a command source cannot be replayed; point paths at saved logs")
	}
	var out []string
	for _, p := range paths {
		if lit, ok := Literal(p); ok {
			p = lit // one file, whatever its name holds (escaped)
		} else {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			out = append(out, m...)
			continue
		}
		var rotated []string
		for i := 9; i >= 1; i-- {
			for _, r := range []string{fmt.Sprintf("%s.%d", p, i), fmt.Sprintf("%s.%d.gz", p, i)} {
				if _, err := os.Stat(r); err == nil {
					rotated = append(rotated, r)
				}
			}
		}
		out = append(out, rotated...)
		out = append(out, p)
	}
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, errors.New("no files match")
	}
	return out, nil
}
