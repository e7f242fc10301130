//go:build !purego

package sha256d

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

func availableImpls() []string {
	if hasSHANI {
		return []string{"sha-ni", "generic"}
	}
	return []string{"generic"}
}

// useImpl selects the named compression and returns the undo.
func useImpl(name string) func() {
	old := hasSHANI
	hasSHANI = name == "sha-ni"
	return func() { hasSHANI = old }
}

// TestScanSHANIMatchesGeneric checks the assembly loop's candidates (the
// nonces whose top hash word passes) one by one against the generic
// scan, so a loop that flags too much, which the exact check would hide,
// fails too.
func TestScanSHANIMatchesGeneric(t *testing.T) {
	if !hasSHANI {
		t.Skip("no SHA extensions on this CPU")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 200 {
		var h [HeaderSize]byte
		for i := range h {
			h[i] = byte(r.Uint32())
		}
		target := targetWithTop(r, r.Uint32()>>(iter%32))
		j := NewJob(&h, &target)
		start, last := r.Uint32(), uint32(r.IntN(300))
		if uint64(start)+uint64(last) > 0xffffffff {
			start -= last
		}
		if iter%2 == 1 {
			// A top word equal to one nonce's: the loop must flag it.
			j.target[7] = bits.ReverseBytes32(j.outerTop(start + last/2))
			j.target[7] >>= iter % 5
		}
		for {
			got, gotOK := j.arch.scan(j, start, last)
			want, wantOK := j.scanGeneric(start, last)
			if got != want || gotOK != wantOK {
				t.Fatalf("header %x top %08x range %d+%d: sha-ni candidate %d, %v; generic %d, %v",
					h, j.target[7], start, last, got, gotOK, want, wantOK)
			}
			if !gotOK || got == start+last {
				break
			}
			last -= got + 1 - start
			start = got + 1
		}
	}
}
