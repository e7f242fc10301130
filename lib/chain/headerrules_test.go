package chain

import (
	"errors"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

// TestCheckHeaderRules runs the exported header rules over a chain of
// headers without a block index, as a light node does.
func TestCheckHeaderRules(t *testing.T) {
	p := chaincfg.RegTestParams
	g := chaingen.New(p)
	var hdrs []wire.BlockHeader
	hdrs = append(hdrs, p.GenesisBlock.Header)
	for i := 0; i < 15; i++ {
		hdrs = append(hdrs, g.NextBlock(string(rune('a'+i)), nil).Header)
	}
	anc := func(h int32) *wire.BlockHeader { return &hdrs[h] }
	tip := int32(len(hdrs) - 1)
	good := g.NextBlock("next", nil).Header
	if err := CheckHeaderRules(p, &good, tip, anc); err != nil {
		t.Fatalf("good header refused: %v", err)
	}
	if err := CheckProofOfWork(&good, good.BlockHash(), p.PowLimit); err != nil {
		t.Fatalf("good proof of work refused: %v", err)
	}
	cases := []struct {
		name string
		edit func(h *wire.BlockHeader)
		want ErrorKind
	}{
		{"bits", func(h *wire.BlockHeader) { h.Bits-- }, ErrBadBits},
		{"median time", func(h *wire.BlockHeader) { h.Timestamp = uint32(MedianTimePastOf(tip, anc)) }, ErrTimeTooOld},
		{"version", func(h *wire.BlockHeader) { h.Version = 1 }, ErrBadVersion},
	}
	for _, c := range cases {
		h := good
		c.edit(&h)
		if err := CheckHeaderRules(p, &h, tip, anc); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	future := good
	if err := CheckHeaderTime(&future, time.Unix(int64(good.Timestamp), 0).Add(-3*time.Hour)); !errors.Is(err, ErrTimeTooNew) {
		t.Errorf("future header: got %v", err)
	}
	bad := good
	bad.Nonce++
	for chaingen.MeetsTarget(&bad) {
		bad.Nonce++
	}
	if err := CheckProofOfWork(&bad, bad.BlockHash(), p.PowLimit); !errors.Is(err, ErrHighHash) {
		t.Errorf("bad proof of work: got %v", err)
	}
}
