package sha256d

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// HeaderSize is the length of a block header.
const HeaderSize = 80

// Job is the fixed part of a nonce search: the midstate of one header and
// a target. A Job is read-only once made, so many goroutines may search
// disjoint nonce ranges of it at once.
type Job struct {
	mid    [8]uint32 // state after the header's first 64 bytes
	tail   [3]uint32 // message words 0-2 of the second block (bytes 64-75)
	target [8]uint32 // target[i] is little-endian bytes 4i..4i+3 of the target
	arch   archJob   // the assembly loop's precomputed layout, if any
}

// NewJob prepares a search over header (its nonce bytes are ignored) for
// hashes at or below target, a 256-bit number in little-endian byte order
// (the order of a hash as it leaves SHA-256; see Target).
func NewJob(header *[HeaderSize]byte, target *[32]byte) *Job {
	j := &Job{mid: iv}
	var w [16]uint32
	for i := range w {
		w[i] = binary.BigEndian.Uint32(header[4*i:])
	}
	compress(&j.mid, &w)
	for i := range j.tail {
		j.tail[i] = binary.BigEndian.Uint32(header[64+4*i:])
	}
	for i := range j.target {
		j.target[i] = binary.LittleEndian.Uint32(target[4*i:])
	}
	j.arch.init(j)
	return j
}

// Target returns t as the 32 little-endian bytes NewJob takes. A negative
// t is returned as zero and one wider than 256 bits as the largest value.
func Target(t *big.Int) [32]byte {
	var out [32]byte
	switch {
	case t.Sign() <= 0:
		return out
	case t.BitLen() > 256:
		for i := range out {
			out[i] = 0xff
		}
		return out
	}
	t.FillBytes(out[:])
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Hash returns the double SHA-256 of the job's header with nonce in it,
// in SHA-256's output byte order (a chainhash.Hash).
func (j *Job) Hash(nonce uint32) [32]byte {
	var out [32]byte
	d := j.digest(nonce)
	for i, v := range d {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// Meets reports whether the double SHA-256 of the header with nonce is at
// or below the job's target.
func (j *Job) Meets(nonce uint32) bool {
	d := j.digest(nonce)
	return j.below(&d)
}

// Search hashes count nonces (at most 1<<32) from start upward, wrapping
// past 0xffffffff, in order, and returns the first whose hash is at or
// below the target. It returns ok false when none of them is.
func (j *Job) Search(start uint32, count uint64) (nonce uint32, ok bool) {
	count = min(count, 1<<32)
	for count > 0 {
		// Each step stays below the wrap so the loops count plainly.
		n := min(count, uint64(1<<32-uint64(start)))
		if nonce, ok := j.search(start, uint32(n-1)); ok {
			return nonce, true
		}
		count -= n
		start += uint32(n) // wraps to 0 after the last nonce
	}
	return 0, false
}

// search tries the nonces start..start+last (start+last does not wrap).
func (j *Job) search(start, last uint32) (uint32, bool) {
	for {
		n, cand := j.arch.scan(j, start, last)
		if !cand {
			return 0, false
		}
		if j.Meets(n) {
			return n, true
		}
		if n == start+last {
			return 0, false
		}
		last -= n + 1 - start
		start = n + 1
	}
}

// scanGeneric returns the first nonce of start..start+last whose hash's
// most significant word is at or below the target's: a candidate for the
// exact check. The outer compression stops after the rounds that word
// needs.
func (j *Job) scanGeneric(start, last uint32) (uint32, bool) {
	top := j.target[7]
	for n := start; ; n++ {
		if bits.ReverseBytes32(j.outerTop(n)) <= top {
			return n, true
		}
		if n == start+last {
			return 0, false
		}
	}
}

// digest returns the state words of the double hash of the header with
// nonce: the hash is their big-endian bytes.
func (j *Job) digest(nonce uint32) [8]uint32 {
	s := j.inner(nonce)
	w := [16]uint32{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], 0x80000000, 0, 0, 0, 0, 0, 0, 256}
	d := iv
	compress(&d, &w)
	return d
}

// inner returns the SHA-256 state of the header with nonce.
func (j *Job) inner(nonce uint32) [8]uint32 {
	w := [16]uint32{j.tail[0], j.tail[1], j.tail[2], bits.ReverseBytes32(nonce), 0x80000000, 15: 640}
	s := j.mid
	compress(&s, &w)
	return s
}

// below compares the hash of state words d, as a little-endian number,
// with the target, from the most significant word down.
func (j *Job) below(d *[8]uint32) bool {
	for i := 7; i >= 0; i-- {
		h := bits.ReverseBytes32(d[i])
		if h != j.target[i] {
			return h < j.target[i]
		}
	}
	return true
}
