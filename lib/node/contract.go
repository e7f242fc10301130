package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"path/filepath"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
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

// ContractHost serves the contract methods (rpc.ContractBackend).
type ContractHost struct {
	params *chaincfg.Params
	chain  *chain.Chain
	book   *mempool.Book
	wallet *WalletHost
}

var _ rpc.ContractBackend = (*ContractHost)(nil)

// NewContractHost returns the contract backend of a node.
func NewContractHost(params *chaincfg.Params, c *chain.Chain, b *mempool.Book, w *WalletHost) *ContractHost {
	return &ContractHost{params: params, chain: c, book: b, wallet: w}
}

// WalletLoaded implements rpc.ContractBackend.
func (h *ContractHost) WalletLoaded() bool { return h.wallet != nil && h.wallet.Loaded() }

func (h *ContractHost) offerJSON(o *mempool.Offer) *rpc.ContractJSON {
	return &rpc.ContractJSON{ID: o.ID.String(), State: o.State.String(), Terms: rpc.ContractTerms(&o.Terms),
		OfferTxID: o.Tx.TxHash().String(), Hex: hex.EncodeToString(o.Tx.Bytes())}
}

func contractJSON(c *game.Contract) *rpc.ContractJSON {
	j := &rpc.ContractJSON{ID: c.ID.String(), State: c.State.String(), Terms: rpc.ContractTerms(&c.Terms),
		FulfilTxID: c.FulfilTxid.String(), Height: c.Height}
	for _, op := range c.Escrow {
		j.Escrow = append(j.Escrow, op.String())
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

// Get implements rpc.ContractBackend: the book's offer, else the
// chain's record.
func (h *ContractHost) Get(id game.ID) (*rpc.ContractJSON, error) {
	if o := h.book.Get(id); o != nil {
		return h.offerJSON(o), nil
	}
	c, err := h.chain.Contract(id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "no contract %s in the book or on chain", id)
	}
	return contractJSON(c), nil
}

// List implements rpc.ContractBackend.
func (h *ContractHost) List(q rpc.ContractListQuery) ([]rpc.ContractJSON, int, error) {
	bq := mempool.BookQuery{Key: q.Key, Offset: q.Offset, Limit: q.Limit}
	switch q.State {
	case "published":
		bq.State = mempool.OfferPublished
	case "signed":
		bq.State = mempool.OfferSigned
	}
	os, total := h.book.List(bq)
	out := make([]rpc.ContractJSON, 0, len(os))
	for _, o := range os {
		j := h.offerJSON(o)
		j.Hex = ""
		out = append(out, *j)
	}
	return out, total, nil
}

// Key implements rpc.ContractBackend.
func (h *ContractHost) Key(account string) ([]byte, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, account); err != nil {
		return nil, err
	}
	k, err := w.ContractKey(account)
	return k, walletErr(err)
}

func bookErr(err error) error {
	var re *rpc.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return re
	case errors.Is(err, mempool.ErrOfferUnknown):
		return rpc.Errorf(rpc.CodeInvalidAddress, "%v", err)
	case errors.Is(err, mempool.ErrOfferInvalid), errors.Is(err, mempool.ErrOfferDuplicate), errors.Is(err, mempool.ErrOfferBadSig),
		errors.Is(err, mempool.ErrOfferState), errors.Is(err, mempool.ErrBookFull):
		return rpc.Errorf(rpc.CodeVerifyRejected, "%v", err)
	}
	return walletErr(err)
}

