package script

// Builder assembles a script with minimal pushes. Errors are sticky: the
// first one is returned by Script and later additions are ignored.
//
//	pk, err := script.NewBuilder().AddOp(script.OP_DUP).AddOp(script.OP_HASH160).
//		AddData(hash).AddOp(script.OP_EQUALVERIFY).AddOp(script.OP_CHECKSIG).Script()
type Builder struct {
	script []byte
	err    error
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder { return &Builder{script: make([]byte, 0, 64)} }

// AddOp appends one opcode.
func (b *Builder) AddOp(op byte) *Builder {
	if b.err != nil {
		return b
	}
	b.script = append(b.script, op)
	return b.checkSize()
}

// AddOps appends opcodes.
func (b *Builder) AddOps(ops ...byte) *Builder {
	for _, op := range ops {
		b.AddOp(op)
	}
	return b
}

// AddData appends the minimal push of data: OP_0 for empty data,
// OP_1..OP_16 and OP_1NEGATE for the single bytes 1..16 and 0x81, a direct
// push up to 75 bytes, then OP_PUSHDATA1/2. Data above
// MaxScriptElementSize is an error.
func (b *Builder) AddData(data []byte) *Builder {
	if b.err != nil {
		return b
	}
	if len(data) > MaxScriptElementSize {
		b.err = scriptErrorf(ErrPushSize, "push of %d bytes exceeds %d", len(data), MaxScriptElementSize)
		return b
	}
	switch {
	case len(data) == 0:
		b.script = append(b.script, OP_0)
	case len(data) == 1 && data[0] >= 1 && data[0] <= 16:
		b.script = append(b.script, OP_1+data[0]-1)
	case len(data) == 1 && data[0] == 0x81:
		b.script = append(b.script, OP_1NEGATE)
	default:
		b.script = appendPush(b.script, data)
	}
	return b.checkSize()
}

// AddInt64 appends n as a script number: OP_0, OP_1NEGATE or OP_1..OP_16
// when possible, else the minimal push of its encoding.
func (b *Builder) AddInt64(n int64) *Builder {
	if b.err != nil {
		return b
	}
	switch {
	case n == 0:
		b.script = append(b.script, OP_0)
	case n == -1 || (n >= 1 && n <= 16):
		b.script = append(b.script, byte(int64(OP_1-1)+n))
	default:
		var buf [9]byte
		b.script = appendPush(b.script, appendNum(buf[:0], n))
	}
	return b.checkSize()
}

func (b *Builder) checkSize() *Builder {
	if len(b.script) > MaxScriptSize {
		b.err = scriptErrorf(ErrScriptSize, "script exceeds %d bytes", MaxScriptSize)
	}
	return b
}

// Script returns the assembled script, or the first error met.
func (b *Builder) Script() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return append([]byte(nil), b.script...), nil
}
