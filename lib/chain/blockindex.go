package chain

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"sort"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// blockStatus is a bit set describing what is known about a block.
type blockStatus uint8

const (
	statusDataStored      blockStatus = 1 << iota // the full block was stored (see statusPruned)
	statusValid                                   // fully validated (it was connected at least once)
	statusValidateFailed                          // the block itself broke a rule
	statusInvalidAncestor                         // an ancestor broke a rule
	statusPruned                                  // the block's data (and undo data) were deleted by pruning
)

func (s blockStatus) knownInvalid() bool {
	return s&(statusValidateFailed|statusInvalidAncestor) != 0
}

// blockNode is one header of the in-memory block index.
type blockNode struct {
	parent   *blockNode
	children []*blockNode
	hash     chainhash.Hash
	header   wire.BlockHeader
	height   int32
	workSum  *big.Int
	status   blockStatus
	numTxns  uint32
	// blockPos and undoPos locate the block's data and undo data in the
	// block files (Size 0: none).
	blockPos, undoPos blockfile.Pos
	// haveChain: this block's data and that of every ancestor are stored,
	// so the block can be connected.
	haveChain bool
}

func newBlockNode(h *wire.BlockHeader, parent *blockNode) *blockNode {
	n := &blockNode{hash: h.BlockHash(), header: *h, workSum: chaincfg.CalcWork(h.Bits)}
	if parent != nil {
		n.parent = parent
		n.height = parent.height + 1
		n.workSum.Add(n.workSum, parent.workSum)
	}
	return n
}

// blockIndex holds every known header and the active chain.
type blockIndex struct {
	nodes map[chainhash.Hash]*blockNode
	main  []*blockNode // main[h] is the active chain's block at height h
}

func newBlockIndex() *blockIndex {
	return &blockIndex{nodes: make(map[chainhash.Hash]*blockNode)}
}

func (bi *blockIndex) add(n *blockNode) {
	bi.nodes[n.hash] = n
	if n.parent != nil {
		n.parent.children = append(n.parent.children, n)
	}
}

func (bi *blockIndex) tip() *blockNode { return bi.main[len(bi.main)-1] }

// inMain reports whether n is on the active chain.
func (bi *blockIndex) inMain(n *blockNode) bool {
	return n != nil && int(n.height) < len(bi.main) && bi.main[n.height] == n
}

// ancestor returns n's ancestor at height h (n itself when h == n.height),
// or nil when h is out of range. It jumps into the active chain as soon
// as the walk reaches it.
func (bi *blockIndex) ancestor(n *blockNode, h int32) *blockNode {
	if h < 0 || n == nil || h > n.height {
		return nil
	}
	for n != nil && n.height > h && !bi.inMain(n) {
		n = n.parent
	}
	if n == nil {
		return nil
	}
	if n.height == h {
		return n
	}
	return bi.main[h]
}

// fork returns the last block n shares with the active chain.
func (bi *blockIndex) fork(n *blockNode) *blockNode {
	for n != nil && !bi.inMain(n) {
		n = n.parent
	}
	return n
}

// medianTimePast is the median timestamp of n and up to ten ancestors.
func medianTimePast(n *blockNode) int64 {
	var ts [MedianTimeBlocks]int64
	k := 0
	for ; k < MedianTimeBlocks && n != nil; k++ {
		ts[k] = int64(n.header.Timestamp)
		n = n.parent
	}
	s := ts[:k]
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[k/2]
}

// descendants returns every block built on n, n excluded.
func descendants(n *blockNode) []*blockNode {
	var out []*blockNode
	stack := append([]*blockNode(nil), n.children...)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, c)
		stack = append(stack, c.children...)
	}
	return out
}

// Index records: key = height (uint32 BE) || hash; value = header (80) ||
// status (1) || transaction count (uint32 BE) || block position (12) ||
// undo position (12), a position of length 0 meaning none. The value's
// size never changes, so rewriting a record (a status, a position) never
// splits its page. Records of 85 bytes (no positions) were written
// before the block files; the migration rewrites them.
const (
	indexValueSize       = wire.BlockHeaderSize + 5 + 2*blockfile.PosSize
	legacyIndexValueSize = wire.BlockHeaderSize + 5
)

func indexKey(n *blockNode) []byte {
	k := make([]byte, 4+32)
	binary.BigEndian.PutUint32(k, uint32(n.height))
	copy(k[4:], n.hash[:])
	return k
}

func indexValue(n *blockNode) []byte {
	v := n.header.AppendTo(make([]byte, 0, indexValueSize))
	v = append(v, byte(n.status))
	v = binary.BigEndian.AppendUint32(v, n.numTxns)
	v = append(v, n.blockPos.Encode()...)
	return append(v, n.undoPos.Encode()...)
}

// indexRecord is a decoded block index record.
type indexRecord struct {
	height            int32
	header            wire.BlockHeader
	status            blockStatus
	numTxns           uint32
	blockPos, undoPos blockfile.Pos
	legacy            bool // written before the block files: no positions
}

func decodeIndexRecord(k, v []byte) (r indexRecord, err error) {
	if len(k) != 36 || (len(v) != indexValueSize && len(v) != legacyIndexValueSize) {
		return r, fmt.Errorf("chain: corrupt block index record (key %d bytes, value %d bytes)", len(k), len(v))
	}
	r.height = int32(binary.BigEndian.Uint32(k))
	r.header, err = wire.DecodeHeader(v[:wire.BlockHeaderSize])
	if err != nil {
		return r, err
	}
	if hash := r.header.BlockHash(); string(hash[:]) != string(k[4:]) {
		return r, fmt.Errorf("chain: block index record %x: header hashes to %v", k[4:], hash)
	}
	r.status = blockStatus(v[wire.BlockHeaderSize])
	r.numTxns = binary.BigEndian.Uint32(v[wire.BlockHeaderSize+1:])
	if len(v) == legacyIndexValueSize {
		r.legacy = true
		return r, nil
	}
	rest := v[legacyIndexValueSize:]
	if r.blockPos, err = blockfile.DecodePos(rest[:blockfile.PosSize]); err != nil {
		return r, err
	}
	r.undoPos, err = blockfile.DecodePos(rest[blockfile.PosSize:])
	return r, err
}

// remove drops a childless node that was added but not stored.
func (bi *blockIndex) remove(n *blockNode) {
	delete(bi.nodes, n.hash)
	if p := n.parent; p != nil {
		for i, x := range p.children {
			if x == n {
				p.children = append(p.children[:i:i], p.children[i+1:]...)
				break
			}
		}
	}
}
