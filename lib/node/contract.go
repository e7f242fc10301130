package node

import (
	"encoding/hex"
	"path/filepath"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wire"
)

// BookFile is the contract book's file in the datadir.
const BookFile = "contracts.dat"

// newBook creates the node's contract book over the chain and the pool,
// loads its file, and keeps it in step: a transaction entering the pool
// or a block removes the offers it fulfils or whose inputs it spends; a
// connected block prunes the offers it expires. Book events reach the
// hosted wallet (once loaded).
func (n *Node) newBook() {
	c, p := n.Chain, n.Mempool
	n.Book = mempool.NewBook(mempool.BookConfig{Params: n.cfg.Params, Path: filepath.Join(n.cfg.DataDir, BookFile),
		Tip: func() int32 { return c.Best().Height }, Logger: n.log.With("sub", "book"),
		PrevOut: func(op wire.OutPoint) (*wire.TxOut, bool) {
			if _, spent := p.Spender(op); spent {
				return nil, false
			}
			if e, err := c.FetchUtxoEntry(op); err == nil && e != nil {
				return &wire.TxOut{Value: e.Amount, PkScript: e.PkScript}, true
			}
			if d, ok := p.Fetch(op.Hash); ok && int(op.Index) < len(d.Tx.TxOut) {
				return d.Tx.TxOut[op.Index], true
			}
			return nil, false
		}})
	kept, dropped, err := n.Book.Load()
	if err != nil {
		n.log.Warn("contract book not restored", "err", err)
	} else if kept+dropped > 0 {
		n.log.Info("contract book restored", "offers", kept, "dropped", dropped)
	}
	book := n.Book
	p.Listen(mempool.Listener{OnAccept: func(d *mempool.TxDesc) { book.SawTx(d.Tx) }})
	c.Subscribe(func(nt *chain.Notification) {
		if nt.Type != chain.NTBlockConnected || nt.Block == nil {
			return
		}
		for _, tx := range nt.Block.Transactions {
			book.SawTx(tx)
		}
		book.Prune(nt.Height)
	})
	book.Prune(c.Best().Height)
}

// watchBook forwards book events to the hosted wallet.
func (n *Node) watchBook() {
	if n.Wallet == nil {
		return
	}
	wh := n.Wallet
	n.Book.Listen(func(e mempool.BookEvent) {
		if w := wh.Wallet(); w != nil {
			w.ContractBookEvent(e.Offer.ID, e.Kind)
		}
	})
}

// localSource is the node's own book, chain and mempool.
type localSource struct {
	chain *chain.Chain
	book  *mempool.Book
	pool  *mempool.Pool
}

func (l *localSource) Tip() int32 { return l.chain.Best().Height }

func (l *localSource) Lookup(id game.ID) (*mempool.Offer, *game.Contract, []int64, error) {
	if o := l.book.Get(id); o != nil {
		return o, nil, nil, nil
	}
	c, err := l.chain.Contract(id)
	if err != nil || c == nil {
		return nil, nil, nil, err
	}
	vals := make([]int64, len(c.Escrow))
	for i, op := range c.Escrow {
		e, err := l.chain.FetchUtxoEntry(op)
		if err != nil {
			return nil, nil, nil, err
		}
		if e != nil {
			vals[i] = e.Amount
		}
	}
	return nil, c, vals, nil
}

// PendingFulfil looks for the fulfil among the pool's transactions (an
// error path only: the book forgets an offer once its fulfil enters the
// pool, so the pool is where it is).
func (l *localSource) PendingFulfil(id game.ID, _ chainhash.Hash) (chainhash.Hash, bool, error) {
	if l.pool == nil {
		return chainhash.Hash{}, false, nil
	}
	for _, d := range l.pool.MiningDescs() {
		rec, _, _ := game.FindRecord(d.Tx)
		if f, ok := rec.(*game.ContractFulfil); ok {
			if fid, err := game.ContractID(&f.Terms); err == nil && fid == id {
				return d.TxID, true, nil
			}
		}
	}
	return chainhash.Hash{}, false, nil
}

func (l *localSource) PropGold(id game.ID) (int64, bool, error) {
	p, err := l.chain.Prop(id)
	if err != nil || p == nil || p.Status != game.PropLive {
		return 0, false, err
	}
	return p.Gold, true, nil
}

