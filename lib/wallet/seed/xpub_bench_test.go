package seed

import (
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// BenchmarkExtPubKeyChild: one address's key from a branch's xpub, what
// the explorer's xpub page does per address it scans.
func BenchmarkExtPubKeyChild(b *testing.B) {
	k, err := ParseExtPubKey("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw", chaincfg.MainNetParams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := uint32(0)
	for b.Loop() {
		if _, err := k.Child(i); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
