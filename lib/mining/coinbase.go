package mining

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Coinbase script limits (consensus).
const (
	minCoinbaseScriptLen = 2
	maxCoinbaseScriptLen = 100
)

// ExtraNonceSize is the size of the extra nonce pushed after the height.
const ExtraNonceSize = 8

// witnessCommitmentTag starts the data of a BIP141 commitment output.
var witnessCommitmentTag = []byte{0xaa, 0x21, 0xa9, 0xed}

// witnessReservedValue is the coinbase witness: 32 zero bytes.
var witnessReservedValue = make([]byte, 32)

// CoinbaseScript returns the coinbase input script for height: the BIP34
// height as a script number, the 8-byte little-endian extra nonce, and
// flags (if any) as a final push.
func CoinbaseScript(height int32, extraNonce uint64, flags []byte) ([]byte, error) {
	var en [ExtraNonceSize]byte
	binary.LittleEndian.PutUint64(en[:], extraNonce)
	b := script.NewBuilder().AddInt64(int64(height)).AddData(en[:])
	if len(flags) > 0 {
		b.AddData(flags)
	}
	s, err := b.Script()
	if err != nil {
		return nil, newError(ErrCoinbaseScript, err, "build coinbase script")
	}
	if len(s) < minCoinbaseScriptLen || len(s) > maxCoinbaseScriptLen {
		return nil, newError(ErrCoinbaseScript, nil, "coinbase script is %d bytes, want %d..%d",
			len(s), minCoinbaseScriptLen, maxCoinbaseScriptLen)
	}
	return s, nil
}

// witnessCommitmentScript returns OP_RETURN <aa21a9ed || sha256d(root ||
// reserved)>.
func witnessCommitmentScript(root chainhash.Hash, reserved []byte) []byte {
	buf := make([]byte, 0, 64)
	buf = append(append(buf, root[:]...), reserved...)
	c := chainhash.DoubleHashB(buf)
	s := make([]byte, 0, 38)
	s = append(s, script.OP_RETURN, 36)
	s = append(s, witnessCommitmentTag...)
	return append(s, c...)
}

// newCoinbase returns a coinbase for height paying value to payTo, with a
// witness commitment output (and the reserved value as its witness) when
// witnessRoot is not nil.
func newCoinbase(height int32, extraNonce uint64, flags, payTo []byte, value int64, witnessRoot *chainhash.Hash) (*wire.MsgTx, error) {
	var commit []byte
	if witnessRoot != nil {
		commit = witnessCommitmentScript(*witnessRoot, witnessReservedValue)
	}
	return CoinbaseTx(height, extraNonce, flags, payTo, value, commit)
}

// CoinbaseTx returns a coinbase for height (script: CoinbaseScript)
// paying value to payTo and, when commitment (a witness commitment
// output script, as getblocktemplate's default_witness_commitment) is not
// nil, that output with the reserved value as the coinbase witness.
func CoinbaseTx(height int32, extraNonce uint64, flags, payTo []byte, value int64, commitment []byte) (*wire.MsgTx, error) {
	sig, err := CoinbaseScript(height, extraNonce, flags)
	if err != nil {
		return nil, err
	}
	cb := &wire.MsgTx{
		Version: 2,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript:  sig,
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut: []*wire.TxOut{{Value: value, PkScript: append([]byte(nil), payTo...)}},
	}
	if commitment != nil {
		cb.TxIn[0].Witness = wire.TxWitness{append([]byte(nil), witnessReservedValue...)}
		cb.TxOut = append(cb.TxOut, &wire.TxOut{Value: 0, PkScript: append([]byte(nil), commitment...)})
	}
	return cb, nil
}

// UpdateExtraNonce rewrites the coinbase script of blk (a template for
// height) with a new extra nonce, keeping any flags push that follows it,
// and recomputes the merkle root. The witness commitment stays valid: it
// does not cover the coinbase.
func UpdateExtraNonce(blk *wire.MsgBlock, height int32, extraNonce uint64) error {
	if len(blk.Transactions) == 0 || !blk.Transactions[0].IsCoinBase() {
		return newError(ErrBadTemplate, nil, "block has no coinbase")
	}
	in := blk.Transactions[0].TxIn[0]
	flags := coinbaseFlags(in.SignatureScript, height)
	sig, err := CoinbaseScript(height, extraNonce, flags)
	if err != nil {
		return err
	}
	in.SignatureScript = sig
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
	return nil
}

// coinbaseFlags returns the data of the push after the height and extra
// nonce in a script CoinbaseScript built, or nil.
func coinbaseFlags(sig []byte, height int32) []byte {
	prefix, err := CoinbaseScript(height, 0, nil)
	if err != nil || len(sig) <= len(prefix) {
		return nil
	}
	rest := sig[len(prefix):]
	n := int(rest[0])
	switch {
	case n >= 1 && n <= 75 && len(rest) == 1+n:
		return rest[1:]
	case n == script.OP_PUSHDATA1 && len(rest) >= 2 && len(rest) == 2+int(rest[1]):
		return rest[2:]
	}
	return nil
}
