package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxNamePart bounds each part of a file name, so a long stage name cannot
// make the name exceed what a file system accepts.
const maxNamePart = 80

// FileName is the report's file name for a milestone: "<event>-<stage>.md",
// each part lowercased and reduced to [a-z0-9_-] (anything else becomes
// '-', runs collapse, ends are trimmed), so the name never holds a path
// separator or "..", whatever the schedule says.
func FileName(event, stage string) string {
	e, s := namePart(event), namePart(stage)
	switch {
	case e == "" && s == "":
		return "milestone.md"
	case e == "":
		return s + ".md"
	case s == "":
		return e + ".md"
	}
	return e + "-" + s + ".md"
}

func namePart(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= maxNamePart {
			break
		}
	}
	return b.String()
}

// Write puts data into dir/name atomically: a reader (or a crash) sees the
// old file or the new one, never half of it. name must be a bare file name
// (see FileName).
func Write(dir, name string, data []byte) (string, error) {
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return "", fmt.Errorf("report: bad file name %q", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("report: %s: %w", path, err)
	}
	return path, nil
}
