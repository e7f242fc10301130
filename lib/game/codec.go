package game

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Encode returns the canonical payload of r: magic, version, type, body.
// It refuses what Decode would refuse (unordered or out-of-range batches,
// strings too long or not clean UTF-8, a payload above MaxRecordSize),
// so every encoded record decodes back to itself.
func Encode(r Record) ([]byte, error) {
	if r == nil {
		return nil, ruleErr(CodeBadRecord, "nil record")
	}
	b := []byte{Magic[0], Magic[1], RecordVersion, byte(r.Type())}
	b, err := r.appendBody(b)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxRecordSize {
		return nil, ruleErr(CodeBadRecord, "record of %d bytes exceeds %d", len(b), MaxRecordSize)
	}
	return b, nil
}

// Decode parses a record payload, accepting only its canonical form:
// known version and type, minimal varints, clean strings within their
// field limits, batches of 1–MaxBatch entries in strictly ascending
// order, no prop named twice in a PropSend or ContractExecute, no
// trailing bytes. Errors are *RuleError with CodeBadRecord.
func Decode(payload []byte) (Record, error) {
	if len(payload) > MaxRecordSize {
		return nil, ruleErr(CodeBadRecord, "record of %d bytes exceeds %d", len(payload), MaxRecordSize)
	}
	if len(payload) < 4 || payload[0] != Magic[0] || payload[1] != Magic[1] {
		return nil, ruleErr(CodeBadRecord, "payload does not start with the magic \"gg\", version and type")
	}
	if payload[2] != RecordVersion {
		return nil, ruleErr(CodeBadRecord, "unknown record version %d", payload[2])
	}
	var r Record
	switch RecordType(payload[3]) {
	case TypeProducerRegister:
		r = new(ProducerRegister)
	case TypeProducerChange:
		r = new(ProducerChange)
	case TypePropCreate:
		r = new(PropCreate)
	case TypePropSend:
		r = new(PropSend)
	case TypePropDestroy:
		r = new(PropDestroy)
	case TypeSale:
		r = new(Sale)
	case TypeContractFulfil:
		r = new(ContractFulfil)
	case TypeContractExecute:
		r = new(ContractExecute)
	default:
		return nil, ruleErr(CodeBadRecord, "unknown record type %d", payload[3])
	}
	d := &decoder{b: payload[4:]}
	if err := r.decodeBody(d); err != nil {
		return nil, err
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, ruleErr(CodeBadRecord, "%d trailing bytes after the %v record", len(d.b), r.Type())
	}
	return r, nil
}

// RecordScript returns the output script carrying r: OP_RETURN followed
// by the minimal push of its payload.
func RecordScript(r Record) ([]byte, error) {
	p, err := Encode(r)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(p)+4)
	b = append(b, script.OP_RETURN)
	switch n := len(p); {
	case n <= 75:
		b = append(b, byte(n))
	case n <= 0xff:
		b = append(b, script.OP_PUSHDATA1, byte(n))
	default:
		b = append(b, script.OP_PUSHDATA2, byte(n), byte(n>>8))
	}
	return append(b, p...), nil
}

// RecordOutput returns the zero-value output carrying r.
func RecordOutput(r Record) (*wire.TxOut, error) {
	s, err := RecordScript(r)
	if err != nil {
		return nil, err
	}
	return &wire.TxOut{Value: 0, PkScript: s}, nil
}

// IsRecordScript reports whether pkScript is a game record output, well
// formed or not: OP_RETURN followed by a push opcode whose data starts
// with the magic "gg". Other OP_RETURN outputs are plain data carriers.
func IsRecordScript(pkScript []byte) bool {
	if len(pkScript) < 2 || pkScript[0] != script.OP_RETURN {
		return false
	}
	op := pkScript[1]
	// Lengths are read as unsigned 64-bit values on every build: an int
	// would turn a PUSHDATA4 length of 2³¹ or more negative on 32-bit
	// targets and split the network over what counts as a record.
	var n, hdr uint64
	switch {
	case op >= 0x01 && op <= 0x4b:
		n, hdr = uint64(op), 2
	case op == script.OP_PUSHDATA1:
		if len(pkScript) < 3 {
			return false
		}
		n, hdr = uint64(pkScript[2]), 3
	case op == script.OP_PUSHDATA2:
		if len(pkScript) < 4 {
			return false
		}
		n, hdr = uint64(binary.LittleEndian.Uint16(pkScript[2:])), 4
	case op == script.OP_PUSHDATA4:
		if len(pkScript) < 6 {
			return false
		}
		n, hdr = uint64(binary.LittleEndian.Uint32(pkScript[2:])), 6
	default:
		return false
	}
	return n >= 2 && uint64(len(pkScript)) >= hdr+2 && pkScript[hdr] == Magic[0] && pkScript[hdr+1] == Magic[1]
}

