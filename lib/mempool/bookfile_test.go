package mempool

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// rawOffer is one offer record of contracts.dat, field by field, so a
// test can break any one of them.
type rawOffer struct {
	state    byte
	added    uint64
	termsLen *uint32 // nil: len(terms)
	terms    []byte
	asigLen  *byte // nil: len(asig)
	asig     []byte
	bsigLen  *byte // nil: len(bsig)
	bsig     []byte
	txLen    *uint32 // nil: len(tx)
	tx       []byte
}

func rawOfferOf(t *testing.T, o *Offer) rawOffer {
	t.Helper()
	terms, err := game.EncodeTerms(&o.Terms)
	if err != nil {
		t.Fatal(err)
	}
	return rawOffer{state: byte(o.State), added: uint64(o.Added.UnixNano()), terms: terms,
		asig: bytes.Clone(o.ASig), bsig: bytes.Clone(o.BSig), tx: o.Tx.AppendTo(nil)}
}

// rawBook lays out a contracts.dat body (header, count, offers) with the
// given header fields; seal appends its checksum.
func rawBook(magic string, version, net uint32, count uint64, offers []rawOffer) []byte {
	b := append([]byte{}, magic...)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint32(b, net)
	b = binary.LittleEndian.AppendUint64(b, count)
	for _, o := range offers {
		b = append(b, o.state)
		b = binary.LittleEndian.AppendUint64(b, o.added)
		tl := uint32(len(o.terms))
		if o.termsLen != nil {
			tl = *o.termsLen
		}
		b = binary.LittleEndian.AppendUint32(b, tl)
		b = append(b, o.terms...)
		al := byte(len(o.asig))
		if o.asigLen != nil {
			al = *o.asigLen
		}
		b = append(b, al)
		b = append(b, o.asig...)
		bl := byte(len(o.bsig))
		if o.bsigLen != nil {
			bl = *o.bsigLen
		}
		b = append(b, bl)
		b = append(b, o.bsig...)
		xl := uint32(len(o.tx))
		if o.txLen != nil {
			xl = *o.txLen
		}
		b = binary.LittleEndian.AppendUint32(b, xl)
		b = append(b, o.tx...)
	}
	return b
}

func seal(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(bytes.Clone(body), sum[:]...)
}

func ptr32(v uint32) *uint32 { return &v }
func ptr8(v byte) *byte      { return &v }

