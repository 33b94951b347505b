package applog

import (
	"strings"

	"warroom/sources"
)

// A flood repeats one message hundreds of times a minute. Kept entry by
// entry, it pushes every other message out of the latest `keep` and fills
// the pane with copies of itself; folded, it is one line with a count, and
// the lines kept are the `keep` messages seen last — a flood of resets
// leaves in sight the "Too many connections" that came before it.
//
// Two entries fold when their display text reads the same once every word
// holding a digit is set aside: the stamp, request ids (req-7f3a9c2b),
// addresses and ports, pids, durations and counts differ from one entry of
// an error to the next, its words do not. Only the first line counts (a
// stack trace's depth varies). The line shows the latest entry's text and
// time, and how many entries it stands for since it was first kept.

// kept is the latest matching messages, one row each, in the order they
// were last seen; the least recently seen goes first when it is full.
type kept struct {
	rows       []sources.LogLine
	keys       []string // each row's fold key
	prev, next []int32  // the order last seen: head is the oldest; -1 ends
	head, tail int32
	used       int
	index      map[string]int32 // fold key → row
	key        []byte           // the fold key of the entry at hand
}

func newKept(n int) kept {
	return kept{
		rows: make([]sources.LogLine, n), keys: make([]string, n),
		prev: make([]int32, n), next: make([]int32, n),
		head: -1, tail: -1, index: make(map[string]int32, n),
	}
}

// FoldKey is what two lines that fold into one read alike by (see
// foldKey): for other sources of application lines (VictoriaLogs).
func FoldKey(text string) string { return string(foldKey(nil, text)) }

// foldKey is text with every word that holds a digit written as '#', and
// such words joined by '.', ':', '-', '/' or ',' as one: an address, a
// time (whose fraction a logger may shorten) or a size is one number.
func foldKey(dst []byte, text string) []byte {
	// word returns the end of the word at i and whether it holds a digit
	word := func(i int) (int, bool) {
		digits := false
		for ; i < len(text) && asciiWord(text[i]); i++ {
			digits = digits || text[i] >= '0' && text[i] <= '9'
		}
		return i, digits
	}
	for i := 0; i < len(text); {
		if !asciiWord(text[i]) {
			dst = append(dst, text[i])
			i++
			continue
		}
		j, digits := word(i)
		if !digits {
			dst = append(dst, text[i:j]...)
			i = j
			continue
		}
		dst = append(dst, '#')
		for j+1 < len(text) && strings.IndexByte(".:-/,", text[j]) >= 0 && asciiWord(text[j+1]) {
			k, d := word(j + 1)
			if !d {
				break
			}
			j = k
		}
		i = j
	}
	return dst
}

func asciiWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// add shows line, whose first line reads as first: folded into the row
// that reads the same, or in a row of its own. It returns the row.
func (k *kept) add(line sources.LogLine, first string) int {
	k.key = foldKey(k.key[:0], first)
	if i, ok := k.index[string(k.key)]; ok {
		r := &k.rows[i]
		n := max(r.Count, 1) + 1
		if !line.At.Before(r.At) { // read back out of order, an older one only counts
			*r = line
		}
		r.Count = n
		k.unlink(i)
		k.push(i)
		return int(i)
	}
	var i int32
	if k.used < len(k.rows) {
		i = int32(k.used)
		k.used++
	} else {
		i = k.head
		k.unlink(i)
		delete(k.index, k.keys[i])
	}
	line.Count = 1
	k.rows[i], k.keys[i] = line, string(k.key)
	k.index[k.keys[i]] = i
	k.push(i)
	return int(i)
}

// replace puts a reopened entry's line (see Watcher.flushed) in its row:
// the same first line, so the same message and count.
func (k *kept) replace(i int, line sources.LogLine) {
	line.Count = k.rows[i].Count
	k.rows[i] = line
}

// appendTo appends the rows to dst, the least recently seen first.
func (k *kept) appendTo(dst []sources.LogLine) []sources.LogLine {
	for i := k.head; i >= 0; i = k.next[i] {
		dst = append(dst, k.rows[i])
	}
	return dst
}

func (k *kept) unlink(i int32) {
	p, n := k.prev[i], k.next[i]
	if p >= 0 {
		k.next[p] = n
	} else {
		k.head = n
	}
	if n >= 0 {
		k.prev[n] = p
	} else {
		k.tail = p
	}
}

func (k *kept) push(i int32) {
	k.prev[i], k.next[i] = k.tail, -1
	if k.tail >= 0 {
		k.next[k.tail] = i
	} else {
		k.head = i
	}
	k.tail = i
}
