package script

import (
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
)

// Disasm returns the script in Bitcoin Core's assembly notation: pushes of
// up to 4 bytes as decimal numbers, longer pushes as hex, opcodes by name
// ("OP_DUP OP_HASH160 <hex> OP_EQUALVERIFY OP_CHECKSIG"). A push that runs
// past the end is shown as "[error]" and reported as ErrMalformedPush, with
// the text decoded so far.
func Disasm(script []byte) (string, error) {
	var b strings.Builder
	for pc := 0; pc < len(script); {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		op, data, next, ok := readOp(script, pc)
		if !ok {
			b.WriteString("[error]")
			return b.String(), scriptErrorf(ErrMalformedPush, "push at offset %d runs past the end of the script", pc)
		}
		pc = next
		switch {
		case op <= OP_PUSHDATA4 && len(data) <= 4:
			n, _ := parseNum(data, false, 4)
			b.WriteString(strconv.FormatInt(n, 10))
		case op <= OP_PUSHDATA4:
			b.WriteString(hex.EncodeToString(data))
		default:
			b.WriteString(OpName(op))
		}
	}
	return b.String(), nil
}

// shortFormOps maps the names the short form accepts, with and without
// the OP_ prefix, to opcodes. As in Core, the push opcodes (OP_0..OP_16,
// OP_1NEGATE, OP_PUSHDATA*) are not names: write numbers or hex instead.
// It is built on first use, not at init: every binary links this package
// and few parse the short form (docs/performance.md, "Client start-up").
var shortFormOps = sync.OnceValue(func() map[string]byte {
	m := make(map[string]byte)
	for op := OP_NOP; op <= OP_NOP10; op++ {
		name := opNames[op]
		m[name] = byte(op)
		m[strings.TrimPrefix(name, "OP_")] = byte(op)
	}
	m["OP_RESERVED"], m["RESERVED"] = OP_RESERVED, OP_RESERVED
	m["OP_NOP2"], m["NOP2"] = OP_NOP2, OP_NOP2
	m["OP_NOP3"], m["NOP3"] = OP_NOP3, OP_NOP3
	return m
})

// ParseShortForm assembles the "short form" of Bitcoin Core's test
// vectors. Words are separated by spaces, tabs or newlines:
//
//   - a decimal integer (optionally negative) is pushed as a number
//     (OP_0, OP_1NEGATE, OP_1..OP_16 where possible);
//   - 0x followed by an even number of hex digits is inserted raw, not
//     pushed;
//   - 'text' (no spaces inside) is pushed as data;
//   - an opcode name, with or without OP_ (ADD, OP_CHECKSIG, NOP2,
//     CHECKLOCKTIMEVERIFY), is appended.
func ParseShortForm(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
		switch {
		case isDecimal(w):
			n, err := strconv.ParseInt(w, 10, 64)
			if err != nil {
				return nil, scriptErrorf(ErrInvalidArgument, "short form: number %q out of range", w)
			}
			switch {
			case n == 0:
				out = append(out, OP_0)
			case n == -1 || (n >= 1 && n <= 16):
				out = append(out, byte(int64(OP_1-1)+n))
			default:
				var buf [9]byte
				out = appendPush(out, appendNum(buf[:0], n))
			}
		case strings.HasPrefix(w, "0x") && len(w) > 2:
			raw, err := hex.DecodeString(w[2:])
			if err != nil {
				return nil, scriptErrorf(ErrInvalidArgument, "short form: bad hex %q", w)
			}
			out = append(out, raw...)
		case len(w) >= 2 && w[0] == '\'' && w[len(w)-1] == '\'':
			out = appendPush(out, []byte(w[1:len(w)-1]))
		default:
			op, ok := shortFormOps()[w]
			if !ok {
				return nil, scriptErrorf(ErrInvalidArgument, "short form: unknown word %q", w)
			}
			out = append(out, op)
		}
	}
	return out, nil
}

func isDecimal(w string) bool {
	if strings.HasPrefix(w, "-") {
		w = w[1:]
	}
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}
