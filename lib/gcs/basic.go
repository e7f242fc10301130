package gcs

import (
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// FilterTypeBasic is BIP158's basic filter type, as BIP157 messages name
// it.
const FilterTypeBasic = 0

// opReturn is the OP_RETURN opcode: outputs whose script starts with it
// are left out of the basic filter.
const opReturn = 0x6a

// BlockKey is the key of a block's basic filter: the first 16 bytes of
// its hash in internal byte order.
func BlockKey(h chainhash.Hash) Key {
	var k Key
	copy(k[:], h[:KeySize])
	return k
}

// BasicElements lists the elements of blk's basic filter, possibly with
// duplicates: every output script except empty ones and those starting
// with OP_RETURN, then spent (the scripts of the outputs the block's
// inputs spend, in any order) except empty ones.
func BasicElements(blk *wire.MsgBlock, spent [][]byte) [][]byte {
	var out [][]byte
	for _, tx := range blk.Transactions {
		for _, o := range tx.TxOut {
			if len(o.PkScript) == 0 || o.PkScript[0] == opReturn {
				continue
			}
			out = append(out, o.PkScript)
		}
	}
	for _, s := range spent {
		if len(s) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// BuildBasic builds blk's basic filter from the block and the scripts its
// inputs spend.
func BuildBasic(blk *wire.MsgBlock, spent [][]byte) (*Filter, error) {
	return Build(Basic, BlockKey(blk.BlockHash()), BasicElements(blk, spent))
}

// DecodeBasic reads a basic filter from untrusted bytes (Decode).
func DecodeBasic(b []byte) (*Filter, error) { return Decode(Basic, b) }

// Header is a block's filter header: sha256d(filterHash ‖ prev), where
// prev is the previous block's filter header (zero before genesis).
func Header(filterHash, prev chainhash.Hash) chainhash.Hash {
	return chainhash.HashPair(&filterHash, &prev)
}
