package mempool

import (
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// maxRecordScriptSize is the largest game record output script:
// OP_RETURN, OP_PUSHDATA2 and its length, and a payload of
// game.MaxRecordSize bytes.
const maxRecordScriptSize = 1 + 3 + game.MaxRecordSize

// checkTxStandard applies the policy rules that need only the transaction:
// version, weight, signature scripts, output types, data carriers (at
// most one plain one of MaxDataCarrierSize bytes; a game record output,
// which carries up to game.MaxRecordSize bytes, does not count), dust.
func checkTxStandard(tx *wire.MsgTx, weight int64, pol *Policy) error {
	if tx.Version < 1 || tx.Version > pol.MaxTxVersion {
		return ruleError(ErrVersion, fmt.Sprintf("transaction version %d is not in 1..%d", tx.Version, pol.MaxTxVersion))
	}
	if weight > MaxStandardTxWeight {
		return ruleError(ErrTxWeight, fmt.Sprintf("transaction weight %d exceeds %d", weight, MaxStandardTxWeight))
	}
	for i, in := range tx.TxIn {
		if n := len(in.SignatureScript); n > MaxStandardScriptSigSize {
			return ruleError(ErrScriptSigSize, fmt.Sprintf("input %d signature script is %d bytes, limit %d", i, n, MaxStandardScriptSigSize))
		}
		if !script.IsPushOnly(in.SignatureScript) {
			return ruleError(ErrScriptSigPushOnly, fmt.Sprintf("input %d signature script is not push-only", i))
		}
	}
	dataOuts := 0
	for i, out := range tx.TxOut {
		switch script.Classify(out.PkScript) {
		case script.PubKeyTy, script.PubKeyHashTy, script.ScriptHashTy,
			script.WitnessV0PubKeyHashTy, script.WitnessV0ScriptHashTy:
		case script.MultiSigTy:
			m, keys, ok := script.ExtractMultiSig(out.PkScript)
			if !ok || len(keys) < 1 || len(keys) > MaxStandardMultiSigKeys || m < 1 || m > len(keys) {
				return ruleError(ErrScriptPubKey, fmt.Sprintf("output %d: bare multisig must be m-of-n with 1<=m<=n<=%d", i, MaxStandardMultiSigKeys))
			}
		case script.NullDataTy:
			if game.IsRecordScript(out.PkScript) {
				// A game record: standard up to the consensus limit, which
				// the game check enforces (one record per transaction).
				if len(out.PkScript) > maxRecordScriptSize {
					return ruleError(ErrScriptPubKey, fmt.Sprintf("output %d: game record script is %d bytes, limit %d", i, len(out.PkScript), maxRecordScriptSize))
				}
				continue
			}
			if len(out.PkScript) > script.MaxDataCarrierSize {
				return ruleError(ErrScriptPubKey, fmt.Sprintf("output %d: data carrier script is %d bytes, limit %d", i, len(out.PkScript), script.MaxDataCarrierSize))
			}
			dataOuts++
			continue // never dust
		default:
			return ruleError(ErrScriptPubKey, fmt.Sprintf("output %d: script type is not standard", i))
		}
		if isDust(out, pol.DustRelayFeeRate) {
			return ruleError(ErrDust, fmt.Sprintf("output %d: %d dust is below the dust threshold %d", i, out.Value, dustThreshold(out, pol.DustRelayFeeRate)))
		}
	}
	if dataOuts > 1 {
		return ruleError(ErrMultiOpReturn, fmt.Sprintf("%d data carrier outputs, at most one is standard", dataOuts))
	}
	return nil
}

// dustThreshold is the smallest standard value of out: the cost, at rate,
// of the output plus the input that will one day spend it (a typical
// 148-byte input, or 67 vbytes for a witness program).
func dustThreshold(out *wire.TxOut, rate int64) int64 {
	size := int64(8 + wire.CompactSizeLen(uint64(len(out.PkScript))) + len(out.PkScript))
	if _, _, ok := script.ExtractWitnessProgram(out.PkScript); ok {
		size += 32 + 4 + 1 + 107/wire.WitnessScaleFactor + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return size * rate / 1000
}

func isDust(out *wire.TxOut, rate int64) bool {
	if script.IsUnspendable(out.PkScript) {
		return false
	}
	return out.Value < dustThreshold(out, rate)
}

// checkInputsStandard rejects spends of non-standard or future-version
// outputs and P2SH redeem scripts with too many sigops.
func checkInputsStandard(tx *wire.MsgTx, view chain.UtxoView) error {
	for i, in := range tx.TxIn {
		prev := view.LookupEntry(in.PreviousOutPoint)
		if prev == nil {
			continue // reported by the input checks
		}
		switch script.Classify(prev.PkScript) {
		case script.NonStandard, script.WitnessUnknownTy:
			return ruleError(ErrNonStandardInputs, fmt.Sprintf("input %d spends a non-standard output", i))
		case script.ScriptHashTy:
			if n := script.CountP2SHSigOps(in.SignatureScript, prev.PkScript); n > MaxStandardP2SHSigOps {
				return ruleError(ErrNonStandardInputs, fmt.Sprintf("input %d redeem script has %d sigops, limit %d", i, n, MaxStandardP2SHSigOps))
			}
		}
	}
	return nil
}

// checkWitnessStandard rejects witnesses on non-witness inputs and P2WSH
// witnesses beyond the standard script, item count and item size limits.
func checkWitnessStandard(tx *wire.MsgTx, view chain.UtxoView) error {
	if !tx.HasWitness() {
		return nil
	}
	for i, in := range tx.TxIn {
		if len(in.Witness) == 0 {
			continue
		}
		prev := view.LookupEntry(in.PreviousOutPoint)
		if prev == nil {
			continue
		}
		pk := prev.PkScript
		if script.Classify(pk) == script.ScriptHashTy {
			redeem, ok := lastPush(in.SignatureScript)
			if !ok {
				return ruleError(ErrNonStandardWitness, fmt.Sprintf("input %d: witness on a P2SH input without a redeem script", i))
			}
			pk = redeem
		}
		ver, prog, ok := script.ExtractWitnessProgram(pk)
		if !ok {
			return ruleError(ErrNonStandardWitness, fmt.Sprintf("input %d: witness on a non-witness input", i))
		}
		if ver == 0 && len(prog) == 32 {
			w := in.Witness
			if ws := len(w[len(w)-1]); ws > MaxStandardP2WSHScriptSize {
				return ruleError(ErrNonStandardWitness, fmt.Sprintf("input %d: witness script is %d bytes, limit %d", i, ws, MaxStandardP2WSHScriptSize))
			}
			if n := len(w) - 1; n > MaxStandardP2WSHStackItems {
				return ruleError(ErrNonStandardWitness, fmt.Sprintf("input %d: %d witness stack items, limit %d", i, n, MaxStandardP2WSHStackItems))
			}
			for j, item := range w[:len(w)-1] {
				if len(item) > MaxStandardP2WSHItemSize {
					return ruleError(ErrNonStandardWitness, fmt.Sprintf("input %d: witness item %d is %d bytes, limit %d", i, j, len(item), MaxStandardP2WSHItemSize))
				}
			}
		}
	}
	return nil
}

// lastPush returns the data of the last push in a push-only script.
func lastPush(s []byte) ([]byte, bool) {
	var last []byte
	found := false
	for pc := 0; pc < len(s); {
		op := s[pc]
		pc++
		var n uint64 // unsigned 64-bit on every build: a PUSHDATA4 length is never negative
		switch {
		case op == 0x00:
			last, found = []byte{}, true
			continue
		case op <= 0x4b:
			n = uint64(op)
		case op == 0x4c:
			if pc+1 > len(s) {
				return nil, false
			}
			n = uint64(s[pc])
			pc++
		case op == 0x4d:
			if pc+2 > len(s) {
				return nil, false
			}
			n = uint64(binary.LittleEndian.Uint16(s[pc:]))
			pc += 2
		case op == 0x4e:
			if pc+4 > len(s) {
				return nil, false
			}
			n = uint64(binary.LittleEndian.Uint32(s[pc:]))
			pc += 4
		case op == 0x4f || (op >= 0x51 && op <= 0x60):
			// OP_1NEGATE, OP_1..OP_16: small numbers
			if op == 0x4f {
				last = []byte{0x81}
			} else {
				last = []byte{op - 0x50}
			}
			found = true
			continue
		default:
			return nil, false
		}
		if n > uint64(len(s)-pc) {
			return nil, false
		}
		last, found = s[pc:pc+int(n)], true
		pc += int(n)
	}
	return last, found
}