// Publish implements rpc.ContractBackend.
func (h *ContractHost) Publish(ctx context.Context, o rpc.GameOptions, spec rpc.ContractPublishSpec) (*rpc.ContractActionJSON, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, o.Account); err != nil {
		return nil, err
	}
	if next := h.chain.Best().Height + 1; int64(spec.Expiry) <= int64(next) {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "expiry %d is not above the next height %d", spec.Expiry, next)
	}
	if spec.Nonce == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		spec.Nonce = binary.LittleEndian.Uint64(b[:])
	}
	ws := wallet.ContractSpec{BKey: spec.BKey, AGold: spec.AGold, AProps: spec.AProps, BGold: spec.BGold, BProps: spec.BProps,
		Memo: spec.Memo, Hash: spec.Hash, Expiry: spec.Expiry, Nonce: spec.Nonce, BPropGold: map[game.ID]int64{}}
	for _, id := range spec.BProps {
		p, err := h.chain.Prop(id)
		if err != nil {
			return nil, err
		}
		if p == nil || p.Status != game.PropLive {
			return nil, rpc.Errorf(rpc.CodeInvalidParam, "bprops: prop %s is not live on chain", id)
		}
		ws.BPropGold[id] = p.Gold
	}
	off, err := w.PublishContract(ctx, wallet.GameOptions{Account: o.Account, DryRun: o.DryRun}, ws, func(c *wallet.ContractOffer) error {
		return h.book.Submit(&mempool.Offer{ID: c.ID, Terms: c.Terms, ASig: c.ASig, Tx: c.Tx})
	})
	if err != nil {
		return nil, bookErr(err)
	}
	fee := rpc.GG(off.Fee)
	j := &rpc.ContractActionJSON{ID: off.ID.String(), State: "published", TxID: off.Tx.TxHash().String(), Fee: &fee, Sent: !o.DryRun}
	if o.DryRun {
		j.State, j.Hex = "", hex.EncodeToString(off.Tx.Bytes())
	}
	return j, nil
}

func (h *ContractHost) offer(id game.ID) (*mempool.Offer, error) {
	o := h.book.Get(id)
	if o == nil {
		if c, err := h.chain.Contract(id); err == nil && c != nil {
			return nil, rpc.Errorf(rpc.CodeInvalidParam, "contract %s is %s on chain, no longer in the book", id, c.State)
		}
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "no contract %s in the book (withdrawn, expired or never published)", id)
	}
	return o, nil
}

// Sign implements rpc.ContractBackend.
func (h *ContractHost) Sign(_ context.Context, account string, id game.ID) (*rpc.ContractActionJSON, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, account); err != nil {
		return nil, err
	}
	o, err := h.offer(id)
	if err != nil {
		return nil, err
	}
	sig, err := w.SignContract(account, &o.Terms)
	if err != nil {
		return nil, walletErr(err)
	}
	if o.State != mempool.OfferSigned {
		if _, err := h.book.Sign(id, sig); err != nil {
			return nil, bookErr(err)
		}
	}
	return &rpc.ContractActionJSON{ID: id.String(), State: "signed", Sent: true}, nil
}

// Fulfil implements rpc.ContractBackend.
func (h *ContractHost) Fulfil(ctx context.Context, o rpc.GameOptions, id game.ID) (*rpc.ContractActionJSON, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, o.Account); err != nil {
		return nil, err
	}
	off, err := h.offer(id)
	if err != nil {
		return nil, err
	}
	if off.State != mempool.OfferSigned {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "contract %s is not signed yet: B signs it first (contract.sign)", id)
	}
	res, pre, err := w.FulfilContract(ctx, wallet.GameOptions{Account: o.Account, DryRun: o.DryRun}, off.Tx)
	if err != nil {
		return nil, bookErr(err)
	}
	j := &rpc.ContractActionJSON{ID: id.String(), State: "fulfilled", TxID: res.TxID.String(), Sent: res.Sent}
	if pre != nil {
		j.PreTxID = pre.TxHash().String()
	}
	if o.DryRun {
		j.State, j.Hex = "", hex.EncodeToString(res.Tx.Bytes())
		if pre != nil {
			j.PreHex = hex.EncodeToString(pre.Bytes())
		}
	}
	return j, nil
}