// recordPayload returns the payload of a record script, enforcing the
// output's strict form: exactly OP_RETURN <one minimal push>.
func recordPayload(pkScript []byte) ([]byte, error) {
	op := pkScript[1]
	var n, hdr int
	switch {
	case op <= 0x4b:
		n, hdr = int(op), 2
	case op == script.OP_PUSHDATA1:
		n, hdr = int(pkScript[2]), 3
		if n <= 75 {
			return nil, ruleErr(CodeBadRecord, "record push of %d bytes not minimal (OP_PUSHDATA1)", n)
		}
	case op == script.OP_PUSHDATA2:
		n, hdr = int(binary.LittleEndian.Uint16(pkScript[2:])), 4
		if n <= 0xff {
			return nil, ruleErr(CodeBadRecord, "record push of %d bytes not minimal (OP_PUSHDATA2)", n)
		}
	default:
		return nil, ruleErr(CodeBadRecord, "record push not minimal (OP_PUSHDATA4)")
	}
	if len(pkScript) != hdr+n {
		return nil, ruleErr(CodeBadRecord, "record output must be exactly OP_RETURN and one push: script of %d bytes, push of %d", len(pkScript), n)
	}
	if n > MaxRecordSize {
		return nil, ruleErr(CodeBadRecord, "record of %d bytes exceeds %d", n, MaxRecordSize)
	}
	return pkScript[hdr:], nil
}

// FindRecord returns tx's game record and the index of its output. A
// transaction without a record gives (nil, -1, nil). More than one
// record output, a record output not in its strict form (exactly
// OP_RETURN and one minimal push, value 0, payload at most MaxRecordSize)
// or a payload Decode refuses give a *RuleError.
func FindRecord(tx *wire.MsgTx) (Record, int, error) {
	idx := -1
	for i, out := range tx.TxOut {
		if !IsRecordScript(out.PkScript) {
			continue
		}
		if idx >= 0 {
			return nil, -1, ruleErr(CodeMultipleRecords, "game records in outputs %d and %d", idx, i)
		}
		idx = i
	}
	if idx < 0 {
		return nil, -1, nil
	}
	out := tx.TxOut[idx]
	if out.Value != 0 {
		return nil, -1, ruleErr(CodeBadRecord, "record output %d has value %d, want 0", idx, out.Value)
	}
	p, err := recordPayload(out.PkScript)
	if err != nil {
		return nil, -1, err
	}
	r, err := Decode(p)
	if err != nil {
		return nil, -1, err
	}
	return r, idx, nil
}

// Primitive encoders.

func appendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
}

// checkStr applies the str rules: at most max bytes of valid UTF-8
// without control characters (< 0x20, 0x7f).
func checkStr(field, s string, max int) error {
	if len(s) > max {
		return ruleErr(CodeBadRecord, "%s of %d bytes exceeds %d", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return ruleErr(CodeBadRecord, "%s is not valid UTF-8", field)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return ruleErr(CodeBadRecord, "%s has control character 0x%02x", field, c)
		}
	}
	return nil
}

func appendStr(b []byte, field, s string, max int) ([]byte, error) {
	if err := checkStr(field, s, max); err != nil {
		return nil, err
	}
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...), nil
}

func checkCount(what string, n int) error {
	if n < 1 || n > MaxBatch {
		return ruleErr(CodeBadRecord, "%s has %d entries, want 1 to %d", what, n, MaxBatch)
	}
	return nil
}

