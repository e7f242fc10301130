package script

import "github.com/gamegold/gg/lib/wire"

// countSigOps counts signature operations the way consensus does. With
// accurate set, a CHECKMULTISIG preceded by OP_1..OP_16 counts that many;
// otherwise (and always in legacy counting) it counts 20. Counting stops
// at a malformed push.
func countSigOps(script []byte, accurate bool) int {
	n := 0
	last := byte(OP_INVALIDOPCODE)
	for pc := 0; pc < len(script); {
		op, _, next, ok := readOp(script, pc)
		if !ok {
			break
		}
		pc = next
		switch op {
		case OP_CHECKSIG, OP_CHECKSIGVERIFY:
			n++
		case OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY:
			if accurate && last >= OP_1 && last <= OP_16 {
				n += smallIntValue(last)
			} else {
				n += MaxPubKeysPerMultiSig
			}
		}
		last = op
	}
	return n
}

// CountSigOps returns the legacy (inaccurate) signature operation count of
// a script, as used for the block sigop limit: every CHECKMULTISIG counts
// 20.
func CountSigOps(script []byte) int { return countSigOps(script, false) }

// CountP2SHSigOps returns the accurate signature operation count of the
// redeem script that sigScript supplies for a P2SH pkScript: the last
// push of a push-only sigScript. It returns 0 when pkScript is not P2SH or
// sigScript is not push-only.
func CountP2SHSigOps(sigScript, pkScript []byte) int {
	if !isP2SH(pkScript) {
		return 0
	}
	redeem, ok := lastPush(sigScript)
	if !ok {
		return 0
	}
	return countSigOps(redeem, true)
}

// CountWitnessSigOps returns the signature operations of a witness spend
// (native or nested in P2SH): 1 for P2WPKH, the accurate count of the
// witness script for P2WSH, 0 otherwise or when flags lack FlagWitness.
// The result is not scaled by the witness discount.
func CountWitnessSigOps(sigScript, pkScript []byte, witness wire.TxWitness, flags Flags) int {
	if flags&FlagWitness == 0 {
		return 0
	}
	if v, prog, ok := ExtractWitnessProgram(pkScript); ok {
		return witnessSigOps(v, prog, witness)
	}
	if isP2SH(pkScript) && IsPushOnly(sigScript) {
		redeem, _ := lastPush(sigScript)
		if v, prog, ok := ExtractWitnessProgram(redeem); ok {
			return witnessSigOps(v, prog, witness)
		}
	}
	return 0
}

func witnessSigOps(version int, program []byte, witness wire.TxWitness) int {
	if version != 0 {
		return 0
	}
	switch {
	case len(program) == 20:
		return 1
	case len(program) == 32 && len(witness) > 0:
		return countSigOps(witness[len(witness)-1], true)
	}
	return 0
}
