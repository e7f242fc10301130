package msg

import (
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// GameGold's gossip of the contract book (docs/protocol.md §7): offers
// and their countersignatures travel between peers, checked by each
// book before it keeps or relays them.
const (
	CmdOffer    = "ggoffer"
	CmdWithdraw = "ggwithdraw"
	// InvOfferSigned names an offer countersigned by B (InvOffer: as
	// published).
	InvOfferSigned InvType = 0x67670002
	// MaxSigSize bounds a DER signature.
	MaxSigSize = 73
	// maxTermsSize bounds encoded terms.
	maxTermsSize = 2*game.PubKeySize + 8 + 8 + 2*(3+32*game.MaxContractProps) + 3 + game.MaxMemoLen + 1 + 32 + 4 + 8
)

// Offer carries a contract-book offer: its state (1 published, 2 signed
// by B), the terms, A's signature over the contract id, B's (signed
// only), and A's partially signed fulfil transaction.
type Offer struct {
	Signed bool
	Terms  game.Terms
	ASig   []byte
	BSig   []byte
	Tx     *wire.MsgTx
}

// Command implements Message.
func (m *Offer) Command() string { return CmdOffer }

// AppendPayload implements Message.
func (m *Offer) AppendPayload(b []byte) []byte {
	if m.Signed {
		b = append(b, 2)
	} else {
		b = append(b, 1)
	}
	terms, _ := game.EncodeTerms(&m.Terms)
	b = wire.AppendVarBytes(b, terms)
	b = wire.AppendVarBytes(b, m.ASig)
	b = wire.AppendVarBytes(b, m.BSig)
	return m.Tx.AppendTo(b)
}

// Withdraw withdraws a published offer: A's signature over the book's
// withdraw hash of the id.
type Withdraw struct {
	ID  chainhash.Hash
	Sig []byte
}

// Command implements Message.
func (m *Withdraw) Command() string { return CmdWithdraw }

// AppendPayload implements Message.
func (m *Withdraw) AppendPayload(b []byte) []byte {
	b = append(b, m.ID[:]...)
	return wire.AppendVarBytes(b, m.Sig)
}

func readSig(r *wire.Reader, cmd, what string, allowEmpty bool) ([]byte, error) {
	n, err := r.CompactSize(what)
	if err != nil {
		return nil, err
	}
	if n > MaxSigSize || (n == 0 && !allowEmpty) {
		return nil, malformedf(cmd, "%s of %d bytes", what, n)
	}
	p, err := r.Bytes(int(n), what)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return append([]byte(nil), p...), nil
}

func init() {
	register(CmdOffer, 1+3+maxTermsSize+2*(1+MaxSigSize)+MaxPayload, func(r *wire.Reader) (Message, error) {
		st, err := r.Uint8("state")
		if err != nil {
			return nil, err
		}
		if st != 1 && st != 2 {
			return nil, malformedf(CmdOffer, "state %d", st)
		}
		m := &Offer{Signed: st == 2}
		n, err := r.CompactSize("terms")
		if err != nil {
			return nil, err
		}
		if n > maxTermsSize {
			return nil, malformedf(CmdOffer, "terms of %d bytes", n)
		}
		tb, err := r.Bytes(int(n), "terms")
		if err != nil {
			return nil, err
		}
		t, err := game.DecodeTerms(tb)
		if err != nil {
			return nil, malformed(CmdOffer, err)
		}
		m.Terms = *t
		if m.ASig, err = readSig(r, CmdOffer, "a_sig", false); err != nil {
			return nil, err
		}
		if m.BSig, err = readSig(r, CmdOffer, "b_sig", !m.Signed); err != nil {
			return nil, err
		}
		if !m.Signed && m.BSig != nil {
			return nil, malformedf(CmdOffer, "a published offer with B's signature")
		}
		if m.Tx, err = wire.ReadTx(r); err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdWithdraw, 32+1+MaxSigSize, func(r *wire.Reader) (Message, error) {
		m := &Withdraw{}
		var err error
		if m.ID, err = readHash(r, "contract id"); err != nil {
			return nil, err
		}
		if m.Sig, err = readSig(r, CmdWithdraw, "signature", false); err != nil {
			return nil, err
		}
		return m, nil
	})
}
