package nginx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// counts is the truth of one span: requests, 499s and slow ones by key.
type counts map[string]*[3]uint64

func (c counts) add(key string, is499, slow bool) {
	v := c[key]
	if v == nil {
		v = new([3]uint64)
		c[key] = v
	}
	v[0]++
	if is499 {
		v[1]++
	}
	if slow {
		v[2]++
	}
}

func (c counts) addAll(o counts) {
	for k, v := range o {
		if c[k] == nil {
			c[k] = new([3]uint64)
		}
		for j := range v {
			c[k][j] += v[j]
		}
	}
}

// spanOf counts n lines of random keys (a few heavy) into a TopK of
// capacity keys and into the truth, and freezes the TopK.
func spanOf(rng *rand.Rand, n, distinct, capacity int, truth counts) *table {
	tk := NewTopK(capacity)
	for i := 0; i < n; i++ {
		key := "k" + strconv.Itoa(rng.IntN(distinct))
		if rng.IntN(5) == 0 {
			key = "heavy" + strconv.Itoa(rng.IntN(3))
		}
		is499, slow := rng.IntN(7) == 0, rng.IntN(11) == 0
		tk.Add(HashKey([]byte(key)), []byte(key), is499, slow)
		truth.add(key, is499, slow)
	}
	return tableOf(tk)
}

// checkBounds fails unless every key t lists has its true counts within
// its bounds, and every key it does not list made at most its floor.
func checkBounds(t *testing.T, what string, tb *table, truth counts) {
	t.Helper()
	r := &tableReader{t: tb}
	listed := map[string]bool{}
	var prev string
	for r.next() {
		k := string(r.key)
		if len(listed) > 0 && k <= prev {
			t.Fatalf("%s: key %q after %q: not in order", what, k, prev)
		}
		prev = k
		listed[k] = true
		v := truth[k]
		if v == nil {
			v = new([3]uint64)
		}
		span := r.e.hi - r.e.lo
		if v[0] < r.e.lo || v[0] > r.e.hi || v[1] < r.e.s499 || v[1] > r.e.s499+span || v[2] < r.e.slow || v[2] > r.e.slow+span {
			t.Fatalf("%s: %s true %v outside lo %d hi %d (499 %d, slow %d)", what, k, *v, r.e.lo, r.e.hi, r.e.s499, r.e.slow)
		}
	}
	if len(listed) != tb.n {
		t.Fatalf("%s: read %d keys, table says %d", what, len(listed), tb.n)
	}
	var total uint64
	for k, v := range truth {
		total += v[0]
		if !listed[k] && v[0] > tb.floor {
			t.Fatalf("%s: %s made %d, not listed, floor %d", what, k, v[0], tb.floor)
		}
	}
	if total != tb.total {
		t.Fatalf("%s: total %d, true %d", what, tb.total, total)
	}
	if tb.exact() != (len(listed) == len(truth)) && tb.exact() {
		t.Fatalf("%s: exact but lists %d of %d keys", what, len(listed), len(truth))
	}
}

func TestTableExactWhenFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	truth := counts{}
	tb := spanOf(rng, 5000, 300, 1000, truth)
	if !tb.exact() || tb.n != len(truth) {
		t.Fatalf("exact %v, %d keys of %d", tb.exact(), tb.n, len(truth))
	}
	checkBounds(t, "one span", tb, truth)
	r := &tableReader{t: tb}
	for r.next() {
		if v := truth[string(r.key)]; r.e.lo != r.e.hi || r.e.lo != v[0] || r.e.s499 != v[1] || r.e.slow != v[2] {
			t.Fatalf("%s: %+v, true %v", r.key, r.e, *v)
		}
	}
}

// Tables of spans that overflowed their budget, merged and pruned again
// and again as the levels do: the bounds always hold the truth.
func TestTableMergeKeepsBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 20; round++ {
		capacity := 20 + rng.IntN(200)
		budget := tableBudget{keys: 10 + rng.IntN(300), bytes: 1 << 20}
		if round%4 == 0 {
			budget.bytes = 600 // the byte budget bites first
		}
		all := counts{}
		var tables []*table
		for i := 0; i < 2+rng.IntN(8); i++ {
			truth := counts{}
			tb := spanOf(rng, 200+rng.IntN(3000), 50+rng.IntN(1000), capacity, truth)
			checkBounds(t, "span", tb, truth)
			tables = append(tables, tb)
			all.addAll(truth)
		}
		m := mergeTables(tables, budget)
		what := fmt.Sprintf("round %d (%d spans, budget %+v)", round, len(tables), budget)
		checkBounds(t, what, m, all)
		if m.n > budget.keys {
			t.Fatalf("%s: %d keys kept", what, m.n)
		}
		// a merge of merges, as a window over buckets reads
		more := counts{}
		extra := spanOf(rng, 1000, 400, capacity, more)
		mm := mergeTables([]*table{m, extra}, budget)
		all.addAll(more)
		checkBounds(t, what+" again", mm, all)
	}
}

func TestSortKeyOrds(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{0, 1, 2, 13, 100, 5000} {
		var keys [][]byte
		for i := 0; i < n; i++ {
			k := []byte(fmt.Sprintf("10.%d.%d.%d", rng.IntN(3), rng.IntN(300), rng.IntN(3)))
			switch rng.IntN(4) {
			case 0:
				k = append(k, make([]byte, rng.IntN(20))...) // zero bytes past the 16 compared as integers
			case 1:
				k = []byte(fmt.Sprintf("/api/v1/user/profile/%d", rng.IntN(50)))
			}
			keys = append(keys, k)
		}
		ords := make([]keyOrd, n)
		for i, k := range keys {
			ords[i] = newKeyOrd(k, int32(i))
		}
		sortKeyOrds(ords, keys)
		for i := 1; i < n; i++ {
			a, b := keys[ords[i-1].i], keys[ords[i].i]
			if bytes.Compare(a, b) > 0 || (ords[i-1].cmp(&ords[i], keys) == 0) != bytes.Equal(a, b) {
				t.Fatalf("n=%d: %q before %q", n, a, b)
			}
		}
	}
}
