package gcs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/siphash"
	"github.com/gamegold/gg/lib/wire"
)

// Params are a set's Golomb-Rice parameter P and false-positive inverse
// rate M.
type Params struct {
	P uint8
	M uint64
}

// BIP158's basic filter parameters.
const (
	BasicP = 19
	BasicM = 784931
)

// Basic are the parameters of BIP158's basic filter.
var Basic = Params{P: BasicP, M: BasicM}

func (p Params) check() error {
	if p.P == 0 || p.P > 32 || p.M == 0 || p.M > math.MaxUint32 {
		return refuse(ErrBadParams, "P=%d M=%d", p.P, p.M)
	}
	return nil
}

// KeySize is the length of a set's SipHash key.
const KeySize = 16

// Key is a set's SipHash key.
type Key [KeySize]byte

// words splits the key into SipHash's two little-endian words.
func (k *Key) words() (uint64, uint64) {
	return binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:])
}

// Filter is an encoded Golomb-coded set. It is immutable and safe for
// concurrent use.
type Filter struct {
	params Params
	n      uint32
	raw    []byte // CompactSize(n) ‖ bit stream
	stream []byte // raw after the count
}

// MaxElements bounds a set's element count (N·M must fit in 64 bits and
// N in the count BIP158 allows).
const MaxElements = math.MaxUint32

// Build encodes the distinct elements of items (duplicates count once)
// under key.
func Build(p Params, key Key, items [][]byte) (*Filter, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	uniq := make(map[string]struct{}, len(items))
	for _, it := range items {
		uniq[string(it)] = struct{}{}
	}
	if uint64(len(uniq)) > MaxElements {
		return nil, refuse(ErrSetTooLarge, "%d elements, at most %d", len(uniq), uint64(MaxElements))
	}
	n := uint64(len(uniq))
	f := n * p.M
	k0, k1 := key.words()
	vals := make([]uint64, 0, n)
	for it := range uniq {
		vals = append(vals, reduce(siphash.Sum24(k0, k1, []byte(it)), f))
	}
	slices.Sort(vals)
	w := bitWriter{b: wire.AppendCompactSize(make([]byte, 0, 9+int(n)*(int(p.P)+2)/8), n)}
	head := len(w.b)
	var last uint64
	for _, v := range vals {
		d := v - last
		w.writeUnary(d >> p.P)
		w.writeBits(d, p.P)
		last = v
	}
	return &Filter{params: p, n: uint32(n), raw: w.b, stream: w.b[head:]}, nil
}

// reduce maps h into [0, f) as BIP158 does: the high word of h·f.
func reduce(h, f uint64) uint64 {
	hi, _ := bits.Mul64(h, f)
	return hi
}

// Decode reads a filter serialization (CompactSize(N) ‖ bit stream) from
// untrusted bytes, checking it completely; the Filter keeps b.
func Decode(p Params, b []byte) (*Filter, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	r := wire.NewReader(b)
	n64, err := r.CompactSize("filter element count")
	if err != nil {
		return nil, &DecodeError{Kind: ErrBadCount, Err: err}
	}
	stream := b[r.Offset():]
	// Each element takes at least P+1 bits: the bound comes before any
	// work.
	if max := uint64(len(stream)) * 8 / (uint64(p.P) + 1); n64 > max {
		return nil, refuse(ErrTooMany, "%d elements in %d bytes (at most %d)", n64, len(stream), max)
	}
	if n64 > MaxElements {
		return nil, refuse(ErrTooMany, "%d elements, at most %d", n64, uint64(MaxElements))
	}
	f := &Filter{params: p, n: uint32(n64), raw: b, stream: stream}
	br := bitReader{b: stream}
	span := n64 * p.M
	var v uint64
	for i := uint64(0); i < n64; i++ {
		d, err := readDelta(&br, p.P)
		if err != nil {
			return nil, refuse(ErrTruncated, "element %d of %d", i, n64)
		}
		if d >= span-v { // v+d ≥ span, without overflow
			return nil, refuse(ErrOutOfRange, "element %d: value beyond %d", i, span)
		}
		v += d
	}
	used := (br.pos + 7) / 8
	if used != uint64(len(stream)) {
		return nil, refuse(ErrTrailing, "%d bytes after the last element", uint64(len(stream))-used)
	}
	if pad := br.pos & 7; pad != 0 && stream[len(stream)-1]<<pad != 0 {
		return nil, refuse(ErrBadPadding, "last byte %08b", stream[len(stream)-1])
	}
	return f, nil
}

var errShort = errors.New("short")

// readDelta reads one Golomb-Rice code.
func readDelta(br *bitReader, p uint8) (uint64, error) {
	q, ok := br.readUnary()
	if !ok || q > math.MaxUint64>>p {
		return 0, errShort
	}
	rem, ok := br.readBits(p)
	if !ok {
		return 0, errShort
	}
	return q<<p | rem, nil
}

// N is the number of elements.
func (f *Filter) N() uint32 { return f.n }

// Params are the filter's parameters.
func (f *Filter) Params() Params { return f.params }

// Bytes is the filter's serialization; do not modify it.
func (f *Filter) Bytes() []byte { return f.raw }

// Hash is the filter hash: sha256d of the serialization.
func (f *Filter) Hash() chainhash.Hash { return chainhash.DoubleHashH(f.raw) }

// Equal reports whether two filters have the same parameters and bytes.
func (f *Filter) Equal(g *Filter) bool {
	return f.params == g.params && bytes.Equal(f.raw, g.raw)
}

// values calls fn with each value in ascending order until it returns
// false. The stream was checked when the filter was made.
func (f *Filter) values(fn func(v uint64) bool) {
	br := bitReader{b: f.stream}
	var v uint64
	for i := uint32(0); i < f.n; i++ {
		d, err := readDelta(&br, f.params.P)
		if err != nil {
			return
		}
		v += d
		if !fn(v) {
			return
		}
	}
}

// Match reports whether item may be in the set (false positives at a
// rate of about 1/M; no false negatives) made under key.
func (f *Filter) Match(key Key, item []byte) bool {
	if f.n == 0 {
		return false
	}
	k0, k1 := key.words()
	target := reduce(siphash.Sum24(k0, k1, item), uint64(f.n)*f.params.M)
	found := false
	f.values(func(v uint64) bool {
		if v >= target {
			found = v == target
			return false
		}
		return true
	})
	return found
}

// MatchAny reports whether any of items may be in the set made under
// key, in one pass over the filter.
func (f *Filter) MatchAny(key Key, items [][]byte) bool {
	if f.n == 0 || len(items) == 0 {
		return false
	}
	k0, k1 := key.words()
	span := uint64(f.n) * f.params.M
	want := make([]uint64, len(items))
	for i, it := range items {
		want[i] = reduce(siphash.Sum24(k0, k1, it), span)
	}
	slices.Sort(want)
	found := false
	j := 0
	f.values(func(v uint64) bool {
		for j < len(want) && want[j] < v {
			j++
		}
		if j == len(want) {
			return false
		}
		if want[j] == v {
			found = true
			return false
		}
		return true
	})
	return found
}
