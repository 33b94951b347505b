package nginx

import "encoding/binary"

// Timestamps are parsed by hand: time.Parse allocates and is ~20× slower, and
// consecutive log lines almost always share a second, so a one-entry cache
// turns most lines into a 26-byte compare.

type timeCache struct {
	key  [32]byte
	n    int
	unix int64
}

func (c *timeCache) hit(v []byte) (int64, bool) {
	n := c.n
	if n != len(v) || n == 0 {
		return 0, false
	}
	if n >= 8 {
		// word compares, the last one overlapping: no call for 26 bytes
		k := c.key[:n]
		for i := 0; i < n-8; i += 8 {
			if binary.LittleEndian.Uint64(k[i:]) != binary.LittleEndian.Uint64(v[i:]) {
				return 0, false
			}
		}
		if binary.LittleEndian.Uint64(k[n-8:]) != binary.LittleEndian.Uint64(v[n-8:]) {
			return 0, false
		}
		return c.unix, true
	}
	if string(c.key[:n]) == string(v) {
		return c.unix, true
	}
	return 0, false
}

// hit26 is hit for a $time_local value (26 bytes), small enough to be
// inlined where a call costs most: the parse loop and commonPrefix.
func (c *timeCache) hit26(v []byte) bool {
	return len(v) == 26 && c.n == 26 &&
		binary.LittleEndian.Uint64(v) == binary.LittleEndian.Uint64(c.key[:]) &&
		binary.LittleEndian.Uint64(v[8:]) == binary.LittleEndian.Uint64(c.key[8:]) &&
		binary.LittleEndian.Uint64(v[16:]) == binary.LittleEndian.Uint64(c.key[16:]) &&
		binary.LittleEndian.Uint64(v[18:]) == binary.LittleEndian.Uint64(c.key[18:])
}

func (c *timeCache) store(v []byte, t int64) {
	if len(v) <= len(c.key) {
		c.n = copy(c.key[:], v)
		c.unix = t
	}
}

// local parses $time_local: 10/Oct/2000:13:55:36 -0700
func (c *timeCache) local(v []byte) (int64, bool) {
	if t, ok := c.hit(v); ok {
		return t, true
	}
	if len(v) != 26 || v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' || v[17] != ':' || v[20] != ' ' {
		return 0, false
	}
	day, ok1 := num2(v[0], v[1])
	mon := monthOf(v[3], v[4], v[5])
	year, ok2 := num4(v[7:11])
	hh, ok3 := num2(v[12], v[13])
	mm, ok4 := num2(v[15], v[16])
	ss, ok5 := num2(v[18], v[19])
	off, ok6 := zoneOffset(v[21:])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon == 0 {
		return 0, false
	}
	t, ok := unixOf(year, mon, day, hh, mm, ss, off)
	if ok {
		c.store(v, t)
	}
	return t, ok
}

// iso parses $time_iso8601: 2000-10-10T13:55:36-07:00 (or +00:00, or Z)
func (c *timeCache) iso(v []byte) (int64, bool) {
	if t, ok := c.hit(v); ok {
		return t, true
	}
	if len(v) < 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' {
		return 0, false
	}
	year, ok1 := num4(v[0:4])
	mon, ok2 := num2(v[5], v[6])
	day, ok3 := num2(v[8], v[9])
	hh, ok4 := num2(v[11], v[12])
	mm, ok5 := num2(v[14], v[15])
	ss, ok6 := num2(v[17], v[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0, false
	}
	z := v[19:]
	if len(z) > 0 && z[0] == '.' { // fractional seconds
		i := 1
		for i < len(z) && z[i] >= '0' && z[i] <= '9' {
			i++
		}
		z = z[i:]
	}
	var off int
	switch {
	case len(z) == 1 && z[0] == 'Z':
	case len(z) == 6 && z[3] == ':':
		var tmp [5]byte
		tmp[0], tmp[1], tmp[2], tmp[3], tmp[4] = z[0], z[1], z[2], z[4], z[5]
		o, ok := zoneOffset(tmp[:])
		if !ok {
			return 0, false
		}
		off = o
	default:
		return 0, false
	}
	t, ok := unixOf(year, mon, day, hh, mm, ss, off)
	if ok {
		c.store(v, t)
	}
	return t, ok
}

func num2(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

func num4(v []byte) (int, bool) {
	a, ok1 := num2(v[0], v[1])
	b, ok2 := num2(v[2], v[3])
	return a*100 + b, ok1 && ok2
}

// zoneOffset parses "+0800" into seconds east of UTC.
func zoneOffset(z []byte) (int, bool) {
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	h, ok1 := num2(z[1], z[2])
	m, ok2 := num2(z[3], z[4])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

func monthOf(a, b, c byte) int {
	k := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	for i, m := range monthKeys {
		if m == k {
			return i + 1
		}
	}
	return 0
}

var monthKeys = [12]uint32{
	'J'<<16 | 'a'<<8 | 'n', 'F'<<16 | 'e'<<8 | 'b', 'M'<<16 | 'a'<<8 | 'r', 'A'<<16 | 'p'<<8 | 'r',
	'M'<<16 | 'a'<<8 | 'y', 'J'<<16 | 'u'<<8 | 'n', 'J'<<16 | 'u'<<8 | 'l', 'A'<<16 | 'u'<<8 | 'g',
	'S'<<16 | 'e'<<8 | 'p', 'O'<<16 | 'c'<<8 | 't', 'N'<<16 | 'o'<<8 | 'v', 'D'<<16 | 'e'<<8 | 'c',
}

// unixOf converts a civil time with a zone offset to unix seconds
// (Howard Hinnant's days_from_civil).
func unixOf(year, mon, day, hh, mm, ss, off int) (int64, bool) {
	if mon < 1 || mon > 12 || day < 1 || day > daysIn(year, mon) || hh > 23 || mm > 59 || ss > 60 || year < 1970 || year > 9999 {
		return 0, false
	}
	y := int64(year)
	m := int64(mon)
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + int64(hh)*3600 + int64(mm)*60 + int64(ss) - int64(off), true
}

func daysIn(year, mon int) int {
	switch mon {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
