package wire

import (
	"encoding/binary"
)

// MaxSize is the largest CompactSize value accepted for any length or count
// (Bitcoin Core's MAX_SIZE); real limits come from the bytes remaining.
const MaxSize = 0x02000000

// CompactSizeLen returns the encoded length of v.
func CompactSizeLen(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// AppendCompactSize appends the minimal encoding of v.
func AppendCompactSize(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
	}
}

// AppendVarBytes appends a CompactSize length followed by p.
func AppendVarBytes(b, p []byte) []byte {
	return append(AppendCompactSize(b, uint64(len(p))), p...)
}

// Reader decodes from an in-memory byte slice. Decoding from memory lets
// every count be checked against the bytes that remain before allocation.
type Reader struct {
	b   []byte
	off int
}

// NewReader returns a Reader over b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Remaining returns the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.b) - r.off }

// Offset returns the number of bytes consumed so far.
func (r *Reader) Offset() int { return r.off }

// Bytes reads n bytes without copying; the result aliases the input.
func (r *Reader) Bytes(n int, what string) ([]byte, error) {
	if n < 0 || n > r.Remaining() {
		return nil, decodeErr(ErrShortRead, what)
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

// Uint8 reads one byte.
func (r *Reader) Uint8(what string) (uint8, error) {
	if r.Remaining() < 1 {
		return 0, decodeErr(ErrShortRead, what)
	}
	v := r.b[r.off]
	r.off++
	return v, nil
}

// Uint32 reads a little-endian uint32.
func (r *Reader) Uint32(what string) (uint32, error) {
	p, err := r.Bytes(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

// Uint64 reads a little-endian uint64.
func (r *Reader) Uint64(what string) (uint64, error) {
	p, err := r.Bytes(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(p), nil
}

// CompactSize reads a minimally encoded CompactSize no larger than MaxSize.
func (r *Reader) CompactSize(what string) (uint64, error) {
	d, err := r.Uint8(what)
	if err != nil {
		return 0, err
	}
	var v, min uint64
	switch d {
	case 0xfd:
		p, err := r.Bytes(2, what)
		if err != nil {
			return 0, err
		}
		v, min = uint64(binary.LittleEndian.Uint16(p)), 0xfd
	case 0xfe:
		p, err := r.Bytes(4, what)
		if err != nil {
			return 0, err
		}
		v, min = uint64(binary.LittleEndian.Uint32(p)), 0x10000
	case 0xff:
		p, err := r.Bytes(8, what)
		if err != nil {
			return 0, err
		}
		v, min = binary.LittleEndian.Uint64(p), 0x100000000
	default:
		return uint64(d), nil
	}
	if v < min {
		return 0, decodeErr(ErrNonCanonical, what)
	}
	if v > MaxSize {
		return 0, decodeErr(ErrTooLarge, what)
	}
	return v, nil
}

// Count reads a CompactSize count of items that each take at least
// minItemSize bytes, rejecting counts the remaining bytes cannot hold.
func (r *Reader) Count(minItemSize int, what string) (int, error) {
	n, err := r.CompactSize(what)
	if err != nil {
		return 0, err
	}
	if minItemSize > 0 && n > uint64(r.Remaining()/minItemSize) {
		return 0, decodeErr(ErrTooLarge, what)
	}
	return int(n), nil
}

// VarBytes reads a CompactSize length and that many bytes, copied.
func (r *Reader) VarBytes(what string) ([]byte, error) {
	n, err := r.CompactSize(what)
	if err != nil {
		return nil, err
	}
	if n > uint64(r.Remaining()) {
		return nil, decodeErr(ErrTooLarge, what)
	}
	p, _ := r.Bytes(int(n), what)
	out := make([]byte, len(p))
	copy(out, p)
	return out, nil
}

// Done fails if any bytes remain.
func (r *Reader) Done(what string) error {
	if r.Remaining() != 0 {
		return decodeErr(ErrTrailingBytes, what)
	}
	return nil
}
