package main

import (
	"bytes"
	"testing"

	"warroom/sources/prom"
)

// generate --mtail prints the program the mtail preset reads (the one a
// test runs under a real mtail), byte for byte.
func TestGenerateMtail(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"generate", "--mtail"}, &out, &errb); code != exitOK || out.String() != prom.MtailProgram || len(out.String()) < 100 {
		t.Fatalf("exit %d, %d bytes: %s", code, out.Len(), errb.String())
	}
}
