package script

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // OP_SHA1 is consensus
	"crypto/sha256"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // OP_RIPEMD160 is consensus

	"github.com/gamegold/gg/lib/wire"
)

type sigVersion int

const (
	sigVersionBase sigVersion = iota
	sigVersionWitnessV0
)

var (
	vTrue  = []byte{1}
	vFalse = []byte{}
)

func boolBytes(b bool) []byte {
	if b {
		return vTrue
	}
	return vFalse
}

// engine carries the context of verifying one input. The stack holds
// slices that may alias scripts and witness items: elements are never
// modified in place, only replaced.
type engine struct {
	tx     *wire.MsgTx
	idx    int
	amount int64
	flags  Flags
	cache  *SigCache
	hashes *SigHashes
	batch  *Batch // queues plain signature checks when not nil

	stack [][]byte
	alt   [][]byte
	cond  []bool
}

func (e *engine) push(v []byte) { e.stack = append(e.stack, v) }

func (e *engine) pop() []byte {
	v := e.stack[len(e.stack)-1]
	e.stack = e.stack[:len(e.stack)-1]
	return v
}

// top returns the i-th element from the top (i = -1 is the top).
func (e *engine) top(i int) []byte { return e.stack[len(e.stack)+i] }

func (e *engine) popNum(minimal bool, maxLen int) (int64, error) {
	n, err := parseNum(e.top(-1), minimal, maxLen)
	if err != nil {
		return 0, err
	}
	e.stack = e.stack[:len(e.stack)-1]
	return n, nil
}

var errStackUnderflow = &Error{Code: ErrInvalidStackOperation, Desc: "operation needs more stack items"}

func disabledOpcode(op byte) bool {
	switch op {
	case OP_CAT, OP_SUBSTR, OP_LEFT, OP_RIGHT, OP_INVERT, OP_AND, OP_OR, OP_XOR,
		OP_2MUL, OP_2DIV, OP_MUL, OP_DIV, OP_MOD, OP_LSHIFT, OP_RSHIFT:
		return true
	}
	return false
}

// eval runs script on e.stack, as Bitcoin Core's EvalScript does.
func (e *engine) eval(script []byte, sv sigVersion) error {
	if len(script) > MaxScriptSize {
		return scriptErrorf(ErrScriptSize, "script of %d bytes exceeds %d", len(script), MaxScriptSize)
	}
	e.alt = e.alt[:0]
	e.cond = e.cond[:0]
	falseConds := 0 // number of false entries in e.cond
	minimal := e.flags&FlagMinimalData != 0
	opCount := 0
	codeSep := 0 // start of the script code (after the last OP_CODESEPARATOR)

	for pc := 0; pc < len(script); {
		exec := falseConds == 0
		op, data, next, ok := readOp(script, pc)
		if !ok {
			return scriptErrorf(ErrBadOpcode, "push at offset %d runs past the end of the script", pc)
		}
		pc = next
		if len(data) > MaxScriptElementSize {
			return scriptErrorf(ErrPushSize, "push of %d bytes exceeds %d", len(data), MaxScriptElementSize)
		}
		if op > OP_16 {
			opCount++
			if opCount > MaxOpsPerScript {
				return scriptErrorf(ErrOpCount, "more than %d operations", MaxOpsPerScript)
			}
		}
		if disabledOpcode(op) {
			return scriptErrorf(ErrDisabledOpcode, "%s is disabled", OpName(op))
		}
		if op == OP_CODESEPARATOR && sv == sigVersionBase && e.flags&FlagConstScriptCode != 0 {
			return scriptError(ErrOpCodeSeparator, "OP_CODESEPARATOR in a legacy script")
		}

		if exec && op <= OP_PUSHDATA4 {
			if minimal && !checkMinimalPush(data, op) {
				return scriptError(ErrMinimalData, "data push is not minimal")
			}
			e.push(data)
		} else if exec || (op >= OP_IF && op <= OP_ENDIF) {
			if err := e.step(op, script, pc, &codeSep, &falseConds, &opCount, sv, exec); err != nil {
				return err
			}
		}

		if len(e.stack)+len(e.alt) > MaxStackSize {
			return scriptErrorf(ErrStackSize, "stack exceeds %d items", MaxStackSize)
		}
	}
	if len(e.cond) != 0 {
		return scriptError(ErrUnbalancedConditional, "IF without ENDIF")
	}
	return nil
}

