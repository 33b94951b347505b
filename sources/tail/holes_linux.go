package tail

import (
	"errors"
	"os"
	"syscall"
)

// seekData is lseek's SEEK_DATA (Linux 3.1+): the next offset at or after
// the given one that is not inside a hole.
const seekData = 3

// nextData is where data starts at or after off: off itself inside data,
// or where the filesystem cannot tell holes from data (reading then finds
// the NULs, and any real IO error); -1 when nothing but a hole follows off
// up to the end of the file. It moves the file's own offset, which nothing
// here uses: files are read with ReadAt.
func nextData(f *os.File, off int64) int64 {
	d, err := f.Seek(off, seekData)
	switch {
	case err == nil:
		return d
	case errors.Is(err, syscall.ENXIO):
		return -1
	}
	return off
}
