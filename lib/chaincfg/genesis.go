package chaincfg

import (
	"encoding/binary"
	"math/big"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// GenesisTimestamp is 2026-11-24T00:00:00Z, shared by all networks.
const GenesisTimestamp uint32 = 1795478400

// genesisMessage is embedded in every genesis coinbase input script.
const genesisMessage = "GameGold in Go: of the players, by the players, for the players"

// Genesis builds a network's genesis block by this procedure:
//
//  1. The coinbase has version 1, one input spending the null outpoint
//     (zero hash, index 0xffffffff, sequence 0xffffffff) whose script is
//     OP_0 followed by one push of "<message> / <network name>", and one
//     output of value 0 whose script is OP_RETURN followed by a push of the
//     ASCII network name. It pays nothing: the genesis coinbase is never
//     added to the UTXO set, and no coins exist before block 1.
//  2. The header has version 1, a zero previous hash, the coinbase txid as
//     merkle root, GenesisTimestamp, the network's PoW-limit bits, and the
//     smallest nonce (counting from 0) whose sha256d meets that target.
//
// The nonce found by step 2 is pinned in the Params; TestGenesis rebuilds
// every genesis, re-searches the nonce and compares the hash.
func Genesis(network string, bits, nonce uint32) *wire.MsgBlock {
	msg := []byte(genesisMessage + " / " + network)
	sig := append([]byte{0x00, 0x4c, byte(len(msg))}, msg...) // OP_0 OP_PUSHDATA1 <msg>
	out := append([]byte{0x6a, byte(len(network))}, network...)
	cb := &wire.MsgTx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: 0, PkScript: out}}}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 1, MerkleRoot: cb.TxHash(),
		Timestamp: GenesisTimestamp, Bits: bits, Nonce: nonce}, Transactions: []*wire.MsgTx{cb}}
	return blk
}

// searchNonce returns the smallest nonce giving the header a hash at or
// below the target of its bits.
func searchNonce(h wire.BlockHeader) uint32 {
	target := CompactToBig(h.Bits)
	buf := h.Bytes()
	for n := uint32(0); ; n++ {
		binary.LittleEndian.PutUint32(buf[76:], n)
		hash := chainhash.DoubleHashH(buf)
		if HashToBig(&hash).Cmp(target) <= 0 {
			return n
		}
	}
}

// HashToBig reads a hash as the little-endian 256-bit integer that proof of
// work compares against the target.
func HashToBig(h *chainhash.Hash) *big.Int {
	var be [chainhash.HashSize]byte
	for i := range chainhash.HashSize {
		be[i] = h[chainhash.HashSize-1-i]
	}
	return new(big.Int).SetBytes(be[:])
}