func (l *localSource) Submit(o *mempool.Offer) error { return l.book.Submit(o) }

func (l *localSource) Accept(id game.ID, sig []byte) error {
	_, err := l.book.Sign(id, sig)
	return err
}

func (l *localSource) Cancel(id game.ID, sig []byte) error {
	_, err := l.book.Withdraw(id, sig)
	return err
}

func offerJSON(o *mempool.Offer) *rpc.ContractJSON {
	th, _ := game.EncodeTerms(&o.Terms)
	return &rpc.ContractJSON{ID: o.ID.String(), State: o.State.String(), Terms: rpc.ContractTerms(&o.Terms),
		OfferTxID: o.Tx.TxHash().String(), Hex: hex.EncodeToString(o.Tx.Bytes()), TermsHex: hex.EncodeToString(th),
		ASig: hex.EncodeToString(o.ASig), BSig: hex.EncodeToString(o.BSig)}
}

func contractJSON(c *game.Contract, vals []int64) *rpc.ContractJSON {
	th, _ := game.EncodeTerms(&c.Terms)
	j := &rpc.ContractJSON{ID: c.ID.String(), State: c.State.String(), Terms: rpc.ContractTerms(&c.Terms),
		FulfilTxID: c.FulfilTxid.String(), Height: c.Height, TermsHex: hex.EncodeToString(th)}
	for i, op := range c.Escrow {
		j.Escrow = append(j.Escrow, op.String())
		if i < len(vals) {
			j.EscrowValues = append(j.EscrowValues, rpc.GG(vals[i]))
		}
	}
	if !c.SettleTxid.IsZero() {
		j.SettleTxID, j.Path = c.SettleTxid.String(), c.Path.String()
		j.Height = c.SettleHeight
	}
	if len(c.Preimage) > 0 {
		j.Preimage = hex.EncodeToString(c.Preimage)
	}
	return j
}

func (l *localSource) Get(id game.ID) (*rpc.ContractJSON, error) {
	o, c, vals, err := l.Lookup(id)
	switch {
	case err != nil:
		return nil, err
	case o != nil:
		return offerJSON(o), nil
	case c != nil:
		return contractJSON(c, vals), nil
	}
	return nil, rpc.Errorf(rpc.CodeInvalidAddress, "no contract %s in the book or on chain", id)
}

func (l *localSource) List(q rpc.ContractListQuery) ([]rpc.ContractJSON, int, error) {
	bq := mempool.BookQuery{Key: q.Key, Offset: q.Offset, Limit: q.Limit}
	switch q.State {
	case "published":
		bq.State = mempool.OfferPublished
	case "signed":
		bq.State = mempool.OfferSigned
	}
	os, total := l.book.List(bq)
	out := make([]rpc.ContractJSON, 0, len(os))
	for _, o := range os {
		j := offerJSON(o)
		j.Hex, j.TermsHex, j.ASig, j.BSig = "", "", "", ""
		out = append(out, *j)
	}
	return out, total, nil
}

// bookMethods serves contract.submit, accept and cancel over the book.
type bookMethods struct{ book *mempool.Book }

func (b bookMethods) Submit(terms, asig, txb []byte) (game.ID, error) {
	t, err := game.DecodeTerms(terms)
	if err != nil {
		return game.ID{}, rpc.Errorf(rpc.CodeDeserialize, "terms: %v", err)
	}
	tx, err := wire.DecodeTx(txb)
	if err != nil {
		return game.ID{}, rpc.Errorf(rpc.CodeDeserialize, "tx: %v", err)
	}
	id, err := game.ContractID(t)
	if err != nil {
		return game.ID{}, rpc.Errorf(rpc.CodeInvalidParam, "%v", err)
	}
	return id, bookErr(b.book.Submit(&mempool.Offer{ID: id, Terms: *t, ASig: asig, Tx: tx}))
}

func (b bookMethods) Accept(id game.ID, sig []byte) error {
	_, err := b.book.Sign(id, sig)
	return bookErr(err)
}

func (b bookMethods) Cancel(id game.ID, sig []byte) error {
	_, err := b.book.Withdraw(id, sig)
	return bookErr(err)
}
