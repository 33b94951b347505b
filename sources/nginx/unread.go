package nginx

// Seconds and minutes in which lines could not be read. A chart over them
// is a gap, not a zero: a minute of lines in a format the source cannot
// read (nginx reloaded with another log_format) must not read in the
// morning as a minute without traffic. An unreadable line has no time of
// its own; it is put at the clock when it was read, or, read back from a
// log's history (its last readable line more than a minute behind the
// clock), at that line's time.

// unreadMarks counts unreadable lines per slot of a fixed width, in a ring
// of n slots, each stamped with the slot it holds.
type unreadMarks struct {
	width int64
	n     []uint32
	at    []int64
}

func newUnreadMarks(width int64, slots int) unreadMarks {
	return unreadMarks{width: width, n: make([]uint32, slots), at: make([]int64, slots)}
}

func (u *unreadMarks) add(t int64) {
	s := t - t%u.width
	i := (s / u.width) % int64(len(u.n))
	if i < 0 || t < 0 {
		return
	}
	if u.at[i] != s {
		u.at[i], u.n[i] = s, 0
	}
	u.n[i]++
}

// sum is the unreadable lines in [from, to).
func (u *unreadMarks) sum(from, to int64) uint64 {
	var n uint64
	for s := from - from%u.width; s < to; s += u.width {
		if i := (s / u.width) % int64(len(u.n)); i >= 0 && u.at[i] == s {
			n += uint64(u.n[i])
		}
	}
	return n
}

// markUnread records one unreadable line (live readers only: Options.Now).
func (a *Aggregator) markUnread() {
	if a.arrival == 0 || a.unreadSec.n == nil {
		return
	}
	t := a.arrival
	if a.last != 0 && t-a.last > 60 {
		t = a.last // reading history back: beside the lines around it
	}
	a.unreadSec.add(t)
	a.unreadMin.add(t)
}