// Execute implements rpc.ContractBackend: the escrow outputs come from
// the chain's registry and UTXO set.
func (h *ContractHost) Execute(ctx context.Context, o rpc.GameOptions, spec rpc.ContractExecuteSpec) (*rpc.ContractActionJSON, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, o.Account); err != nil {
		return nil, err
	}
	c, err := h.chain.Contract(spec.ID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "contract %s is not fulfilled on chain", spec.ID)
	}
	if c.State != game.ContractFulfilled {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "contract %s is %s: nothing to execute", spec.ID, c.State)
	}
	req := wallet.ExecuteRequest{Terms: c.Terms, Path: spec.Path, Preimage: spec.Preimage, PayTo: spec.PayTo}
	props := c.Terms.AProps
	for i, op := range c.Escrow {
		e, err := h.chain.FetchUtxoEntry(op)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, rpc.Errorf(rpc.CodeInvalidParam, "escrow output %s of contract %s is spent", op, spec.ID)
		}
		ec := wallet.EscrowCoin{OutPoint: op, Value: e.Amount}
		k := i
		if c.Terms.AGold > 0 {
			k--
		}
		if k >= 0 && k < len(props) {
			ec.Prop = props[k]
		}
		req.Escrow = append(req.Escrow, ec)
	}
	if spec.CoopHex != "" {
		if req.CoopTx, err = wire.DecodeTxHex(spec.CoopHex); err != nil {
			return nil, rpc.Errorf(rpc.CodeDeserialize, "hex: %v", err)
		}
	}
	res, err := w.ExecuteContract(ctx, wallet.GameOptions{Account: o.Account, DryRun: o.DryRun}, req)
	if err != nil {
		return nil, bookErr(err)
	}
	state := map[game.ContractPath]string{game.PathClaim: "exchanged", game.PathRefund: "refunded", game.PathCoop: "settled"}[spec.Path]
	j := &rpc.ContractActionJSON{ID: spec.ID.String(), State: state, TxID: res.TxID.String(), Sent: res.Sent}
	if spec.Path == game.PathCoop {
		complete := res.Sent || (o.DryRun && spec.CoopHex != "")
		j.Complete = &complete
		if !res.Sent {
			j.Hex = hex.EncodeToString(res.Tx.Bytes())
			j.State = ""
		}
	}
	if o.DryRun {
		j.State, j.Hex = "", hex.EncodeToString(res.Tx.Bytes())
	}
	return j, nil
}

// Withdraw implements rpc.ContractBackend.
func (h *ContractHost) Withdraw(_ context.Context, account string, id game.ID) (*rpc.ContractActionJSON, error) {
	w := h.wallet.Wallet()
	if err := ensureAccount(w, account); err != nil {
		return nil, err
	}
	o, err := h.offer(id)
	if err != nil {
		return nil, err
	}
	key, err := w.ContractKey(account)
	if err != nil {
		return nil, walletErr(err)
	}
	if hex.EncodeToString(key) != hex.EncodeToString(o.Terms.AKey) {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "only A withdraws: account %q's contract key is not a_key", account)
	}
	sig, err := w.WithdrawSig(&o.Terms)
	if err != nil {
		return nil, walletErr(err)
	}
	if _, err := h.book.Withdraw(id, sig); err != nil {
		return nil, bookErr(err)
	}
	w.ContractBookEvent(id, "withdrawn")
	return &rpc.ContractActionJSON{ID: id.String(), State: "withdrawn", Sent: true}, nil
}

// Mine implements rpc.ContractBackend.
func (h *ContractHost) Mine(account string) ([]rpc.ContractJSON, error) {
	w := h.wallet.Wallet()
	if account != wallet.AllAccounts {
		if err := ensureAccount(w, account); err != nil {
			return nil, err
		}
	}
	cs, err := w.Contracts(account)
	if err != nil {
		return nil, walletErr(err)
	}
	out := make([]rpc.ContractJSON, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		j := rpc.ContractJSON{ID: c.ID.String(), State: c.State, Terms: rpc.ContractTerms(&c.Terms), Role: c.Role, Height: c.Height}
		j.Account = c.AAccount
		if c.Role == "B" {
			j.Account = c.BAccount
		}
		if !c.FulfilTxid.IsZero() {
			j.FulfilTxID = c.FulfilTxid.String()
		}
		if !c.SettleTxid.IsZero() {
			j.SettleTxID = c.SettleTxid.String()
		}
		if len(c.Preimage) > 0 {
			j.Preimage = hex.EncodeToString(c.Preimage)
		}
		if c.State == wallet.ContractPublished || c.State == wallet.ContractSigned {
			for _, op := range c.Reserved {
				j.Reserved = append(j.Reserved, op.String())
			}
		}
		out = append(out, j)
	}
	return out, nil
}
