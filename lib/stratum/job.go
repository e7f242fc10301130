package stratum

import (
	"bytes"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Extranonce1Size is the size of the per-connection extranonce1.
const Extranonce1Size = 4

// MaxCoinbaseTag bounds the coinbase tag so that the coinbase script
// (height, extranonces, tag) stays within the consensus 100 bytes.
const MaxCoinbaseTag = 64

// maxCoinbaseScript is the consensus bound on the coinbase script.
const maxCoinbaseScript = 100

// job is one unit of work sent to every miner: a block template with its
// coinbase split around the extranonce gap. It is immutable once built,
// but for the set of shares seen.
type job struct {
	id      string
	notify  Notify // Clean is set per broadcast
	tmpl    *mining.BlockTemplate
	cb      *wire.MsgTx // the coinbase, zeros in the gap, witness kept
	gapAt   int         // offset of the gap in cb's signature script
	gapLen  int
	minTime int64    // earliest ntime the chain takes on this tip
	target  *big.Int // block target
	created time.Time
	lines   [2][]byte // the notify line, clean=false and clean=true

	mu   sync.Mutex
	seen map[shareKey]struct{} // accepted shares, for duplicates
}

// shareKey identifies a share for the duplicate check: the connection's
// extranonce1 with everything the miner chose.
type shareKey struct {
	en1     [Extranonce1Size]byte
	en2     [8]byte
	ntime   uint32
	nonce   uint32
	version uint32
}

// coinbaseScript returns the coinbase input script of a job at height:
// the BIP34 height, one push of the gap (extranonce1 ‖ extranonce2, zero
// here) and the tag if any, with the offset of the gap in it.
func coinbaseScript(height int32, gap int, tag []byte) ([]byte, int, error) {
	prefix, err := script.NewBuilder().AddInt64(int64(height)).Script()
	if err != nil {
		return nil, 0, fmt.Errorf("coinbase height push: %w", err)
	}
	if gap < 1 || gap > 75 {
		return nil, 0, fmt.Errorf("extranonce gap of %d bytes: want 1..75", gap)
	}
	s := append(append(prefix, byte(gap)), make([]byte, gap)...)
	if len(tag) > 0 {
		t, err := script.NewBuilder().AddData(tag).Script()
		if err != nil {
			return nil, 0, fmt.Errorf("coinbase tag push: %w", err)
		}
		s = append(s, t...)
	}
	if len(s) > maxCoinbaseScript {
		return nil, 0, fmt.Errorf("coinbase script of %d bytes exceeds %d (shorten the coinbase tag)", len(s), maxCoinbaseScript)
	}
	return s, len(prefix) + 1, nil
}

// newJob turns a template into a job. minTime is the earliest timestamp
// the chain accepts on the template's parent.
func newJob(id string, tmpl *mining.BlockTemplate, minTime int64, tag []byte, en2Size int, now time.Time) (*job, error) {
	blk := tmpl.Block
	if len(blk.Transactions) == 0 || !blk.Transactions[0].IsCoinBase() || len(blk.Transactions[0].TxIn) != 1 {
		return nil, fmt.Errorf("template at height %d has no coinbase with one input", tmpl.Height)
	}
	gap := Extranonce1Size + en2Size
	sig, gapAt, err := coinbaseScript(tmpl.Height, gap, tag)
	if err != nil {
		return nil, err
	}
	cb := blk.Transactions[0].Copy()
	cb.TxIn[0].SignatureScript = sig
	// The stripped serialization: version, input count (1), outpoint,
	// script length, script, ... The gap sits inside the script.
	raw := cb.BytesNoWitness()
	off := 4 + 1 + 36 + len(wire.AppendCompactSize(nil, uint64(len(sig)))) + gapAt
	if off+gap > len(raw) || !bytes.Equal(raw[off:off+gap], make([]byte, gap)) || raw[off-1] != byte(gap) {
		return nil, fmt.Errorf("coinbase at height %d: extranonce gap not where expected", tmpl.Height)
	}
	leaves := make([]chainhash.Hash, len(blk.Transactions))
	for i, tx := range blk.Transactions[1:] {
		leaves[i+1] = tx.TxHash()
	}
	branch := wire.MerkleBranch(leaves, 0)
	if branch == nil {
		branch = []chainhash.Hash{}
	}
	target := chaincfg.CompactToBig(blk.Header.Bits)
	if target.Sign() <= 0 || blk.Header.Bits&0x00800000 != 0 {
		return nil, fmt.Errorf("template at height %d: bits %08x encode no target", tmpl.Height, blk.Header.Bits)
	}
	j := &job{
		id: id,
		notify: Notify{
			JobID:    id,
			PrevHash: blk.Header.PrevBlock,
			Coinb1:   append([]byte(nil), raw[:off]...),
			Coinb2:   append([]byte(nil), raw[off+gap:]...),
			Branch:   branch,
			Version:  uint32(blk.Header.Version),
			Bits:     blk.Header.Bits,
			Time:     blk.Header.Timestamp,
		},
		tmpl: tmpl, cb: cb, gapAt: gapAt, gapLen: gap, minTime: minTime, target: target, created: now,
		seen: map[shareKey]struct{}{},
	}
	for i, clean := range []bool{false, true} {
		n := j.notify
		n.Clean = clean
		if j.lines[i], err = EncodeNotification(MethodNotify, n.Params()...); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// line is the job's mining.notify line.
func (j *job) line(clean bool) []byte {
	if clean {
		return j.lines[1]
	}
	return j.lines[0]
}

// header is the header a share stands for.
func (j *job) header(en1, en2 []byte, ntime, nonce, version uint32) wire.BlockHeader {
	return j.notify.Header(en1, en2, ntime, nonce, version)
}

// block assembles the full block of a share: the coinbase with the
// extranonces in its gap (and its witness), the template's other
// transactions, and the share's header.
func (j *job) block(en1, en2 []byte, hdr wire.BlockHeader) *wire.MsgBlock {
	cb := j.cb.Copy()
	sig := cb.TxIn[0].SignatureScript
	copy(sig[j.gapAt:], en1)
	copy(sig[j.gapAt+len(en1):], en2)
	txs := make([]*wire.MsgTx, 0, len(j.tmpl.Block.Transactions))
	txs = append(append(txs, cb), j.tmpl.Block.Transactions[1:]...)
	return &wire.MsgBlock{Header: hdr, Transactions: txs}
}

// maxSeenPerJob bounds the accepted shares a job remembers for the
// duplicate check: a miner at the floor difficulty finds thousands a
// second, and a job can last a whole tip. Beyond it the job's shares are
// refused as duplicates (the miner gets a new job at the next tip or
// refresh).
const maxSeenPerJob = 1 << 16

// firstSeen records an accepted share; false if it was seen before, or
// the job remembers maxSeenPerJob shares already.
func (j *job) firstSeen(k shareKey) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, dup := j.seen[k]; dup || len(j.seen) >= maxSeenPerJob {
		return false
	}
	j.seen[k] = struct{}{}
	return true
}

// wasSeen reports a share accepted before.
func (j *job) wasSeen(k shareKey) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, dup := j.seen[k]
	return dup
}
