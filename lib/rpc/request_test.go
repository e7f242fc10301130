package rpc

import (
	"strings"
	"testing"
)

// TestBatchLen: a batch is counted without tracking keys: the top-level
// elements, stopping once past the limit, strings (with brackets and
// commas in them) skipped, nested commas not counted, and no allocation
// however many objects and keys the batch holds.
func TestBatchLen(t *testing.T) {
	for _, c := range []struct {
		body  string
		limit int
		want  int
	}{
		{`[]`, 5, 0},
		{` [ ] `, 5, 0},
		{`[1]`, 5, 1},
		{`[{"a":[1,2,3],"b":{"c":1,"d":2}},"x,]",[[],{}]]`, 5, 3},
		{`["\"],["]`, 5, 1},
		{`[1,2,3,4,5,6,7]`, 5, 6}, // stops once past the limit
		{`[{"a":1,"a":2}]`, 5, 1}, // duplicates are decodeRequest's business
	} {
		if got := batchLen([]byte(c.body), c.limit); got != c.want {
			t.Errorf("batchLen(%s, %d) = %d, want %d", c.body, c.limit, got, c.want)
		}
	}
	call := `{"id":1,"method":"getblock","params":{"blockhash":"00","verbosity":0,"k1":1,"k2":2,"k3":3}}`
	body := []byte("[" + strings.Repeat(call+",", 999) + call + "]")
	if n := batchLen(body, 1000); n != 1000 {
		t.Fatalf("batch of %d, want 1000", n)
	}
	if a := testing.AllocsPerRun(10, func() { batchLen(body, 1000) }); a != 0 {
		t.Errorf("counting a batch of 1000 calls allocates %.0f times", a)
	}
}
