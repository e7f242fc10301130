package spv

import (
	"bytes"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// FuzzPrevScripts: any signature script and witness (a block's inputs
// are a peer's bytes) yields at most two candidates without panicking,
// and parsePushes only accepts push-only scripts whose pushes
// re-serialise inside the input.
func FuzzPrevScripts(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0x21, 0x02, 1, 2}, []byte{})
	f.Add([]byte{0x4c, 0x05, 1, 2, 3, 4, 5}, []byte{0x21})
	f.Add([]byte{0x16, 0x00, 0x14}, bytes.Repeat([]byte{2}, 33))
	f.Fuzz(func(t *testing.T, sig, wit []byte) {
		in := &wire.TxIn{SignatureScript: sig}
		if len(wit) > 0 {
			in.Witness = wire.TxWitness{[]byte{1}, wit}
		}
		if c := prevScripts(in); len(c) > 2 {
			t.Fatalf("%d candidates", len(c))
		}
		pushes, ok := parsePushes(sig)
		if !ok {
			return
		}
		total := 0
		for _, p := range pushes {
			total += len(p)
		}
		if total > len(sig) {
			t.Fatalf("pushes hold %d bytes of a %d-byte script", total, len(sig))
		}
	})
}
