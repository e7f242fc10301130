package mining

import (
	"context"
	"encoding/binary"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// ctxCheckInterval is how many nonces are tried between context checks.
const ctxCheckInterval = 1 << 16

// SolveBlock searches header nonces from the current one upward (wrapping
// once through the whole 32-bit space) for a hash at or below the target
// of header.Bits. On success it leaves the winning nonce in the header and
// returns true. It returns false when the nonce space is exhausted (bump
// the extra nonce with UpdateExtraNonce and call again), when the context
// ends, or when the bits encode no valid target.
func SolveBlock(ctx context.Context, header *wire.BlockHeader) bool {
	target := chaincfg.CompactToBig(header.Bits)
	if target.Sign() <= 0 || header.Bits&0x00800000 != 0 {
		return false
	}
	buf := header.Bytes()
	start := header.Nonce
	nonce := start
	for i := uint64(0); i <= 0xffffffff; i++ {
		if i%ctxCheckInterval == 0 && ctx.Err() != nil {
			return false
		}
		binary.LittleEndian.PutUint32(buf[76:], nonce)
		hash := chainhash.DoubleHashH(buf)
		if chaincfg.HashToBig(&hash).Cmp(target) <= 0 {
			header.Nonce = nonce
			return true
		}
		nonce++
	}
	header.Nonce = start
	return false
}
