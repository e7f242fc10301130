package sha256d

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"testing"
)

// refHash is the double SHA-256 of header with nonce, by crypto/sha256.
func refHash(header *[HeaderSize]byte, nonce uint32) [32]byte {
	h := *header
	binary.LittleEndian.PutUint32(h[76:], nonce)
	first := sha256.Sum256(h[:])
	return sha256.Sum256(first[:])
}

// refMeets compares a hash with a target, both little-endian numbers, by
// math/big.
func refMeets(hash, target [32]byte) bool {
	return leBig(hash).Cmp(leBig(target)) <= 0
}

func leBig(b [32]byte) *big.Int {
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return new(big.Int).SetBytes(b[:])
}

// refSearch is Search by crypto/sha256.
func refSearch(header *[HeaderSize]byte, target [32]byte, start uint32, count uint64) (uint32, bool) {
	n := start
	for i := uint64(0); i < count; i++ {
		if refMeets(refHash(header, n), target) {
			return n, true
		}
		n++
	}
	return 0, false
}

// withEachImpl runs f once for every compression this machine can run.
func withEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, name := range availableImpls() {
		t.Run(name, func(t *testing.T) {
			defer useImpl(name)()
			f(t)
		})
	}
}

// targetWithTop returns a target whose most significant word is top and
// whose other bytes are random.
func targetWithTop(r *rand.Rand, top uint32) [32]byte {
	var t [32]byte
	for i := range t {
		t[i] = byte(r.Uint32())
	}
	binary.LittleEndian.PutUint32(t[28:], top)
	return t
}

func TestHashMatchesCryptoSHA256(t *testing.T) {
	withEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 50 {
			var h [HeaderSize]byte
			for i := range h {
				h[i] = byte(r.Uint32())
			}
			var target [32]byte
			j := NewJob(&h, &target)
			for range 40 {
				n := r.Uint32()
				if got, want := j.Hash(n), refHash(&h, n); got != want {
					t.Fatalf("header %x nonce %d: hash %x, want %x", h, n, got, want)
				}
			}
		}
	})
}

// TestSearchMatchesCryptoSHA256 is the differential test: random headers
// and targets of several difficulties, every nonce of a range hashed both
// ways, and the first solution compared.
func TestSearchMatchesCryptoSHA256(t *testing.T) {
	withEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		tops := []uint32{0xffffffff, 0x7fffffff, 0x1fffffff, 0x03ffffff, 0x003fffff, 0}
		for iter := range 120 {
			var h [HeaderSize]byte
			for i := range h {
				h[i] = byte(r.Uint32())
			}
			target := targetWithTop(r, tops[iter%len(tops)])
			start := r.Uint32()
			count := uint64(1 + r.IntN(600))
			j := NewJob(&h, &target)
			got, gotOK := j.Search(start, count)
			want, wantOK := refSearch(&h, target, start, count)
			if got != want || gotOK != wantOK {
				t.Fatalf("header %x target %x start %d count %d: Search = %d, %v; crypto/sha256 = %d, %v",
					h, target, start, count, got, gotOK, want, wantOK)
			}
			for n := start; n != start+uint32(count); n++ {
				if j.Meets(n) != refMeets(refHash(&h, n), target) {
					t.Fatalf("header %x target %x nonce %d: Meets disagrees with crypto/sha256", h, target, n)
				}
			}
		}
	})
}

// TestSearchTies sets the target to a hash's exact value (it meets) and
// one below it (it does not): the whole 256-bit compare decides, not only
// the top word.
func TestSearchTies(t *testing.T) {
	withEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for range 30 {
			var h [HeaderSize]byte
			for i := range h {
				h[i] = byte(r.Uint32())
			}
			const start = 1000
			n := start + uint32(r.IntN(64))
			exact := refHash(&h, n)
			// Make nonce n the only one in range with this top word: no
			// other hash of the range may come below the target.
			lowest := exact
			for m := uint32(start); m < n; m++ {
				if leBig(refHash(&h, m)).Cmp(leBig(lowest)) <= 0 {
					lowest = [32]byte{}
				}
			}
			if lowest != exact {
				continue
			}
			j := NewJob(&h, &exact)
			if got, ok := j.Search(start, 64); !ok || got != n {
				t.Fatalf("target = hash of nonce %d: Search = %d, %v", n, got, ok)
			}
			below := leBig(exact)
			below.Sub(below, big.NewInt(1))
			bt := Target(below)
			j = NewJob(&h, &bt)
			if got, ok := j.Search(n, 1); ok {
				t.Fatalf("target one below the hash of nonce %d: Search found %d", n, got)
			}
		}
	})
}

// TestSearchWraps checks the range past 0xffffffff, the whole-space
// count and the empty count.
func TestSearchWraps(t *testing.T) {
	withEachImpl(t, func(t *testing.T) {
		var h [HeaderSize]byte
		h[0] = 1
		easy := Target(new(big.Int).Lsh(big.NewInt(1), 255)) // about half of all hashes
		j := NewJob(&h, &easy)
		want, wantOK := refSearch(&h, easy, 0xfffffffe, 40)
		if got, ok := j.Search(0xfffffffe, 40); got != want || ok != wantOK {
			t.Fatalf("wrapping search = %d, %v; want %d, %v", got, ok, want, wantOK)
		}
		// A target no hash meets makes 3 nonces across the wrap fail.
		var zero [32]byte
		j = NewJob(&h, &zero)
		if got, ok := j.Search(0xffffffff, 3); ok {
			t.Fatalf("zero target: found %d", got)
		}
		if got, ok := NewJob(&h, &easy).Search(5, 0); ok {
			t.Fatalf("count 0: found %d", got)
		}
	})
}

func TestTarget(t *testing.T) {
	tests := []struct {
		in   *big.Int
		want [32]byte
	}{
		{big.NewInt(-5), [32]byte{}},
		{big.NewInt(0x0102), [32]byte{0: 0x02, 1: 0x01}},
		{new(big.Int).Lsh(big.NewInt(1), 300), [32]byte(bytes.Repeat([]byte{0xff}, 32))},
	}
	for _, tc := range tests {
		if got := Target(tc.in); got != tc.want {
			t.Errorf("Target(%v) = %x, want %x", tc.in, got, tc.want)
		}
	}
}
