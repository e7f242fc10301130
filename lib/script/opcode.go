package script

import "encoding/binary"

// Limits of the script system (consensus unless noted).
const (
	MaxScriptSize         = 10000 // bytes in one script
	MaxScriptElementSize  = 520   // bytes in one stack element
	MaxOpsPerScript       = 201   // non-push opcodes per script
	MaxPubKeysPerMultiSig = 20    // keys in one CHECKMULTISIG
	MaxStackSize          = 1000  // items on stack plus altstack
	MaxDataCarrierSize    = 83    // policy: size of a standard OP_RETURN output script

	// LockTimeThreshold separates block heights (below) from Unix times in
	// nLockTime and CHECKLOCKTIMEVERIFY operands.
	LockTimeThreshold = 500000000
)

// OpName returns the name Bitcoin Core gives op in disassembly: "OP_DUP",
// "0" for OP_0, "1".."16" and "-1" for the small integers, and
// "OP_UNKNOWN" for undefined opcodes. Direct pushes of n bytes (0x01-0x4b)
// are named "OP_DATA_n".
func OpName(op byte) string {
	if n := opNames[op]; n != "" {
		return n
	}
	if op > 0 && op < OP_PUSHDATA1 {
		return "OP_DATA_" + itoa(int(op))
	}
	return "OP_UNKNOWN"
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// readOp decodes the instruction at script[pc]. It returns the opcode, the
// pushed data (a sub-slice of script, nil for non-pushes), and the offset
// of the next instruction. On failure (a push that runs past the end) ok
// is false and next is where Bitcoin Core's parser leaves its cursor: past
// the opcode and any length bytes it could read. Callers must ensure
// pc < len(script).
func readOp(script []byte, pc int) (op byte, data []byte, next int, ok bool) {
	op = script[pc]
	pc++
	if op > OP_PUSHDATA4 {
		return op, nil, pc, true
	}
	var n int
	switch op {
	case OP_PUSHDATA1:
		if len(script)-pc < 1 {
			return op, nil, pc, false
		}
		n = int(script[pc])
		pc++
	case OP_PUSHDATA2:
		if len(script)-pc < 2 {
			return op, nil, pc, false
		}
		n = int(binary.LittleEndian.Uint16(script[pc:]))
		pc += 2
	case OP_PUSHDATA4:
		if len(script)-pc < 4 {
			return op, nil, pc, false
		}
		n64 := uint64(binary.LittleEndian.Uint32(script[pc:]))
		pc += 4
		if n64 > uint64(len(script)-pc) {
			return op, nil, pc, false
		}
		n = int(n64)
	default:
		n = int(op)
	}
	if n > len(script)-pc {
		return op, nil, pc, false
	}
	return op, script[pc : pc+n : pc+n], pc + n, true
}

// IsPushOnly reports whether script parses and contains only push
// operations (OP_0..OP_16, including OP_RESERVED as Bitcoin Core does).
func IsPushOnly(script []byte) bool {
	for pc := 0; pc < len(script); {
		op, _, next, ok := readOp(script, pc)
		if !ok || op > OP_16 {
			return false
		}
		pc = next
	}
	return true
}

// lastPush returns the data of the last push in a push-only script, and
// whether the script is push-only and non-empty.
func lastPush(script []byte) ([]byte, bool) {
	var last []byte
	if len(script) == 0 {
		return nil, false
	}
	for pc := 0; pc < len(script); {
		op, data, next, ok := readOp(script, pc)
		if !ok || op > OP_16 {
			return nil, false
		}
		last = data
		pc = next
	}
	return last, true
}

// isSmallInt reports whether op is OP_0 or OP_1..OP_16.
func isSmallInt(op byte) bool { return op == OP_0 || (op >= OP_1 && op <= OP_16) }

// smallIntValue decodes OP_0..OP_16.
func smallIntValue(op byte) int {
	if op == OP_0 {
		return 0
	}
	return int(op-OP_1) + 1
}

// checkMinimalPush reports whether data was pushed with the smallest
// possible opcode.
func checkMinimalPush(data []byte, op byte) bool {
	switch n := len(data); {
	case n == 0:
		return op == OP_0
	case n == 1 && data[0] >= 1 && data[0] <= 16:
		return op == OP_1+data[0]-1
	case n == 1 && data[0] == 0x81:
		return op == OP_1NEGATE
	case n <= 75:
		return int(op) == n
	case n <= 255:
		return op == OP_PUSHDATA1
	case n <= 65535:
		return op == OP_PUSHDATA2
	}
	return true
}

// appendPush appends the minimal push of data, as Bitcoin Core's
// CScript << vector does (no small-integer opcodes for 1-byte values).
func appendPush(b, data []byte) []byte {
	switch n := len(data); {
	case n < OP_PUSHDATA1:
		b = append(b, byte(n))
	case n <= 0xff:
		b = append(b, OP_PUSHDATA1, byte(n))
	case n <= 0xffff:
		b = append(b, OP_PUSHDATA2, byte(n), byte(n>>8))
	default:
		b = append(b, OP_PUSHDATA4, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return append(b, data...)
}
