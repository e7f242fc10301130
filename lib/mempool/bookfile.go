package mempool

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// The contract book file (contracts.dat in the datadir):
//
//	magic   [4]byte "GGCB"
//	version uint32  (1)
//	net     uint32  network magic
//	count   uint64
//	count × { state u8 (1 published, 2 signed), added int64 (unix ns),
//	          terms_len u32, terms (game.EncodeTerms),
//	          asig_len u8, asig, bsig_len u8 (0 exactly when published), bsig,
//	          tx_len u32, tx (BIP144) }
//	sum     [32]byte SHA-256 of everything before it
//
// Integers are little-endian. Offers are in strictly ascending id order;
// the id is not stored (it is the hash of the terms). The decoder
// accepts only what the encoder writes.
const (
	bookMagic      = "GGCB"
	bookVersion    = 1
	bookHeaderSize = 4 + 4 + 4 + 8
	bookMinRecord  = 1 + 8 + 4 + 1 + 1 + 4
	maxSigLen      = 73
	maxTermsLen    = 2*game.PubKeySize + 8 + 8 + 2*(3+32*game.MaxContractProps) + 3 + game.MaxMemoLen + 1 + 32 + 4 + 8
)

func encodeBook(net uint32, offers []*Offer) ([]byte, error) {
	b := make([]byte, 0, 1024)
	b = append(b, bookMagic...)
	b = binary.LittleEndian.AppendUint32(b, bookVersion)
	b = binary.LittleEndian.AppendUint32(b, net)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(offers)))
	for _, o := range offers {
		terms, err := game.EncodeTerms(&o.Terms)
		if err != nil {
			return nil, err
		}
		if len(o.ASig) == 0 || len(o.ASig) > maxSigLen || len(o.BSig) > maxSigLen {
			return nil, fmt.Errorf("contract %s: signature length", o.ID)
		}
		b = append(b, byte(o.State))
		b = binary.LittleEndian.AppendUint64(b, uint64(o.Added.UnixNano()))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(terms)))
		b = append(b, terms...)
		b = append(b, byte(len(o.ASig)))
		b = append(b, o.ASig...)
		b = append(b, byte(len(o.BSig)))
		b = append(b, o.BSig...)
		b = binary.LittleEndian.AppendUint32(b, uint32(o.Tx.SerializeSize()))
		b = o.Tx.AppendTo(b)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...), nil
}

func badBook(format string, args ...any) error {
	return ruleError(ErrBadFile, "contract book file: "+fmt.Sprintf(format, args...))
}

// decodeBook checks the whole file before returning anything.
func decodeBook(b []byte, net uint32) ([]*Offer, error) {
	if len(b) < bookHeaderSize+sha256.Size {
		return nil, badBook("truncated (%d bytes)", len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, badBook("checksum mismatch (truncated or corrupt)")
	}
	if string(body[:4]) != bookMagic {
		return nil, badBook("bad magic %q", body[:4])
	}
	if v := binary.LittleEndian.Uint32(body[4:]); v != bookVersion {
		return nil, badBook("unsupported version %d", v)
	}
	if n := binary.LittleEndian.Uint32(body[8:]); n != net {
		return nil, badBook("belongs to network %#08x, not %#08x", n, net)
	}
	count := binary.LittleEndian.Uint64(body[12:])
	rest := body[bookHeaderSize:]
	if count > uint64(len(rest)/bookMinRecord) {
		return nil, badBook("offer count %d exceeds the data", count)
	}
	take := func(n int) ([]byte, bool) {
		if n > len(rest) {
			return nil, false
		}
		v := rest[:n]
		rest = rest[n:]
		return v, true
	}
	offers := make([]*Offer, 0, count)
	for i := uint64(0); i < count; i++ {
		head, ok := take(1 + 8 + 4)
		if !ok {
			return nil, badBook("offer %d truncated", i)
		}
		o := &Offer{State: OfferState(head[0]), Added: time.Unix(0, int64(binary.LittleEndian.Uint64(head[1:])))}
		if o.State != OfferPublished && o.State != OfferSigned {
			return nil, badBook("offer %d: state %d", i, head[0])
		}
		tl := binary.LittleEndian.Uint32(head[9:])
		if tl > maxTermsLen {
			return nil, badBook("offer %d: terms of %d bytes", i, tl)
		}
		tb, ok := take(int(tl))
		if !ok {
			return nil, badBook("offer %d: terms truncated", i)
		}
		t, err := game.DecodeTerms(tb)
		if err != nil {
			return nil, badBook("offer %d: %v", i, err)
		}
		o.Terms = *t
		if o.ID, err = game.ContractID(t); err != nil {
			return nil, badBook("offer %d: %v", i, err)
		}
		for j, sig := range []*[]byte{&o.ASig, &o.BSig} {
			l, ok := take(1)
			if !ok || int(l[0]) > maxSigLen {
				return nil, badBook("offer %d: signature %d length", i, j)
			}
			v, ok := take(int(l[0]))
			if !ok {
				return nil, badBook("offer %d: signature %d truncated", i, j)
			}
			if len(v) > 0 {
				*sig = bytes.Clone(v)
			}
		}
		if len(o.ASig) == 0 || (len(o.BSig) == 0) != (o.State == OfferPublished) {
			return nil, badBook("offer %d: signatures do not match its state", i)
		}
		l, ok := take(4)
		if !ok {
			return nil, badBook("offer %d: transaction truncated", i)
		}
		n := binary.LittleEndian.Uint32(l)
		txb, ok := take(int(min(uint64(n), uint64(len(rest)+1))))
		if !ok {
			return nil, badBook("offer %d: transaction length %d exceeds the data", i, n)
		}
		if o.Tx, err = wire.DecodeTx(txb); err != nil {
			return nil, badBook("offer %d: %v", i, err)
		}
		if !bytes.Equal(o.Tx.AppendTo(nil), txb) {
			return nil, badBook("offer %d: transaction not in canonical form", i)
		}
		if len(offers) > 0 && bytes.Compare(offers[len(offers)-1].ID[:], o.ID[:]) >= 0 {
			return nil, badBook("offer %d: ids not strictly ascending", i)
		}
		offers = append(offers, o)
	}
	if len(rest) != 0 {
		return nil, badBook("%d trailing bytes", len(rest))
	}
	return offers, nil
}
