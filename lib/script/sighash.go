package script

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// SigHashType selects which parts of a transaction a signature commits to.
// It is the last byte of a signature; legacy hashing commits to all 32 bits.
type SigHashType uint32

// Signature hash types.
const (
	SigHashAll          SigHashType = 0x1
	SigHashNone         SigHashType = 0x2
	SigHashSingle       SigHashType = 0x3
	SigHashAnyoneCanPay SigHashType = 0x80

	sigHashMask = 0x1f
)

// SigHashes holds the BIP143 midstate hashes of a transaction. Compute them
// once per transaction with NewSigHashes and share them among all inputs
// (and goroutines); they are read-only after construction.
type SigHashes struct {
	HashPrevOuts chainhash.Hash // sha256d of all outpoints
	HashSequence chainhash.Hash // sha256d of all sequence numbers
	HashOutputs  chainhash.Hash // sha256d of all outputs
}

// NewSigHashes computes the BIP143 midstate hashes of tx.
func NewSigHashes(tx *wire.MsgTx) *SigHashes {
	h := new(SigHashes)
	var stack [512]byte
	buf := stack[:0]
	if n := 36*len(tx.TxIn) + 64; n > len(stack) {
		buf = make([]byte, 0, n)
	}
	for _, in := range tx.TxIn {
		buf = append(buf, in.PreviousOutPoint.Hash[:]...)
		buf = binary.LittleEndian.AppendUint32(buf, in.PreviousOutPoint.Index)
	}
	h.HashPrevOuts = chainhash.DoubleHashH(buf)
	buf = buf[:0]
	for _, in := range tx.TxIn {
		buf = binary.LittleEndian.AppendUint32(buf, in.Sequence)
	}
	h.HashSequence = chainhash.DoubleHashH(buf)
	buf = buf[:0]
	for _, out := range tx.TxOut {
		buf = appendTxOut(buf, out)
	}
	h.HashOutputs = chainhash.DoubleHashH(buf)
	return h
}

func appendTxOut(b []byte, out *wire.TxOut) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
	return wire.AppendVarBytes(b, out.PkScript)
}

// sigHashOne is what legacy hashing returns for an input index out of range
// or SIGHASH_SINGLE without a matching output: the number 1, which then
// gets signed as if it were a real hash.
var sigHashOne = [32]byte{0x01}

// CalcSignatureHash returns the legacy (pre-segwit) signature hash of input
// idx of tx, signing subScript (the script code: the spent script from the
// last executed OP_CODESEPARATOR on) with hashType. It reproduces Bitcoin
// Core exactly: OP_CODESEPARATORs are removed from the script code, and an
// out-of-range idx or SIGHASH_SINGLE without a matching output yields the
// hash 0x01 00..00. Removing the signature from the script code
// (FindAndDelete) is the interpreter's job, done before it calls this.
func CalcSignatureHash(subScript []byte, hashType SigHashType, tx *wire.MsgTx, idx int) []byte {
	h := calcSignatureHash(subScript, hashType, tx, idx)
	return h[:]
}

func calcSignatureHash(subScript []byte, hashType SigHashType, tx *wire.MsgTx, idx int) [32]byte {
	if idx < 0 || idx >= len(tx.TxIn) {
		return sigHashOne
	}
	base := hashType & sigHashMask
	if base == SigHashSingle && idx >= len(tx.TxOut) {
		return sigHashOne
	}
	anyoneCanPay := hashType&SigHashAnyoneCanPay != 0
	single := base == SigHashSingle
	none := base == SigHashNone

	size := 4 + 9 + 9 + 4 + 4 + len(subScript) + 9
	if anyoneCanPay {
		size += 41
	} else {
		size += 41 * len(tx.TxIn)
	}
	if !none {
		for _, o := range tx.TxOut {
			size += 9 + 9 + len(o.PkScript)
		}
	}
	b := make([]byte, 0, size)
	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	appendIn := func(i int) {
		in := tx.TxIn[i]
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		if i == idx {
			b = appendScriptCode(b, subScript)
		} else {
			b = append(b, 0)
		}
		if i != idx && (single || none) {
			b = append(b, 0, 0, 0, 0)
		} else {
			b = binary.LittleEndian.AppendUint32(b, in.Sequence)
		}
	}
	if anyoneCanPay {
		b = append(b, 1)
		appendIn(idx)
	} else {
		b = wire.AppendCompactSize(b, uint64(len(tx.TxIn)))
		for i := range tx.TxIn {
			appendIn(i)
		}
	}
	switch {
	case none:
		b = append(b, 0)
	case single:
		b = wire.AppendCompactSize(b, uint64(idx+1))
		for i := 0; i < idx; i++ {
			// An empty output: value -1, empty script.
			b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0)
		}
		b = appendTxOut(b, tx.TxOut[idx])
	default:
		b = wire.AppendCompactSize(b, uint64(len(tx.TxOut)))
		for _, o := range tx.TxOut {
			b = appendTxOut(b, o)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, tx.LockTime)
	b = binary.LittleEndian.AppendUint32(b, uint32(hashType))
	return chainhash.DoubleHashH(b)
}

