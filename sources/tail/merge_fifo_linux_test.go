package tail

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// A named pipe is replayed as a file is, though it cannot be read again:
// it is not parked.
func TestMergeFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	later := saved(t, filepath.Join(dir, "later"), "3 b\n")
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = w.WriteString("1 a\n2 a\n4 a\n")
			err = errors.Join(err, w.Close())
		}
		done <- err
	}()
	got := mergeAll(t, MergeOptions{}, firstField, fifo, later)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []ingested{{"pipe", 1, "1 a\n"}, {"pipe", 2, "2 a\n"}, {"later", 3, "3 b\n"}, {"pipe", 4, "4 a\n"}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