// decoder reads primitives, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = ruleErr(CodeBadRecord, format, args...)
	}
	d.b = nil
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("record truncated in %s", what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what string) uint64 {
	p := d.take(1, what)
	if p == nil {
		return 0
	}
	var v, min uint64
	switch p[0] {
	case 0xfd:
		if q := d.take(2, what); q != nil {
			v, min = uint64(binary.LittleEndian.Uint16(q)), 0xfd
		}
	case 0xfe:
		if q := d.take(4, what); q != nil {
			v, min = uint64(binary.LittleEndian.Uint32(q)), 0x10000
		}
	case 0xff:
		if q := d.take(8, what); q != nil {
			v, min = binary.LittleEndian.Uint64(q), 0x100000000
		}
	default:
		return uint64(p[0])
	}
	if d.err == nil && v < min {
		d.fail("non-minimal varint in %s", what)
	}
	return v
}

// index reads an output index (a varint that must fit in 32 bits).
func (d *decoder) index(what string) uint32 {
	v := d.varint(what)
	if v > 0xffffffff {
		d.fail("%s %d is not an output index", what, v)
		return 0
	}
	return uint32(v)
}

func (d *decoder) count(what string) int {
	v := d.varint(what + " count")
	if d.err == nil && (v < 1 || v > MaxBatch) {
		d.fail("%s has %d entries, want 1 to %d", what, v, MaxBatch)
	}
	return int(v)
}

func (d *decoder) str(field string, max int) string {
	n := d.varint(field + " length")
	if d.err != nil {
		return ""
	}
	if n > uint64(max) {
		d.fail("%s of %d bytes exceeds %d", field, n, max)
		return ""
	}
	p := d.take(int(n), field)
	if d.err != nil {
		return ""
	}
	s := string(p)
	if err := checkStr(field, s, max); err != nil && d.err == nil {
		d.err, d.b = err, nil
	}
	return s
}

