package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// The commands that run for days keep to the budget; the others, and any
// run whose environment names GOGC or GOMEMLIMIT, keep Go's own ways.
func TestBudgeted(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, c := range []struct {
		args []string
		env  func(string) string
		want bool
	}{
		{[]string{"-c", "warroom.yaml"}, env(), true},
		{[]string{"--access-log", "a.log"}, env(), true},
		{[]string{"watch", "-c", "w.yaml", "--replay"}, env(), true},
		{[]string{"demo"}, env(), true},
		{[]string{"replay", "-c", "w.yaml"}, env(), true},
		{[]string{"scan", "a.log"}, env(), false},
		{[]string{"snapshot", "-c", "w.yaml"}, env(), false},
		{[]string{"--help"}, env(), false},
		{nil, env(), false},
		{[]string{"watch", "-c", "w.yaml"}, env("GOGC", "100"), false},
		{[]string{"-c", "w.yaml"}, env("GOMEMLIMIT", "200MiB"), false},
	} {
		if got := budgeted(c.args, c.env); got != c.want {
			t.Errorf("budgeted(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

// Below the budget the limit is the budget; above, what is held and a
// sixteenth more, and the runtime's reserve.
func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, memoryBudget},
		{60 << 20, memoryBudget},
		{69 << 20, memoryBudget},
		{80 << 20, 91 << 20},
		{800 << 20, 856 << 20},
	} {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("memoryLimit(%d MiB) = %d MiB, want %d", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// keepToBudget sets the budget, raises the limit once the heap holds more
// than fits in it (after the collection that finds so), and stop lifts it.
func TestKeepToBudget(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	stop := keepToBudget()
	defer stop()
	if got := debug.SetMemoryLimit(-1); got != memoryBudget {
		t.Fatalf("limit %d MiB, want the budget %d", got>>20, memoryBudget>>20)
	}
	held := make([]byte, 120<<20)
	want := memoryLimit(120 << 20)
	// the cleanup runs on its own goroutine after a collection
	for i := 0; i < 1000 && debug.SetMemoryLimit(-1) < want; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if got := debug.SetMemoryLimit(-1); got < want {
		t.Errorf("holding 120 MiB, the limit is %d MiB, want at least %d", got>>20, want>>20)
	}
	runtime.KeepAlive(held)
	stop()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after stop the limit is %d MiB, want none", got>>20)
	}
}