// step executes one non-push opcode. pc is the offset after it.
func (e *engine) step(op byte, script []byte, pc int, codeSep, falseConds, opCount *int, sv sigVersion, exec bool) error {
	minimal := e.flags&FlagMinimalData != 0
	need := func(n int) error {
		if len(e.stack) < n {
			return errStackUnderflow
		}
		return nil
	}
	switch op {
	case OP_1NEGATE, OP_1, OP_2, OP_3, OP_4, OP_5, OP_6, OP_7, OP_8,
		OP_9, OP_10, OP_11, OP_12, OP_13, OP_14, OP_15, OP_16:
		e.push(numBytes(int64(op) - int64(OP_1-1)))

	case OP_NOP:

	case OP_CHECKLOCKTIMEVERIFY:
		if e.flags&FlagCheckLockTimeVerify == 0 {
			if e.flags&FlagDiscourageUpgradableNops != 0 {
				return scriptError(ErrDiscourageUpgradableNops, "OP_NOP2 is reserved for upgrades")
			}
			break
		}
		if err := need(1); err != nil {
			return err
		}
		lt, err := parseNum(e.top(-1), minimal, lockTimeNumSize)
		if err != nil {
			return err
		}
		if lt < 0 {
			return scriptError(ErrNegativeLockTime, "negative lock time")
		}
		if !e.checkLockTime(lt) {
			return scriptError(ErrUnsatisfiedLockTime, "lock time not satisfied")
		}

	case OP_CHECKSEQUENCEVERIFY:
		if e.flags&FlagCheckSequenceVerify == 0 {
			if e.flags&FlagDiscourageUpgradableNops != 0 {
				return scriptError(ErrDiscourageUpgradableNops, "OP_NOP3 is reserved for upgrades")
			}
			break
		}
		if err := need(1); err != nil {
			return err
		}
		seq, err := parseNum(e.top(-1), minimal, lockTimeNumSize)
		if err != nil {
			return err
		}
		if seq < 0 {
			return scriptError(ErrNegativeLockTime, "negative relative lock time")
		}
		if seq&int64(wire.SequenceLockTimeDisabled) != 0 {
			break
		}
		if !e.checkSequence(seq) {
			return scriptError(ErrUnsatisfiedLockTime, "relative lock time not satisfied")
		}

	case OP_NOP1, OP_NOP4, OP_NOP5, OP_NOP6, OP_NOP7, OP_NOP8, OP_NOP9, OP_NOP10:
		if e.flags&FlagDiscourageUpgradableNops != 0 {
			return scriptErrorf(ErrDiscourageUpgradableNops, "%s is reserved for upgrades", OpName(op))
		}

	case OP_IF, OP_NOTIF:
		v := false
		if exec {
			if len(e.stack) < 1 {
				return scriptError(ErrUnbalancedConditional, "IF without a condition")
			}
			c := e.top(-1)
			if sv == sigVersionWitnessV0 && e.flags&FlagMinimalIf != 0 {
				if len(c) > 1 || (len(c) == 1 && c[0] != 1) {
					return scriptError(ErrMinimalIf, "IF argument must be empty or 0x01")
				}
			}
			v = asBool(c)
			if op == OP_NOTIF {
				v = !v
			}
			e.stack = e.stack[:len(e.stack)-1]
		}
		e.cond = append(e.cond, v)
		if !v {
			*falseConds++
		}

	case OP_ELSE:
		if len(e.cond) == 0 {
			return scriptError(ErrUnbalancedConditional, "ELSE without IF")
		}
		i := len(e.cond) - 1
		if e.cond[i] {
			*falseConds++
		} else {
			*falseConds--
		}
		e.cond[i] = !e.cond[i]

	case OP_ENDIF:
		if len(e.cond) == 0 {
			return scriptError(ErrUnbalancedConditional, "ENDIF without IF")
		}
		if !e.cond[len(e.cond)-1] {
			*falseConds--
		}
		e.cond = e.cond[:len(e.cond)-1]

	case OP_VERIFY:
		if err := need(1); err != nil {
			return err
		}
		if !asBool(e.top(-1)) {
			return scriptError(ErrVerify, "OP_VERIFY failed")
		}
		e.pop()

	case OP_RETURN:
		return scriptError(ErrOpReturn, "OP_RETURN executed")

	case OP_TOALTSTACK:
		if err := need(1); err != nil {
			return err
		}
		e.alt = append(e.alt, e.pop())

	case OP_FROMALTSTACK:
		if len(e.alt) < 1 {
			return scriptError(ErrInvalidAltstackOperation, "altstack is empty")
		}
		e.push(e.alt[len(e.alt)-1])
		e.alt = e.alt[:len(e.alt)-1]

	case OP_2DROP:
		if err := need(2); err != nil {
			return err
		}
		e.stack = e.stack[:len(e.stack)-2]

	case OP_2DUP:
		if err := need(2); err != nil {
			return err
		}
		a, b := e.top(-2), e.top(-1)
		e.stack = append(e.stack, a, b)

	case OP_3DUP:
		if err := need(3); err != nil {
			return err
		}
		a, b, c := e.top(-3), e.top(-2), e.top(-1)
		e.stack = append(e.stack, a, b, c)

	case OP_2OVER:
		if err := need(4); err != nil {
			return err
		}
		a, b := e.top(-4), e.top(-3)
		e.stack = append(e.stack, a, b)

	case OP_2ROT:
		if err := need(6); err != nil {
			return err
		}
		n := len(e.stack)
		a, b := e.stack[n-6], e.stack[n-5]
		copy(e.stack[n-6:], e.stack[n-4:])
		e.stack[n-2], e.stack[n-1] = a, b

	case OP_2SWAP:
		if err := need(4); err != nil {
			return err
		}
		n := len(e.stack)
		e.stack[n-4], e.stack[n-2] = e.stack[n-2], e.stack[n-4]
		e.stack[n-3], e.stack[n-1] = e.stack[n-1], e.stack[n-3]

	case OP_IFDUP:
		if err := need(1); err != nil {
			return err
		}
		if v := e.top(-1); asBool(v) {
			e.push(v)
		}

	case OP_DEPTH:
		e.push(numBytes(int64(len(e.stack))))

	case OP_DROP:
		if err := need(1); err != nil {
			return err
		}
		e.pop()

	case OP_DUP:
		if err := need(1); err != nil {
			return err
		}
		e.push(e.top(-1))

	case OP_NIP:
		if err := need(2); err != nil {
			return err
		}
		n := len(e.stack)
		e.stack[n-2] = e.stack[n-1]
		e.stack = e.stack[:n-1]

	case OP_OVER:
		if err := need(2); err != nil {
			return err
		}
		e.push(e.top(-2))

	case OP_PICK, OP_ROLL:
		if err := need(2); err != nil {
			return err
		}
		n64, err := e.popNum(minimal, maxNumSize)
		if err != nil {
			return err
		}
		n := clampInt32(n64)
		if n < 0 || n >= len(e.stack) {
			return errStackUnderflow
		}
		i := len(e.stack) - 1 - n
		v := e.stack[i]
		if op == OP_ROLL {
			copy(e.stack[i:], e.stack[i+1:])
			e.stack[len(e.stack)-1] = v
		} else {
			e.push(v)
		}

	case OP_ROT:
		if err := need(3); err != nil {
			return err
		}
		n := len(e.stack)
		e.stack[n-3], e.stack[n-2], e.stack[n-1] = e.stack[n-2], e.stack[n-1], e.stack[n-3]

	case OP_SWAP:
		if err := need(2); err != nil {
			return err
		}
		n := len(e.stack)
		e.stack[n-2], e.stack[n-1] = e.stack[n-1], e.stack[n-2]

	case OP_TUCK:
		if err := need(2); err != nil {
			return err
		}
		n := len(e.stack)
		a, b := e.stack[n-2], e.stack[n-1]
		e.stack[n-2], e.stack[n-1] = b, a
		e.push(b)

	case OP_SIZE:
		if err := need(1); err != nil {
			return err
		}
		e.push(numBytes(int64(len(e.top(-1)))))

	case OP_EQUAL, OP_EQUALVERIFY:
		if err := need(2); err != nil {
			return err
		}
		eq := bytes.Equal(e.top(-2), e.top(-1))
		e.stack = e.stack[:len(e.stack)-2]
		if op == OP_EQUALVERIFY {
			if !eq {
				return scriptError(ErrEqualVerify, "OP_EQUALVERIFY failed")
			}
		} else {
			e.push(boolBytes(eq))
		}

	case OP_1ADD, OP_1SUB, OP_NEGATE, OP_ABS, OP_NOT, OP_0NOTEQUAL:
		if err := need(1); err != nil {
			return err
		}
		n, err := e.popNum(minimal, maxNumSize)
		if err != nil {
			return err
		}
		switch op {
		case OP_1ADD:
			n++
		case OP_1SUB:
			n--
		case OP_NEGATE:
			n = -n
		case OP_ABS:
			if n < 0 {
				n = -n
			}
		case OP_NOT:
			n = b2i(n == 0)
		case OP_0NOTEQUAL:
			n = b2i(n != 0)
		}
		e.push(numBytes(n))

	case OP_ADD, OP_SUB, OP_BOOLAND, OP_BOOLOR, OP_NUMEQUAL, OP_NUMEQUALVERIFY,
		OP_NUMNOTEQUAL, OP_LESSTHAN, OP_GREATERTHAN, OP_LESSTHANOREQUAL,
		OP_GREATERTHANOREQUAL, OP_MIN, OP_MAX:
		if err := need(2); err != nil {
			return err
		}
		a, err := parseNum(e.top(-2), minimal, maxNumSize)
		if err != nil {
			return err
		}
		b, err := parseNum(e.top(-1), minimal, maxNumSize)
		if err != nil {
			return err
		}
		var r int64
		switch op {
		case OP_ADD:
			r = a + b
		case OP_SUB:
			r = a - b
		case OP_BOOLAND:
			r = b2i(a != 0 && b != 0)
		case OP_BOOLOR:
			r = b2i(a != 0 || b != 0)
		case OP_NUMEQUAL, OP_NUMEQUALVERIFY:
			r = b2i(a == b)
		case OP_NUMNOTEQUAL:
			r = b2i(a != b)
		case OP_LESSTHAN:
			r = b2i(a < b)
		case OP_GREATERTHAN:
			r = b2i(a > b)
		case OP_LESSTHANOREQUAL:
			r = b2i(a <= b)
		case OP_GREATERTHANOREQUAL:
			r = b2i(a >= b)
		case OP_MIN:
			r = min(a, b)
		case OP_MAX:
			r = max(a, b)
		}
		e.stack = e.stack[:len(e.stack)-2]
		if op == OP_NUMEQUALVERIFY {
			if r == 0 {
				return scriptError(ErrNumEqualVerify, "OP_NUMEQUALVERIFY failed")
			}
		} else {
			e.push(numBytes(r))
		}

	case OP_WITHIN:
		if err := need(3); err != nil {
			return err
		}
		x, err := parseNum(e.top(-3), minimal, maxNumSize)
		if err != nil {
			return err
		}
		lo, err := parseNum(e.top(-2), minimal, maxNumSize)
		if err != nil {
			return err
		}
		hi, err := parseNum(e.top(-1), minimal, maxNumSize)
		if err != nil {
			return err
		}
		e.stack = e.stack[:len(e.stack)-3]
		e.push(boolBytes(lo <= x && x < hi))

	case OP_RIPEMD160, OP_SHA1, OP_SHA256, OP_HASH160, OP_HASH256:
		if err := need(1); err != nil {
			return err
		}
		v := e.pop()
		var h []byte
		switch op {
		case OP_RIPEMD160:
			r := ripemd160.New()
			r.Write(v)
			h = r.Sum(nil)
		case OP_SHA1:
			s := sha1.Sum(v) //nolint:gosec
			h = s[:]
		case OP_SHA256:
			s := sha256.Sum256(v)
			h = s[:]
		case OP_HASH160:
			h = Hash160(v)
		case OP_HASH256:
			s := sha256.Sum256(v)
			s = sha256.Sum256(s[:])
			h = s[:]
		}
		e.push(h)

	case OP_CODESEPARATOR:
		*codeSep = pc

	case OP_CHECKSIG, OP_CHECKSIGVERIFY:
		if err := need(2); err != nil {
			return err
		}
		sig, pk := e.top(-2), e.top(-1)
		scriptCode := script[*codeSep:]
		if sv == sigVersionBase {
			var found int
			scriptCode, found = findAndDelete(scriptCode, sig)
			if found > 0 && e.flags&FlagConstScriptCode != 0 {
				return scriptError(ErrSigFindAndDelete, "signature found in script code")
			}
		}
		if err := checkSignatureEncoding(sig, e.flags); err != nil {
			return err
		}
		if err := checkPubKeyEncoding(pk, e.flags, sv == sigVersionWitnessV0); err != nil {
			return err
		}
		ok := e.checkSig(sig, pk, scriptCode, sv, true)
		if !ok && e.flags&FlagNullFail != 0 && len(sig) != 0 {
			return scriptError(ErrNullFail, "failed signature check with non-empty signature")
		}
		e.stack = e.stack[:len(e.stack)-2]
		if op == OP_CHECKSIGVERIFY {
			if !ok {
				return scriptError(ErrCheckSigVerify, "OP_CHECKSIGVERIFY failed")
			}
		} else {
			e.push(boolBytes(ok))
		}

	case OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY:
		return e.checkMultiSig(op, script[*codeSep:], opCount, sv)

	default:
		return scriptErrorf(ErrBadOpcode, "%s (0x%02x) is not a valid opcode here", OpName(op), op)
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (e *engine) checkMultiSig(op byte, scriptCode []byte, opCount *int, sv sigVersion) error {
	minimal := e.flags&FlagMinimalData != 0
	i := 1
	if len(e.stack) < i {
		return errStackUnderflow
	}
	nk, err := parseNum(e.top(-i), minimal, maxNumSize)
	if err != nil {
		return err
	}
	nKeys := clampInt32(nk)
	if nKeys < 0 || nKeys > MaxPubKeysPerMultiSig {
		return scriptErrorf(ErrPubKeyCount, "%d public keys in multisig", nKeys)
	}
	*opCount += nKeys
	if *opCount > MaxOpsPerScript {
		return scriptErrorf(ErrOpCount, "more than %d operations", MaxOpsPerScript)
	}
	i++
	ikey := i
	// ikey2 counts the key items (plus the key count) still to pop; after
	// them come the signatures, which NULLFAIL checks.
	ikey2 := nKeys + 2
	i += nKeys
	if len(e.stack) < i {
		return errStackUnderflow
	}
	ns, err := parseNum(e.top(-i), minimal, maxNumSize)
	if err != nil {
		return err
	}
	nSigs := clampInt32(ns)
	if nSigs < 0 || nSigs > nKeys {
		return scriptErrorf(ErrSigCount, "%d signatures for %d keys", nSigs, nKeys)
	}
	i++
	isig := i
	i += nSigs
	if len(e.stack) < i {
		return errStackUnderflow
	}

	if sv == sigVersionBase {
		for k := 0; k < nSigs; k++ {
			var found int
			scriptCode, found = findAndDelete(scriptCode, e.top(-isig-k))
			if found > 0 && e.flags&FlagConstScriptCode != 0 {
				return scriptError(ErrSigFindAndDelete, "signature found in script code")
			}
		}
	}

	success := true
	for success && nSigs > 0 {
		sig, pk := e.top(-isig), e.top(-ikey)
		if err := checkSignatureEncoding(sig, e.flags); err != nil {
			return err
		}
		if err := checkPubKeyEncoding(pk, e.flags, sv == sigVersionWitnessV0); err != nil {
			return err
		}
		if e.checkSig(sig, pk, scriptCode, sv, false) {
			isig++
			nSigs--
		}
		ikey++
		nKeys--
		if nSigs > nKeys {
			success = false
		}
	}

	for ; i > 1; i-- {
		if !success && e.flags&FlagNullFail != 0 && ikey2 == 0 && len(e.top(-1)) != 0 {
			return scriptError(ErrNullFail, "failed multisig check with non-empty signature")
		}
		if ikey2 > 0 {
			ikey2--
		}
		e.pop()
	}
	// CHECKMULTISIG pops one item more than it uses.
	if len(e.stack) < 1 {
		return errStackUnderflow
	}
	if e.flags&FlagNullDummy != 0 && len(e.top(-1)) != 0 {
		return scriptError(ErrSigNullDummy, "multisig dummy argument is not empty")
	}
	e.pop()
	if op == OP_CHECKMULTISIGVERIFY {
		if !success {
			return scriptError(ErrCheckMultiSigVerify, "OP_CHECKMULTISIGVERIFY failed")
		}
	} else {
		e.push(boolBytes(success))
	}
	return nil
}

// findAndDelete removes every occurrence, at instruction boundaries, of
// the minimal push of sig from script, as Core's FindAndDelete does. It
// returns the (possibly new) script and the number of removals. The input
// is never modified.
func findAndDelete(script, sig []byte) ([]byte, int) {
	var pat [80]byte
	needle := appendPush(pat[:0], sig)
	if len(script) < len(needle) {
		return script, 0
	}
	var out []byte
	found := 0
	pc, copied := 0, 0
	for {
		start := pc
		for len(script)-pc >= len(needle) && bytes.Equal(script[pc:pc+len(needle)], needle) {
			pc += len(needle)
			found++
		}
		if pc != start {
			if out == nil {
				out = make([]byte, 0, len(script))
			}
			out = append(out, script[copied:start]...)
			copied = pc
		}
		if pc >= len(script) {
			break
		}
		_, _, next, ok := readOp(script, pc)
		if !ok {
			break
		}
		pc = next
	}
	if found == 0 {
		return script, 0
	}
	out = append(out, script[copied:]...)
	return out, found
}

// checkSig verifies one signature (with hash-type byte) against a public
// key for the script code. Encoding rules have been applied already. The
// signature cache is consulted before either key or signature is parsed.
// With a batch and deferrable set, a check whose cheap parts pass is
// queued and reported true (see Batch).
func (e *engine) checkSig(sig, pk, scriptCode []byte, sv sigVersion, deferrable bool) bool {
	if len(sig) == 0 || len(pk) == 0 {
		return false
	}
	hashType := SigHashType(sig[len(sig)-1])
	der := sig[:len(sig)-1]
	var h [32]byte
	if sv == sigVersionWitnessV0 {
		if e.hashes == nil {
			e.hashes = NewSigHashes(e.tx)
		}
		h = calcWitnessSignatureHash(scriptCode, e.hashes, hashType, e.tx, e.idx, e.amount)
	} else {
		h = calcSignatureHash(scriptCode, hashType, e.tx, e.idx)
	}
	var key [32]byte
	if e.cache != nil {
		key = sigCacheKey(h[:], der, pk)
		if e.cache.contains(&key) {
			return true
		}
	}
	var rs [64]byte
	if !parseSigCompact(der, &rs) || !maybePubKey(pk) {
		return false
	}
	if deferrable && e.batch != nil {
		e.batch.queue(pk, &rs, &h, &key)
		return true
	}
	if !verifyOne(pk, &rs, &h) {
		return false
	}
	if e.cache != nil {
		e.cache.add(&key)
	}
	return true
}

func (e *engine) checkLockTime(lt int64) bool {
	txLT := int64(e.tx.LockTime)
	if !((txLT < LockTimeThreshold && lt < LockTimeThreshold) || (txLT >= LockTimeThreshold && lt >= LockTimeThreshold)) {
		return false
	}
	if lt > txLT {
		return false
	}
	// A final input disables the transaction's lock time, and with it CLTV.
	return e.tx.TxIn[e.idx].Sequence != wire.MaxTxInSequenceNum
}

func (e *engine) checkSequence(seq int64) bool {
	txSeq := int64(e.tx.TxIn[e.idx].Sequence)
	if uint32(e.tx.Version) < 2 {
		return false
	}
	if txSeq&int64(wire.SequenceLockTimeDisabled) != 0 {
		return false
	}
	mask := int64(wire.SequenceLockTimeIsSeconds | wire.SequenceLockTimeMask)
	txMasked, seqMasked := txSeq&mask, seq&mask
	typeFlag := int64(wire.SequenceLockTimeIsSeconds)
	if !((txMasked < typeFlag && seqMasked < typeFlag) || (txMasked >= typeFlag && seqMasked >= typeFlag)) {
		return false
	}
	return seqMasked <= txMasked
}