func (d *decoder) u8(what string) uint8 {
	if p := d.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if p := d.take(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64(what string) uint64 {
	if p := d.take(8, what); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) id(what string) ID {
	var id ID
	if p := d.take(32, what); p != nil {
		copy(id[:], p)
	}
	return id
}

// Bodies.

func appendInfo(b []byte, p *ProducerInfo) ([]byte, error) {
	var err error
	if b, err = appendStr(b, "name", p.Name, MaxNameLen); err != nil {
		return nil, err
	}
	if b, err = appendStr(b, "url", p.URL, MaxURLLen); err != nil {
		return nil, err
	}
	if b, err = appendStr(b, "ip", p.IP, MaxIPLen); err != nil {
		return nil, err
	}
	if b, err = appendStr(b, "class", p.Class, MaxClassLen); err != nil {
		return nil, err
	}
	return append(b, p.Share), nil
}

func (p *ProducerInfo) decode(d *decoder) {
	p.Name = d.str("name", MaxNameLen)
	p.URL = d.str("url", MaxURLLen)
	p.IP = d.str("ip", MaxIPLen)
	p.Class = d.str("class", MaxClassLen)
	p.Share = d.u8("share")
}

func (r *ProducerRegister) appendBody(b []byte) ([]byte, error) {
	b = appendVarint(b, uint64(r.Out))
	return appendInfo(b, &r.ProducerInfo)
}

func (r *ProducerRegister) decodeBody(d *decoder) error {
	r.Out = d.index("out")
	r.ProducerInfo.decode(d)
	return d.err
}

func (r *ProducerChange) appendBody(b []byte) ([]byte, error) {
	b = append(b, r.Producer[:]...)
	b = appendVarint(b, uint64(r.Out))
	return appendInfo(b, &r.ProducerInfo)
}

func (r *ProducerChange) decodeBody(d *decoder) error {
	r.Producer = d.id("producer")
	r.Out = d.index("out")
	r.ProducerInfo.decode(d)
	return d.err
}

func (r *PropCreate) appendBody(b []byte) ([]byte, error) {
	if err := checkCount("prop-create", len(r.Props)); err != nil {
		return nil, err
	}
	b = append(b, r.Producer[:]...)
	b = appendVarint(b, uint64(r.ProducerOut))
	b = appendVarint(b, uint64(len(r.Props)))
	var err error
	for i, p := range r.Props {
		if i > 0 && p.Out <= r.Props[i-1].Out {
			return nil, ruleErr(CodeBadRecord, "prop-create entries not in strictly ascending output order at entry %d", i)
		}
		b = appendVarint(b, uint64(p.Out))
		if b, err = appendStr(b, "oid", p.OID, MaxOIDLen); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (r *PropCreate) decodeBody(d *decoder) error {
	r.Producer = d.id("producer")
	r.ProducerOut = d.index("pout")
	n := d.count("prop-create")
	if d.err != nil {
		return d.err
	}
	r.Props = make([]NewProp, 0, min(n, len(d.b)))
	for i := 0; i < n && d.err == nil; i++ {
		p := NewProp{Out: d.index("out")}
		p.OID = d.str("oid", MaxOIDLen)
		if d.err == nil && i > 0 && p.Out <= r.Props[i-1].Out {
			d.fail("prop-create entries not in strictly ascending output order at entry %d", i)
		}
		r.Props = append(r.Props, p)
	}
	return d.err
}

func (r *PropSend) appendBody(b []byte) ([]byte, error) {
	if err := checkCount("prop-send", len(r.Moves)); err != nil {
		return nil, err
	}
	b = appendVarint(b, uint64(len(r.Moves)))
	for i, m := range r.Moves {
		if i > 0 && m.Out <= r.Moves[i-1].Out {
			return nil, ruleErr(CodeBadRecord, "prop-send entries not in strictly ascending output order at entry %d", i)
		}
		b = append(b, m.Prop[:]...)
		b = appendVarint(b, uint64(m.Out))
	}
	if i, dup := repeatedProp(r.Moves); dup {
		return nil, ruleErr(CodeBadRecord, "prop-send names prop %v twice (entry %d)", r.Moves[i].Prop, i)
	}
	return b, nil
}

// repeatedProp reports whether moves names a prop twice, and the index of
// the first repeat: a canonical PropSend or ContractExecute never does.
func repeatedProp(moves []PropMove) (int, bool) {
	if len(moves) < 2 {
		return 0, false
	}
	seen := make(map[ID]struct{}, len(moves))
	for i, m := range moves {
		if _, ok := seen[m.Prop]; ok {
			return i, true
		}
		seen[m.Prop] = struct{}{}
	}
	return 0, false
}

func (r *PropSend) decodeBody(d *decoder) error {
	n := d.count("prop-send")
	if d.err != nil {
		return d.err
	}
	r.Moves = make([]PropMove, 0, min(n, len(d.b)/33+1))
	for i := 0; i < n && d.err == nil; i++ {
		m := PropMove{Prop: d.id("prop")}
		m.Out = d.index("out")
		if d.err == nil && i > 0 && m.Out <= r.Moves[i-1].Out {
			d.fail("prop-send entries not in strictly ascending output order at entry %d", i)
		}
		r.Moves = append(r.Moves, m)
	}
	if i, dup := repeatedProp(r.Moves); d.err == nil && dup {
		d.fail("prop-send names prop %v twice (entry %d)", r.Moves[i].Prop, i)
	}
	return d.err
}

func (r *PropDestroy) appendBody(b []byte) ([]byte, error) {
	if err := checkCount("prop-destroy", len(r.Props)); err != nil {
		return nil, err
	}
	b = appendVarint(b, uint64(len(r.Props)))
	for i, id := range r.Props {
		if i > 0 && bytes.Compare(id[:], r.Props[i-1][:]) <= 0 {
			return nil, ruleErr(CodeBadRecord, "prop-destroy ids not in strictly ascending order at entry %d", i)
		}
		b = append(b, id[:]...)
	}
	return b, nil
}

func (r *PropDestroy) decodeBody(d *decoder) error {
	n := d.count("prop-destroy")
	if d.err != nil {
		return d.err
	}
	r.Props = make([]ID, 0, min(n, len(d.b)/32+1))
	for i := 0; i < n && d.err == nil; i++ {
		id := d.id("prop")
		if d.err == nil && i > 0 && bytes.Compare(id[:], r.Props[i-1][:]) <= 0 {
			d.fail("prop-destroy ids not in strictly ascending order at entry %d", i)
		}
		r.Props = append(r.Props, id)
	}
	return d.err
}

func (r *Sale) appendBody(b []byte) ([]byte, error) {
	b = append(b, r.Prop[:]...)
	b = binary.LittleEndian.AppendUint64(b, r.BuyNow)
	b = binary.LittleEndian.AppendUint64(b, r.Reserve)
	return binary.LittleEndian.AppendUint32(b, r.End), nil
}

func (r *Sale) decodeBody(d *decoder) error {
	r.Prop = d.id("prop")
	r.BuyNow = d.u64("buynow")
	r.Reserve = d.u64("reserve")
	r.End = d.u32("end")
	return d.err
}
