package gcs

// bitWriter appends bits most significant first.
type bitWriter struct {
	b    []byte
	used uint8 // bits used in the last byte (0: start a new one)
}

func (w *bitWriter) writeBit(one bool) {
	if w.used == 0 {
		w.b = append(w.b, 0)
	}
	if one {
		w.b[len(w.b)-1] |= 0x80 >> w.used
	}
	w.used = (w.used + 1) % 8
}

// writeBits writes the low n bits of v, most significant first.
func (w *bitWriter) writeBits(v uint64, n uint8) {
	for i := int(n) - 1; i >= 0; i-- {
		w.writeBit(v>>uint(i)&1 == 1)
	}
}

// writeUnary writes q one bits and a zero.
func (w *bitWriter) writeUnary(q uint64) {
	for ; q > 0; q-- {
		w.writeBit(true)
	}
	w.writeBit(false)
}

// bitReader reads bits most significant first.
type bitReader struct {
	b   []byte
	pos uint64 // next bit
}

func (r *bitReader) left() uint64 { return uint64(len(r.b))*8 - r.pos }

// readUnary counts one bits up to the next zero; ok is false when the
// stream ends first.
func (r *bitReader) readUnary() (q uint64, ok bool) {
	for {
		i := r.pos >> 3
		if i >= uint64(len(r.b)) {
			return 0, false
		}
		// The rest of this byte, shifted to the top.
		off := r.pos & 7
		v := r.b[i] << off
		avail := 8 - off
		ones := uint64(leadingOnes(v))
		if ones < avail {
			r.pos += ones + 1
			return q + ones, true
		}
		q += avail
		r.pos += avail
	}
}

func leadingOnes(v byte) int {
	n := 0
	for v&0x80 != 0 {
		n++
		v <<= 1
	}
	return n
}

// readBits reads n ≤ 64 bits; ok is false when fewer remain.
func (r *bitReader) readBits(n uint8) (v uint64, ok bool) {
	if r.left() < uint64(n) {
		return 0, false
	}
	for i := uint8(0); i < n; i++ {
		bit := r.b[r.pos>>3] >> (7 - r.pos&7) & 1
		v = v<<1 | uint64(bit)
		r.pos++
	}
	return v, true
}
