package nginx

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHistQuantiles(t *testing.T) {
	var h Hist
	if h.Quantile(0.5) != -1 {
		t.Fatal("empty histogram must say unknown")
	}
	// 1..10000 ms uniformly: exact quantiles are known
	for ms := 1; ms <= 10000; ms++ {
		h.Add(int64(ms) * 1000)
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		want := q * 10
		got := h.Quantile(q)
		if rel := math.Abs(got-want) / want; rel > 0.02 {
			t.Errorf("p%v = %v, want %v ± 2%% (error %.2f%%)", q*100, got, want, rel*100)
		}
	}
	var h2 Hist
	h2.Add(1 << 40) // beyond the cap: clamped into the last bucket, not lost
	if h2.Count() != 1 || h2.Quantile(1) <= 0 {
		t.Fatal("huge value lost")
	}
}

func TestHistIndexMonotonic(t *testing.T) {
	last := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/100 {
		i := histIndex(us)
		if i < last {
			t.Fatalf("index went down at %d", us)
		}
		last = i
		mid := histValue(i)
		if us >= 64 && math.Abs(mid-float64(us))/float64(us) > 1.0/32 {
			t.Fatalf("bucket midpoint %v too far from %d", mid, us)
		}
	}
}

func TestTopKExactWhenFits(t *testing.T) {
	seed := maphash.MakeSeed()
	k := NewTopK(100)
	want := map[string]uint64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		key := "10.0.0." + strconv.Itoa(rng.IntN(50))
		want[key]++
		k.Add(maphash.String(seed, key), []byte(key), false, false)
	}
	if !k.Exact() {
		t.Fatal("no eviction expected")
	}
	for _, it := range k.Top(-1) {
		if it.Count != want[it.Key] || it.Err != 0 {
			t.Fatalf("%s: %d (err %d), want %d", it.Key, it.Count, it.Err, want[it.Key])
		}
	}
}

func TestTopKHeavyHittersUnderEviction(t *testing.T) {
	seed := maphash.MakeSeed()
	k := NewTopK(64)
	want := map[string]uint64{}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		var key string
		if rng.IntN(10) < 4 {
			key = "heavy-" + strconv.Itoa(rng.IntN(5))
		} else {
			key = "tail-" + strconv.Itoa(rng.IntN(100000))
		}
		want[key]++
		k.Add(maphash.String(seed, key), []byte(key), key == "heavy-0", false)
	}
	if k.Exact() {
		t.Fatal("evictions expected")
	}
	top := k.Top(5)
	keys := make([]string, len(top))
	for i, it := range top {
		keys[i] = it.Key
		// Space-Saving: true count within [Count-Err, Count]
		if w := want[it.Key]; w > it.Count || w < it.Count-it.Err {
			t.Errorf("%s: count %d err %d, true %d", it.Key, it.Count, it.Err, w)
		}
	}
	sort.Strings(keys)
	for i, key := range keys {
		if key != "heavy-"+strconv.Itoa(i) {
			t.Fatalf("top 5 = %v, want the heavy keys", keys)
		}
	}
}

func TestTopKMerge(t *testing.T) {
	seed := maphash.MakeSeed()
	a, b := NewTopK(10), NewTopK(10)
	add := func(k *TopK, key string, n int) {
		for i := 0; i < n; i++ {
			k.Add(maphash.String(seed, key), []byte(key), true, false)
		}
	}
	add(a, "x", 3)
	add(b, "x", 4)
	add(b, "y", 1)
	a.Merge(b)
	top := a.Top(2)
	if top[0].Key != "x" || top[0].Count != 7 || top[0].S499 != 7 || top[1].Key != "y" {
		t.Fatalf("merged = %+v", top)
	}
}

// Merging a key both sketches hold adds their over-counts too, and TopSure
// ranks by the count each key is sure to have.
func TestTopKMergeKeepsErrorAndTopSure(t *testing.T) {
	seed := maphash.MakeSeed()
	h := func(k string) uint64 { return maphash.String(seed, k) }
	a, b := NewTopK(10), NewTopK(10)
	a.add(h("noise"), []byte("noise"), 50, 48, entryMarks{}) // inherited: sure of 2
	b.add(h("noise"), []byte("noise"), 50, 47, entryMarks{}) // sure of 3
	b.add(h("heavy"), []byte("heavy"), 60, 0, entryMarks{})
	a.Merge(b)
	top := a.Top(-1)
	if top[0].Key != "noise" || top[0].Count != 100 || top[0].Err != 95 {
		t.Fatalf("merged noise %+v, want count 100 err 95", top[0])
	}
	sure := a.TopSure(-1)
	if sure[0].Key != "heavy" || sure[1].Key != "noise" {
		t.Fatalf("TopSure %+v, want heavy (sure 60) before noise (sure 5)", sure)
	}
}

