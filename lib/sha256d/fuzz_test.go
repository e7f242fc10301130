package sha256d

import (
	"testing"
)

// FuzzSearch checks Search and Hash against crypto/sha256 over a small
// nonce range of any header and target, with every compression this
// machine runs.
func FuzzSearch(f *testing.F) {
	f.Add(make([]byte, HeaderSize), make([]byte, 32), uint32(0), uint8(10))
	f.Add(make([]byte, HeaderSize), []byte{31: 0x7f}, uint32(0xfffffff0), uint8(40))
	f.Add([]byte("any header bytes at all"), []byte{31: 0x00, 30: 0x10}, uint32(7), uint8(200))
	f.Fuzz(func(t *testing.T, header, target []byte, start uint32, count uint8) {
		var h [HeaderSize]byte
		copy(h[:], header)
		var tgt [32]byte
		copy(tgt[:], target)
		want, wantOK := refSearch(&h, tgt, start, uint64(count))
		for _, name := range availableImpls() {
			undo := useImpl(name)
			j := NewJob(&h, &tgt)
			got, gotOK := j.Search(start, uint64(count))
			hash := j.Hash(start)
			undo()
			if got != want || gotOK != wantOK {
				t.Fatalf("%s: Search(%d, %d) = %d, %v; crypto/sha256 %d, %v", name, start, count, got, gotOK, want, wantOK)
			}
			if ref := refHash(&h, start); hash != ref {
				t.Fatalf("%s: Hash(%d) = %x, crypto/sha256 %x", name, start, hash, ref)
			}
		}
	})
}
