package netsync

import (
	"errors"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
)

func offerInv(o *mempool.Offer) msg.InvVect {
	t := msg.InvOffer
	if o.State == mempool.OfferSigned {
		t = msg.InvOfferSigned
	}
	return msg.InvVect{Type: t, Hash: chainhash.Hash(o.ID)}
}

func offerMsg(o *mempool.Offer) *msg.Offer {
	return &msg.Offer{Signed: o.State == mempool.OfferSigned, Terms: o.Terms, ASig: o.ASig, BSig: o.BSig, Tx: o.Tx}
}

// announceBook tells a new peer of every offer in the book.
func (m *Manager) announceBook(p *p2p.Peer) {
	if m.cfg.Book == nil {
		return
	}
	offers, _ := m.cfg.Book.List(mempool.BookQuery{})
	inv := &msg.Inv{Cmd: msg.CmdInv}
	for _, o := range offers {
		v := offerInv(o)
		state(p).know(v.Hash)
		if v.Type == msg.InvOfferSigned {
			state(p).know(signedKey(v.Hash))
		}
		inv.List = append(inv.List, v)
	}
	if len(inv.List) > 0 {
		p.Send(inv)
	}
}

// OfferChanged relays a book event (the node calls it on the loop):
// published and signed offers by inv, withdrawals by ggwithdraw.
func (m *Manager) OfferChanged(o *mempool.Offer, kind string, withdrawSig []byte) {
	m.quiet = false
	for _, p := range m.readyPeers() {
		if kind == "withdrawn" {
			if withdrawSig != nil {
				p.Send(&msg.Withdraw{ID: chainhash.Hash(o.ID), Sig: withdrawSig})
			}
			continue
		}
		if kind != "published" && kind != "signed" {
			continue
		}
		v := offerInv(o)
		s := state(p)
		key := v.Hash
		if v.Type == msg.InvOfferSigned {
			key = signedKey(v.Hash)
		}
		if s.knows(key) {
			continue
		}
		s.know(key)
		p.Send(&msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{v}})
	}
}

// onOffer gives a peer's offer to the book, which checks it as a local
// one (and whose event relays it further). A forged signature costs the
// peer its connection; an offer that no longer fits the chain (spent
// inputs, an expiry reached) is dropped quietly.
func (m *Manager) onOffer(p *p2p.Peer, x *msg.Offer) {
	if m.cfg.Book == nil {
		return
	}
	id, err := game.ContractID(&x.Terms)
	if err != nil {
		return
	}
	state(p).know(chainhash.Hash(id))
	if x.Signed {
		state(p).know(signedKey(chainhash.Hash(id)))
	}
	o := &mempool.Offer{ID: id, Terms: x.Terms, ASig: x.ASig, Tx: x.Tx}
	if have := m.cfg.Book.Get(id); have == nil {
		err = m.cfg.Book.Submit(o)
	}
	if err == nil && x.Signed {
		if have := m.cfg.Book.Get(id); have != nil && have.State != mempool.OfferSigned {
			_, err = m.cfg.Book.Sign(id, x.BSig)
		}
	}
	if errors.Is(err, mempool.ErrOfferBadSig) {
		m.penalize(p, p2p.BanScore, "forged contract offer: "+err.Error())
	}
}

// signedKey is the known-inventory key of an offer's signed state.
func signedKey(id chainhash.Hash) chainhash.Hash {
	return chainhash.HashH(append([]byte("signed"), id[:]...))
}

// onWithdraw applies a withdrawal (A's signature); the book's event
// relays it.
func (m *Manager) onWithdraw(p *p2p.Peer, x *msg.Withdraw) {
	if m.cfg.Book == nil || m.cfg.Book.Get(game.ID(x.ID)) == nil {
		return
	}
	if _, err := m.cfg.Book.Withdraw(game.ID(x.ID), x.Sig); err != nil && errors.Is(err, mempool.ErrOfferBadSig) {
		m.penalize(p, p2p.BanScore, "forged withdrawal: "+err.Error())
	}
}
