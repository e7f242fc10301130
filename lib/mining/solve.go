package mining

import (
	"context"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/sha256d"
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
//
// The search is sha256d's midstate loop: the first nonce it returns is
// the first in order that meets the target, the one a nonce-by-nonce
// sha256d loop finds.
func SolveBlock(ctx context.Context, header *wire.BlockHeader) bool {
	target := chaincfg.CompactToBig(header.Bits)
	if target.Sign() <= 0 || header.Bits&0x00800000 != 0 {
		return false
	}
	var buf [sha256d.HeaderSize]byte
	header.AppendTo(buf[:0])
	t := sha256d.Target(target)
	job := sha256d.NewJob(&buf, &t)
	nonce := header.Nonce
	for left := uint64(1 << 32); left > 0; {
		if ctx.Err() != nil {
			return false
		}
		n := min(left, ctxCheckInterval)
		if found, ok := job.Search(nonce, n); ok {
			header.Nonce = found
			return true
		}
		nonce += uint32(n)
		left -= n
	}
	return false
}