// A window over per-minute tables much smaller than the crowd of clients:
// every listed client's true count lies within its bounds, and the real
// heavy talker comes first.
func TestWindowTopUnderAFlatCrowd(t *testing.T) {
	a := newTestAgg(t, Options{Seconds: 600, Minutes: 60, DetailMinutes: 30, TopKeys: 10})
	r := rand.New(rand.NewPCG(1, 2))
	truth := map[string]uint64{}
	var b strings.Builder
	for s := 0; s < 300; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		for i := 0; i < 20; i++ {
			ip := fmt.Sprintf("10.0.%d.%d", r.IntN(4), r.IntN(250))
			if i%4 == 0 {
				ip = "10.9.9.9" // a quarter of the traffic
			}
			truth[ip]++
			b.WriteString(line(at, ip, "/", 200, 0.01, "0.01"))
		}
	}
	a.Ingest([]byte(b.String()))
	w := a.Window(t0, t0.Add(5*time.Minute), 10)
	if len(w.TopIPs) == 0 || w.TopIPs[0].Key != "10.9.9.9" {
		t.Fatalf("top %+v, want 10.9.9.9 first", w.TopIPs)
	}
	prev := uint64(math.MaxUint64)
	for _, it := range w.TopIPs {
		sure := it.Count - min(it.Err, it.Count)
		if sure > truth[it.Key] || it.Count < truth[it.Key] {
			t.Errorf("%s: count %d err %d, true count %d outside [count-err, count]", it.Key, it.Count, it.Err, truth[it.Key])
		}
		if sure > prev {
			t.Errorf("%s: sure of %d ranked below a key sure of %d: %+v", it.Key, sure, prev, w.TopIPs)
		}
		prev = sure
	}
}

func TestHLL(t *testing.T) {
	seed := maphash.MakeSeed()
	for _, n := range []int{0, 1, 100, 5000, 200000} {
		h := NewHLL(14)
		for i := 0; i < n; i++ {
			h.Add(maphash.String(seed, "ip"+strconv.Itoa(i)))
			h.Add(maphash.String(seed, "ip"+strconv.Itoa(i))) // duplicates don't count
		}
		got := float64(h.Estimate())
		if n == 0 {
			if got != 0 {
				t.Fatalf("empty estimate %v", got)
			}
			continue
		}
		if rel := math.Abs(got-float64(n)) / float64(n); rel > 0.03 {
			t.Errorf("n=%d estimate %v (error %.1f%%)", n, got, rel*100)
		}
	}
}

// TestTopKTableInvariants drives the open-addressing index through many
// evictions with small, colliding hashes and checks after every step that
// each entry is findable under its own hash and that the counts add up:
// Space-Saving never loses an occurrence, it only misattributes it.
func TestTopKTableInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tk := NewTopK(16)
	var total uint64
	replaced := 0
	for step := 0; step < 20000; step++ {
		h := uint64(rng.IntN(64)) // few distinct hashes: long probe runs
		if rng.IntN(4) == 0 {
			h <<= 58 // same home slot after the multiply for many keys
		}
		// Space-Saving replaces an entry of the smallest count
		least, full := uint32(math.MaxUint32), len(tk.ents) == tk.capacity
		for _, c := range tk.counts {
			least = min(least, c)
		}
		isNew := tk.find(h) < 0
		tk.Add(h, []byte(strconv.FormatUint(h, 10)), false, false)
		total++
		if isNew && full {
			replaced++
			i := tk.find(h)
			if e := tk.ents[i]; e.err != least || tk.counts[i] != least+1 {
				t.Fatalf("step %d: replaced an entry of count %d (now %d), the least was %d", step, e.err, tk.counts[i], least)
			}
		}
		var sum uint64
		for i := range tk.ents {
			if got := tk.find(tk.ents[i].h); got != int32(i) {
				t.Fatalf("step %d: entry %d (hash %x) found at %d", step, i, tk.ents[i].h, got)
			}
			sum += uint64(tk.counts[i])
		}
		if sum != total {
			t.Fatalf("step %d: counts sum to %d, want %d", step, sum, total)
		}
		for j, hs := range tk.heap {
			if hs.count > tk.counts[hs.ent] {
				t.Fatalf("step %d: heap key %d above the count %d of entry %d", step, hs.count, tk.counts[hs.ent], hs.ent)
			}
			if j > 0 && tk.heap[(j-1)/2].count > hs.count {
				t.Fatalf("step %d: heap out of order at %d", step, j)
			}
		}
	}
	if tk.Exact() || replaced < 100 {
		t.Fatalf("64 keys through 16 slots must evict (replaced %d)", replaced)
	}
}

// hashKeyRef is HashKey as first written, byte by byte: distinct-count
// estimates must not change with its speed-ups.
func hashKeyRef(b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15
	h := uint64(len(b)) * m
	for len(b) >= 8 {
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		h = (h ^ w) * m
		h ^= h >> 29
		b = b[8:]
	}
	var w uint64
	for i, c := range b {
		w |= uint64(c) << (8 * i)
	}
	h = (h ^ w) * m
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func TestHashKeyUnchanged(t *testing.T) {
	buf := []byte("2001:db8:85a3::8a2e:370:7334,10.0.0.1\xff\x00")
	for i := 0; i <= len(buf); i++ {
		for j := i; j <= len(buf); j++ {
			if got, want := HashKey(buf[i:j]), hashKeyRef(buf[i:j]); got != want {
				t.Fatalf("HashKey(%q) = %x, want %x", buf[i:j], got, want)
			}
		}
	}
}
