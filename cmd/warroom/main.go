// Command warroom is a terminal dashboard for the war room of an online
// event's milestone nights, and its headless companions (scan, check).
//
// This file is the only place that exits the process; subcommands return an
// exit status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exit statuses
const (
	exitOK      = 0
	exitProblem = 1 // ran, but found a problem (a source did not answer, a check failed)
	exitUsage   = 2 // bad usage, bad config, unreadable input
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"demo", "the whole dashboard on a simulated stage-end night, nothing installed", runDemo},
		{"scan", "summarize nginx access logs (plain or .gz) headlessly", runScan},
		{"check", "validate a config file and print what it understood", runCheck},
		{"replay", "the screen over past logs on their own clock (speed, pause, seek, stage ends)", runReplay},
		{"watch", "run sources and rules headless, one JSON line per transition (--replay: rehearse past logs)", runWatch},
		{"snapshot", "read every configured source once and print each indicator (exit 1 if any did not answer)", runSnapshot},
		{"generate", "write a deterministic synthetic nginx access log (for benchmarks and tests)", runGenerate},
		{"init", "write a commented example config (warroom.yaml)", runInit},
		{"version", "print the version", runVersion},
	}
}

// followContext is the context of a `--follow` run; tests replace it to
// bound the run.
var followContext = context.Background

func main() {
	if budgeted(os.Args[1:], os.Getenv) {
		keepToBudget()
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return runDashboard(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "warroom: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "warroom — a terminal war room for an online event's milestone nights")
	fmt.Fprintln(w, "\nUsage:\n  warroom -c warroom.yaml                 the screen, configured by a file (warroom init writes one)")
	fmt.Fprintln(w, "  warroom --access-log FILE [--log-format auto] [--app-log FILE [--time-zone ZONE]] [--prometheus URL] [--schedule FILE]")
	fmt.Fprintln(w, "                                          the screen, zero config")
	fmt.Fprintln(w, "    screen flags: --window 15m, --no-color, --ascii, --mouse ('warroom -c FILE --help' lists all)")
	fmt.Fprintln(w, "  warroom <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'warroom <command> --help' for a command's flags.")
}

// newFlags returns a FlagSet whose --help prints a usage line and the flags.
func newFlags(name, args, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("warroom "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", strings.Join(strings.Fields("warroom "+name), " ")+" "+args, about)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags placed anywhere among the positional arguments
// (`warroom scan access.log --json`), as users type them.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(nil)
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		rest := fs.Args()
		i := 0
		for i < len(rest) && (!strings.HasPrefix(rest[i], "-") || rest[i] == "-") {
			pos = append(pos, rest[i])
			i++
		}
		if i == len(rest) {
			return pos, exitOK, true
		}
		if rest[i] == "--" {
			return append(pos, rest[i+1:]...), exitOK, true
		}
		args = rest[i:]
	}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "", "Print the version.", stderr)
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintf(stdout, "warroom %s\n", version)
	return exitOK
}