// TestDecodeBookRejects: every check of the contract book decoder refuses
// its broken file with ErrBadFile and a message naming the problem.
func TestDecodeBookRejects(t *testing.T) {
	net := chaincfg.RegTestParams.Net
	fx := &bookFixture{a: keyN(1), b: keyN(2), utxo: map[wire.OutPoint]*wire.TxOut{}}
	o1, o2 := fx.offer(t, 1, 50), fx.offer(t, 2, 50)
	o1.Added, o2.Added = time.Unix(0, 11), time.Unix(0, 22)
	if bytes.Compare(o1.ID[:], o2.ID[:]) > 0 {
		o1, o2 = o2, o1
	}
	o1.State = OfferPublished
	o2.State, o2.BSig = OfferSigned, ecdsa.Sign(fx.b, o2.ID[:]).Serialize()
	pub, signed := rawOfferOf(t, o1), rawOfferOf(t, o2)

	// The fixture itself is a good file, and rawBook lays it out exactly as
	// encodeBook does.
	good := seal(rawBook(bookMagic, bookVersion, net, 2, []rawOffer{pub, signed}))
	enc, err := encodeBook(net, []*Offer{o1, o2})
	if err != nil || !bytes.Equal(enc, good) {
		t.Fatalf("rawBook differs from encodeBook (%v)", err)
	}
	if got, err := decodeBook(good, net); err != nil || len(got) != 2 {
		t.Fatalf("good file: %d offers, %v", len(got), err)
	}

	with := func(base rawOffer, mod func(*rawOffer)) rawOffer {
		r := base
		r.terms, r.asig, r.bsig, r.tx = bytes.Clone(base.terms), bytes.Clone(base.asig), bytes.Clone(base.bsig), bytes.Clone(base.tx)
		mod(&r)
		return r
	}
	one := func(r rawOffer) []byte { return seal(rawBook(bookMagic, bookVersion, net, 1, []rawOffer{r})) }

	// A transaction in a non-canonical serialization: its input count as a
	// non-minimal CompactSize (wire decoding is strict, so it fails there;
	// decodeBook's re-encoding comparison backs that up).
	tx := o1.Tx.AppendTo(nil)
	if len(o1.Tx.TxIn) != 1 || tx[4] != 0 || tx[5] != 1 || tx[6] != 1 {
		t.Fatalf("unexpected transaction layout %x", tx[:8])
	}
	nonCanonical := append(append(bytes.Clone(tx[:6]), 0xfd, 1, 0), tx[7:]...)

	// Terms whose b_props are unsorted: valid framing, invalid terms.
	badTerms := func() []byte {
		tm := o1.Terms
		id1, id2 := game.ID{1}, game.ID{2}
		tm.BProps = []game.ID{id1, id2}
		b, err := game.EncodeTerms(&tm)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, append(append([]byte{2}, id1[:]...), id2[:]...))
		if i < 0 {
			t.Fatal("b_props not found in the terms")
		}
		copy(b[i+1:], id2[:])
		copy(b[i+33:], id1[:])
		return b
	}()

	corruptSum := bytes.Clone(good)
	corruptSum[len(corruptSum)-1] ^= 1
	flipped := bytes.Clone(good[:len(good)-sha256.Size])
	flipped[len(flipped)-1] ^= 1
	flippedKeptSum := append(flipped, good[len(good)-sha256.Size:]...)

	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"header only, no checksum", rawBook(bookMagic, bookVersion, net, 0, nil), "truncated"},
		{"bad checksum", corruptSum, "checksum mismatch"},
		{"body changed under its checksum", flippedKeptSum, "checksum mismatch"},
		{"bad magic", seal(rawBook("GGCX", bookVersion, net, 0, nil)), "bad magic"},
		{"unknown version", seal(rawBook(bookMagic, 2, net, 0, nil)), "unsupported version 2"},
		{"version 0", seal(rawBook(bookMagic, 0, net, 0, nil)), "unsupported version 0"},
		{"wrong network", seal(rawBook(bookMagic, bookVersion, chaincfg.MainNetParams.Net, 0, nil)), "belongs to network"},
		{"count beyond the data", seal(rawBook(bookMagic, bookVersion, net, 1<<40, nil)), "exceeds the data"},
		{"count above the offers", seal(rawBook(bookMagic, bookVersion, net, 3, []rawOffer{pub, signed})), "truncated"},
		{"unknown state 0", one(with(pub, func(r *rawOffer) { r.state = 0 })), "state 0"},
		{"unknown state 3", one(with(pub, func(r *rawOffer) { r.state = 3 })), "state 3"},
		{"oversize terms", one(with(pub, func(r *rawOffer) { r.termsLen = ptr32(maxTermsLen + 1) })), "terms of"},
		{"terms past the end", one(with(pub, func(r *rawOffer) {
			r.termsLen = ptr32(uint32(len(r.terms) + len(r.asig) + len(r.bsig) + len(r.tx) + 100))
		})), "terms truncated"},
		{"terms not canonical", one(with(pub, func(r *rawOffer) { r.terms = badTerms })), "offer 0"},
		{"signature too long", one(with(pub, func(r *rawOffer) { r.asigLen = ptr8(maxSigLen + 1) })), "signature 0 length"},
		{"signature past the end", one(with(pub, func(r *rawOffer) { r.asig, r.bsig, r.tx, r.asigLen = r.asig[:5], nil, nil, ptr8(60) })), "signature 0 truncated"},
		{"published with b's signature", one(with(pub, func(r *rawOffer) { r.bsig = signed.bsig })), "signatures do not match its state"},
		{"signed without b's signature", one(with(signed, func(r *rawOffer) { r.bsig = nil })), "signatures do not match its state"},
		{"no a signature", one(with(pub, func(r *rawOffer) { r.asig = nil })), "signatures do not match its state"},
		{"transaction past the end", one(with(pub, func(r *rawOffer) { r.txLen = ptr32(uint32(len(r.tx) + 1)) })), "exceeds the data"},
		{"transaction garbage", one(with(pub, func(r *rawOffer) { r.tx = []byte{1, 2, 3} })), "offer 0"},
		{"transaction not canonical", one(with(pub, func(r *rawOffer) { r.tx = nonCanonical })), "non-canonical"},
		{"ids unsorted", seal(rawBook(bookMagic, bookVersion, net, 2, []rawOffer{signed, pub})), "ids not strictly ascending"},
		{"id repeated", seal(rawBook(bookMagic, bookVersion, net, 2, []rawOffer{pub, pub})), "ids not strictly ascending"},
		{"trailing bytes", seal(append(rawBook(bookMagic, bookVersion, net, 2, []rawOffer{pub, signed}), 0)), "1 trailing bytes"},
	}
	for _, c := range cases {
		got, err := decodeBook(c.file, net)
		if err == nil {
			t.Errorf("%s: decoded %d offers", c.name, len(got))
			continue
		}
		if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), c.want) ||
			!strings.HasPrefix(err.Error(), "contract book file: ") {
			t.Errorf("%s: err = %v, want ErrBadFile containing %q", c.name, err, c.want)
		}
	}
}
