package script

import (
	"bytes"
	"crypto/sha256"

	"github.com/gamegold/gg/lib/wire"
)

// VerifyInput verifies input idx of tx, which spends an output locked by
// pkScript and worth amount, under flags. sc (signature cache) and hashes
// (the transaction's BIP143 midstate, see NewSigHashes) may be nil; nil
// hashes are computed when a witness signature needs them. It returns nil
// when the input is valid, else an *Error.
func VerifyInput(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, flags Flags, sc *SigCache, hashes *SigHashes) error {
	return verifyInput(tx, idx, pkScript, amount, flags, sc, hashes, nil)
}

// verifyInput is VerifyInput, queueing plain signature checks in batch
// when it is not nil.
func verifyInput(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, flags Flags, sc *SigCache, hashes *SigHashes, batch *Batch) error {
	if tx == nil || idx < 0 || idx >= len(tx.TxIn) {
		n := 0
		if tx != nil {
			n = len(tx.TxIn)
		}
		return scriptErrorf(ErrInvalidIndex, "input index %d out of range [0,%d)", idx, n)
	}
	in := tx.TxIn[idx]
	e := engine{tx: tx, idx: idx, amount: amount, flags: flags, cache: sc, hashes: hashes, batch: batch}
	if flags&FlagWitness != 0 && len(in.SignatureScript) == 0 && isP2WPKH(pkScript) {
		return e.verifyP2WPKH(pkScript[2:], in.Witness)
	}
	var stackBuf [8][]byte
	e.stack = stackBuf[:0]
	return e.verify(in.SignatureScript, pkScript, in.Witness)
}

// verify is Bitcoin Core's VerifyScript.
func (e *engine) verify(sigScript, pkScript []byte, witness wire.TxWitness) error {
	flags := e.flags
	if flags&FlagSigPushOnly != 0 && !IsPushOnly(sigScript) {
		return scriptError(ErrSigPushOnly, "signature script is not push-only")
	}
	if err := e.eval(sigScript, sigVersionBase); err != nil {
		return err
	}
	var saved [][]byte
	if flags&FlagP2SH != 0 && isP2SH(pkScript) {
		saved = append(make([][]byte, 0, len(e.stack)), e.stack...)
	}
	if err := e.eval(pkScript, sigVersionBase); err != nil {
		return err
	}
	if len(e.stack) == 0 || !asBool(e.top(-1)) {
		return scriptError(ErrEvalFalse, "script evaluated to false")
	}

	hadWitness := false
	if flags&FlagWitness != 0 {
		if version, program, ok := ExtractWitnessProgram(pkScript); ok {
			hadWitness = true
			if len(sigScript) != 0 {
				return scriptError(ErrWitnessMalleated, "native witness spend has a signature script")
			}
			if err := e.verifyWitnessProgram(witness, version, program); err != nil {
				return err
			}
			e.stack = e.stack[:1]
		}
	}

	if flags&FlagP2SH != 0 && isP2SH(pkScript) {
		if !IsPushOnly(sigScript) {
			return scriptError(ErrSigPushOnly, "P2SH signature script is not push-only")
		}
		e.stack = saved
		// The stack cannot be empty: HASH160 of nothing fails first.
		redeem := e.pop()
		if err := e.eval(redeem, sigVersionBase); err != nil {
			return err
		}
		if len(e.stack) == 0 || !asBool(e.top(-1)) {
			return scriptError(ErrEvalFalse, "redeem script evaluated to false")
		}
		if flags&FlagWitness != 0 {
			if version, program, ok := ExtractWitnessProgram(redeem); ok {
				hadWitness = true
				if !isSinglePushOf(sigScript, redeem) {
					return scriptError(ErrWitnessMalleatedP2SH, "P2SH witness spend must push only the redeem script")
				}
				if err := e.verifyWitnessProgram(witness, version, program); err != nil {
					return err
				}
				e.stack = e.stack[:1]
			}
		}
	}

	if flags&FlagCleanStack != 0 && len(e.stack) != 1 {
		return scriptErrorf(ErrCleanStack, "%d items left on the stack, want 1", len(e.stack))
	}
	if flags&FlagWitness != 0 && !hadWitness && len(witness) != 0 {
		return scriptError(ErrWitnessUnexpected, "witness data for a non-witness spend")
	}
	return nil
}

