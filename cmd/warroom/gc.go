package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
)

// The commands that run for days (the screen, live or replayed, watch,
// demo) keep the Go runtime to a memory budget. What they hold is mostly
// allocated once and kept — a day of per-second rings and a week of per-
// minute rings for each access log and each of its path groups, a day of
// top tables: 63–64 MiB for an access log with three groups and 200,000
// clients — and by default Go lets the heap grow to twice what it holds
// before collecting, and hands back what it freed only slowly: a 20-day
// campaign replayed peaked at 150–155 MiB resident (README, Performance).
// What they hold is pointer-free, so a collection costs little, and
// between ticks they allocate little: a soft limit makes the collector run
// more often and give memory back instead (the same replay peaked at 87–95
// MiB, for a fifth to a quarter more CPU; live, by the replay's allocation,
// a collection every several minutes).
//
// The limit follows what is held: it never leaves less than a sixteenth
// of it (and room for the runtime's own) to allocate in before a
// collection, so data that outgrows the budget (a million clients a
// minute) costs memory, not a core spent collecting back to back.
const (
	memoryBudget   = 80 << 20 // the runtime's memory (heap, stacks, its metadata; not the code): RSS ≤ 100 MiB with it
	runtimeReserve = 6 << 20  // stacks and metadata beside the heap
)

// memoryLimit is the soft limit when live bytes of heap are held.
func memoryLimit(live uint64) int64 {
	return max(memoryBudget, int64(live+live/16+runtimeReserve))
}

// budgeted says whether a run keeps to the budget: a command that runs
// for days (args as main gets them) whose environment sets neither GOGC
// nor GOMEMLIMIT (a choice of the user's).
func budgeted(args []string, getenv func(string) string) bool {
	return runsForDays(args) && getenv("GOGC") == "" && getenv("GOMEMLIMIT") == ""
}

// keepToBudget sets the soft limit to the budget and, after every
// collection, to memoryLimit of the heap it found held — by a cleanup on
// an object only that collection finds unreachable, which arms the next
// one — until stop, which lifts the limit.
func keepToBudget() (stop func()) {
	var mu sync.Mutex
	stopped := false
	debug.SetMemoryLimit(memoryBudget)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.AddCleanup(new([16]byte), func(struct{}) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(memoryLimit(sample[0].Value.Uint64()))
			}
			arm()
		}, struct{}{})
	}
	arm()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// runsForDays says whether args start the screen (live or replay), watch
// or the demo.
func runsForDays(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch a := args[0]; {
	case a == "-h" || a == "--help":
		return false
	case strings.HasPrefix(a, "-"): // the screen's flags
		return true
	default:
		return a == "watch" || a == "demo" || a == "replay"
	}
}