// appendScriptCode serializes the script code for legacy hashing with its
// OP_CODESEPARATORs removed. Like Core, it walks the script with the
// parser; should a push run past the end, the bytes from the failed
// instruction's data onwards are not written although the length prefix
// counts them (consensus-compatible with Core's serializer).
func appendScriptCode(b, script []byte) []byte {
	seps := 0
	for pc := 0; pc < len(script); {
		op, _, next, ok := readOp(script, pc)
		if !ok {
			break
		}
		if op == OP_CODESEPARATOR {
			seps++
		}
		pc = next
	}
	b = wire.AppendCompactSize(b, uint64(len(script)-seps))
	begin, pc := 0, 0
	for pc < len(script) {
		op, _, next, ok := readOp(script, pc)
		pc = next
		if !ok {
			break
		}
		if op == OP_CODESEPARATOR {
			b = append(b, script[begin:pc-1]...)
			begin = pc
		}
	}
	if begin != len(script) {
		b = append(b, script[begin:pc]...)
	}
	return b
}

// CalcWitnessSignatureHash returns the BIP143 (witness version 0)
// signature hash of input idx of tx, which spends amount, signing
// subScript with hashType. hashes may be nil, in which case they are
// computed (pass them when signing or verifying several inputs).
func CalcWitnessSignatureHash(subScript []byte, hashes *SigHashes, hashType SigHashType, tx *wire.MsgTx, idx int, amount int64) ([]byte, error) {
	if idx < 0 || idx >= len(tx.TxIn) {
		return nil, scriptErrorf(ErrInvalidIndex, "input index %d out of range [0,%d)", idx, len(tx.TxIn))
	}
	if hashes == nil {
		hashes = NewSigHashes(tx)
	}
	h := calcWitnessSignatureHash(subScript, hashes, hashType, tx, idx, amount)
	return h[:], nil
}

func calcWitnessSignatureHash(subScript []byte, hashes *SigHashes, hashType SigHashType, tx *wire.MsgTx, idx int, amount int64) [32]byte {
	var zero chainhash.Hash
	var stackBuf [256]byte
	b := stackBuf[:0]
	base := hashType & sigHashMask
	anyoneCanPay := hashType&SigHashAnyoneCanPay != 0

	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	if !anyoneCanPay {
		b = append(b, hashes.HashPrevOuts[:]...)
	} else {
		b = append(b, zero[:]...)
	}
	if !anyoneCanPay && base != SigHashSingle && base != SigHashNone {
		b = append(b, hashes.HashSequence[:]...)
	} else {
		b = append(b, zero[:]...)
	}
	in := tx.TxIn[idx]
	b = append(b, in.PreviousOutPoint.Hash[:]...)
	b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
	b = wire.AppendVarBytes(b, subScript)
	b = binary.LittleEndian.AppendUint64(b, uint64(amount))
	b = binary.LittleEndian.AppendUint32(b, in.Sequence)
	switch {
	case base != SigHashSingle && base != SigHashNone:
		b = append(b, hashes.HashOutputs[:]...)
	case base == SigHashSingle && idx < len(tx.TxOut):
		o := tx.TxOut[idx]
		ob := appendTxOut(make([]byte, 0, 9+9+len(o.PkScript)), o)
		h := chainhash.DoubleHashH(ob)
		b = append(b, h[:]...)
	default:
		b = append(b, zero[:]...)
	}
	b = binary.LittleEndian.AppendUint32(b, tx.LockTime)
	b = binary.LittleEndian.AppendUint32(b, uint32(hashType))
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}
