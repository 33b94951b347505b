package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// exampleConfig is what `warroom init` writes: every section, commented.
// TestExampleConfigIsValid keeps it loadable.
//
//go:embed example.yaml
var exampleConfig []byte

func runInit(args []string, stdout, stderr io.Writer) int {
	fset := newFlags("init", "[FILE]", "Write a commented example config to FILE (default warroom.yaml; - for stdout).\n"+
		"An existing file is never overwritten.", stderr)
	if pos, code, ok := parseFlags(fset, args); !ok {
		return code
	} else {
		path := "warroom.yaml"
		switch len(pos) {
		case 0:
		case 1:
			path = pos[0]
		default:
			fmt.Fprintln(stderr, "warroom init: one file at most")
			return exitUsage
		}
		if path == "-" {
			stdout.Write(exampleConfig)
			return exitOK
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(stderr, "warroom init: %s exists; not overwriting it\n", path)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(stderr, "warroom init: %v\n", err)
			return exitUsage
		}
		if _, err := f.Write(exampleConfig); err != nil {
			f.Close()
			fmt.Fprintf(stderr, "warroom init: %v\n", err)
			return exitProblem
		}
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "warroom init: %v\n", err)
			return exitProblem
		}
		fmt.Fprintf(stdout, "wrote %s — edit it, then: warroom check %s && warroom -c %s\n", path, path, path)
		return exitOK
	}
}