// isSinglePushOf reports whether sigScript is exactly the minimal-form
// push (as Core's CScript << vector writes it) of data.
func isSinglePushOf(sigScript, data []byte) bool {
	var buf [48]byte
	return bytes.Equal(sigScript, appendPush(buf[:0], data))
}

func (e *engine) verifyWitnessProgram(witness wire.TxWitness, version int, program []byte) error {
	var script []byte
	var p2wpkh [25]byte
	if version == 0 {
		switch len(program) {
		case 32:
			if len(witness) == 0 {
				return scriptError(ErrWitnessProgramWitnessEmpty, "witness is empty")
			}
			script = witness[len(witness)-1]
			if h := sha256.Sum256(script); !bytes.Equal(h[:], program) {
				return scriptError(ErrWitnessProgramMismatch, "witness script does not match the program")
			}
			e.stack = append(e.stack[:0], witness[:len(witness)-1]...)
		case 20:
			if len(witness) != 2 {
				return scriptErrorf(ErrWitnessProgramMismatch, "P2WPKH witness has %d items, want 2", len(witness))
			}
			script = appendP2PKH(p2wpkh[:0], program)
			e.stack = append(e.stack[:0], witness...)
		default:
			return scriptErrorf(ErrWitnessProgramWrongLength, "version 0 witness program of %d bytes", len(program))
		}
	} else {
		if e.flags&FlagDiscourageUpgradableWitnessProgram != 0 {
			return scriptErrorf(ErrDiscourageUpgradableWitnessProgram, "witness version %d is reserved for upgrades", version)
		}
		// Unknown versions succeed, for future soft forks.
		e.stack = append(e.stack[:0], vTrue)
		return nil
	}
	for _, item := range e.stack {
		if len(item) > MaxScriptElementSize {
			return scriptErrorf(ErrPushSize, "witness item of %d bytes exceeds %d", len(item), MaxScriptElementSize)
		}
	}
	if err := e.eval(script, sigVersionWitnessV0); err != nil {
		return err
	}
	if len(e.stack) != 1 {
		return scriptErrorf(ErrCleanStack, "%d items left on the witness stack, want 1", len(e.stack))
	}
	if !asBool(e.stack[0]) {
		return scriptError(ErrEvalFalse, "witness script evaluated to false")
	}
	return nil
}

// verifyP2WPKH is the fast path for a native P2WPKH spend with an empty
// signature script. It reaches the same verdict, with the same error
// kinds, as the general path: the output script leaves the 20-byte
// program on the stack, which must be true; the witness must be
// <sig> <pubkey> with pubkey hashing to the program; then CHECKSIG as in
// the script DUP HASH160 <program> EQUALVERIFY CHECKSIG.
func (e *engine) verifyP2WPKH(program []byte, witness wire.TxWitness) error {
	if !asBool(program) {
		return scriptError(ErrEvalFalse, "script evaluated to false")
	}
	if len(witness) != 2 {
		return scriptErrorf(ErrWitnessProgramMismatch, "P2WPKH witness has %d items, want 2", len(witness))
	}
	sig, pk := witness[0], witness[1]
	if len(sig) > MaxScriptElementSize || len(pk) > MaxScriptElementSize {
		return scriptErrorf(ErrPushSize, "witness item exceeds %d bytes", MaxScriptElementSize)
	}
	if h := hash160(pk); !bytes.Equal(h[:], program) {
		return scriptError(ErrEqualVerify, "OP_EQUALVERIFY failed")
	}
	if err := checkSignatureEncoding(sig, e.flags); err != nil {
		return err
	}
	if err := checkPubKeyEncoding(pk, e.flags, true); err != nil {
		return err
	}
	var code [25]byte
	if !e.checkSig(sig, pk, appendP2PKH(code[:0], program), sigVersionWitnessV0, true) {
		if e.flags&FlagNullFail != 0 && len(sig) != 0 {
			return scriptError(ErrNullFail, "failed signature check with non-empty signature")
		}
		return scriptError(ErrEvalFalse, "witness script evaluated to false")
	}
	return nil
}
