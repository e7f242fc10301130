package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gamegold/gg/lib/amount"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
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

// contractSource is where a ContractHost finds offers and on-chain
// contracts and sends book changes: the node's own book and chain
// (localSource), or a node over RPC for a wallet served on its own
// (remoteSource).
type contractSource interface {
	Tip() int32
	// Lookup returns the book's offer of id, or the chain's contract with
	// the values of its unspent escrow outputs (0 when spent), or neither.
	Lookup(id game.ID) (*mempool.Offer, *game.Contract, []int64, error)
	PropGold(id game.ID) (int64, bool, error)
	Submit(o *mempool.Offer) error
	Accept(id game.ID, sig []byte) error
	Cancel(id game.ID, sig []byte) error
	Get(id game.ID) (*rpc.ContractJSON, error)
	List(q rpc.ContractListQuery) ([]rpc.ContractJSON, int, error)
	// PendingFulfil returns the mempool transaction fulfilling contract
	// id: one the source finds in the pool, or known (the wallet's own
	// fulfil, if not zero) when the pool holds it; false when neither.
	PendingFulfil(id game.ID, known chainhash.Hash) (chainhash.Hash, bool, error)
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

// remoteSource reaches a node's book and chain over JSON-RPC.
type remoteSource struct {
	client *rpc.Client
	tip    func() int32
}

func (r *remoteSource) Tip() int32 { return r.tip() }

func (r *remoteSource) call(method string, out any, params ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.client.Call(ctx, method, out, params...)
	var re *rpc.Error
	if errors.As(err, &re) {
		return re
	}
	return err
}

func (r *remoteSource) Get(id game.ID) (*rpc.ContractJSON, error) {
	var j rpc.ContractJSON
	if err := r.call("contract.get", &j, id.String()); err != nil {
		return nil, err
	}
	return &j, nil
}

func (r *remoteSource) Lookup(id game.ID) (*mempool.Offer, *game.Contract, []int64, error) {
	var j struct {
		rpc.ContractJSON
		EscrowValues []json.Number `json:"escrow_values"`
	}
	err := r.call("contract.get", &j, id.String())
	var re *rpc.Error
	if errors.As(err, &re) && re.Code == rpc.CodeInvalidAddress {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	tb, err := hex.DecodeString(j.TermsHex)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("node: contract %s: terms_hex: %v", id, err)
	}
	t, err := game.DecodeTerms(tb)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("node: contract %s: %v", id, err)
	}
	switch j.State {
	case "published", "signed":
		tx, err := wire.DecodeTxHex(j.Hex)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("node: contract %s: %v", id, err)
		}
		o := &mempool.Offer{ID: id, Terms: *t, Tx: tx, State: mempool.OfferPublished}
		if j.State == "signed" {
			o.State = mempool.OfferSigned
		}
		return o, nil, nil, nil
	}
	c := &game.Contract{ID: id, Terms: *t}
	for _, st := range []game.ContractState{game.ContractFulfilled, game.ContractExchanged, game.ContractRefunded, game.ContractSettled} {
		if st.String() == j.State {
			c.State = st
		}
	}
	var vals []int64
	for i, s := range j.Escrow {
		op, err := wire.ParseOutPoint(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("node: contract %s: escrow %q: %v", id, s, err)
		}
		c.Escrow = append(c.Escrow, op)
		var v amount.Amount
		if i < len(j.EscrowValues) {
			v, _ = amount.Parse(j.EscrowValues[i].String())
		}
		vals = append(vals, int64(v))
	}
	return nil, c, vals, nil
}

// PendingFulfil can only confirm a fulfil the wallet knows: the node's
// mempool lists txids, not records.
func (r *remoteSource) PendingFulfil(_ game.ID, known chainhash.Hash) (chainhash.Hash, bool, error) {
	if known.IsZero() {
		return chainhash.Hash{}, false, nil
	}
	var ids []string
	if err := r.call("getrawmempool", &ids); err != nil {
		return chainhash.Hash{}, false, err
	}
	for _, s := range ids {
		if s == known.String() {
			return known, true, nil
		}
	}
	return chainhash.Hash{}, false, nil
}

func (r *remoteSource) PropGold(id game.ID) (int64, bool, error) {
	var p struct {
		Gold   json.Number `json:"gold"`
		Status string      `json:"status"`
	}
	err := r.call("prop.byid", &p, id.String())
	var re *rpc.Error
	if errors.As(err, &re) && re.Code == rpc.CodeInvalidAddress {
		return 0, false, nil
	}
	if err != nil || p.Status != game.PropLive.String() {
		return 0, false, err
	}
	g, err := amount.Parse(p.Gold.String())
	return int64(g), err == nil, err
}

func (r *remoteSource) Submit(o *mempool.Offer) error {
	th, err := game.EncodeTerms(&o.Terms)
	if err != nil {
		return err
	}
	return r.call("contract.submit", nil, hex.EncodeToString(th), hex.EncodeToString(o.ASig), hex.EncodeToString(o.Tx.Bytes()))
}

func (r *remoteSource) Accept(id game.ID, sig []byte) error {
	return r.call("contract.accept", nil, id.String(), hex.EncodeToString(sig))
}

func (r *remoteSource) Cancel(id game.ID, sig []byte) error {
	return r.call("contract.cancel", nil, id.String(), hex.EncodeToString(sig))
}

func (r *remoteSource) List(q rpc.ContractListQuery) ([]rpc.ContractJSON, int, error) {
	var out struct {
		Total     int                `json:"total"`
		Contracts []rpc.ContractJSON `json:"contracts"`
	}
	key := ""
	if q.Key != nil {
		key = hex.EncodeToString(q.Key)
	}
	if err := r.call("contract.list", &out, q.State, key, q.Offset, q.Limit); err != nil {
		return nil, 0, err
	}
	return out.Contracts, out.Total, nil
}

// ContractHost serves the contract methods (rpc.ContractBackend) with
// the hosted wallet over a contract source.
type ContractHost struct {
	src    contractSource
	wallet *WalletHost
	remote bool
}

var _ rpc.ContractBackend = (*ContractHost)(nil)

// NewContractHost returns the contract backend of a node.
func NewContractHost(c *chain.Chain, b *mempool.Book, p *mempool.Pool, w *WalletHost) *ContractHost {
	return &ContractHost{src: &localSource{chain: c, book: b, pool: p}, wallet: w}
}

// NewRemoteContractHost returns the contract backend of a wallet served
// on its own (gg-wallet serve): offers and contracts come from the node
// over RPC (contract.get, contract.submit, ...). Book events do not reach
// it; contract.mine asks the node about the wallet's open offers.
func NewRemoteContractHost(client *rpc.Client, tip func() int32, w *WalletHost) *ContractHost {
	return &ContractHost{src: &remoteSource{client: client, tip: tip}, wallet: w, remote: true}
}

// WalletLoaded implements rpc.ContractBackend.
func (h *ContractHost) WalletLoaded() bool { return h.wallet != nil && h.wallet.Loaded() }

// Get implements rpc.ContractBackend.
func (h *ContractHost) Get(id game.ID) (*rpc.ContractJSON, error) { return h.src.Get(id) }

// List implements rpc.ContractBackend.
func (h *ContractHost) List(q rpc.ContractListQuery) ([]rpc.ContractJSON, int, error) {
	return h.src.List(q)
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
	if next := h.src.Tip() + 1; int64(spec.Expiry) <= int64(next) {
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
		g, ok, err := h.src.PropGold(id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, rpc.Errorf(rpc.CodeInvalidParam, "bprops: prop %s is not live on chain", id)
		}
		ws.BPropGold[id] = g
	}
	off, err := w.PublishContract(ctx, walletOpts(o), ws, func(c *wallet.ContractOffer) error {
		return h.src.Submit(&mempool.Offer{ID: c.ID, Terms: c.Terms, ASig: c.ASig, Tx: c.Tx})
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
	o, c, _, err := h.src.Lookup(id)
	switch {
	case err != nil:
		return nil, err
	case c != nil:
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "contract %s is %s on chain, no longer in the book", id, c.State)
	case o == nil:
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
		if err := h.src.Accept(id, sig); err != nil {
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
	res, pre, err := w.FulfilContract(ctx, walletOpts(o), off.Tx)
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
	off, c, vals, err := h.src.Lookup(spec.ID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, h.notOnChain(w, spec.ID, off)
	}
	if c.State != game.ContractFulfilled {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "contract %s is %s: nothing to execute", spec.ID, c.State)
	}
	req := wallet.ExecuteRequest{Terms: c.Terms, Path: spec.Path, Preimage: spec.Preimage, PayTo: spec.PayTo}
	props := c.Terms.AProps
	for i, op := range c.Escrow {
		if i >= len(vals) || vals[i] == 0 {
			return nil, rpc.Errorf(rpc.CodeInvalidParam, "escrow output %s of contract %s is spent", op, spec.ID)
		}
		ec := wallet.EscrowCoin{OutPoint: op, Value: vals[i]}
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
	res, err := w.ExecuteContract(ctx, walletOpts(o), req)
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

// notOnChain says why a contract to execute is not on chain: still an
// offer in the book, fulfilled by a transaction waiting in the mempool,
// or unknown.
func (h *ContractHost) notOnChain(w *wallet.Wallet, id game.ID, off *mempool.Offer) error {
	switch {
	case off != nil && off.State == mempool.OfferSigned:
		return rpc.Errorf(rpc.CodeInvalidParam, "contract %s is signed, not fulfilled: B fulfils it first (gg-contract fulfil)", id)
	case off != nil:
		return rpc.Errorf(rpc.CodeInvalidParam, "contract %s is %s, not fulfilled: B signs and fulfils it first (gg-contract sign, fulfil)", id, off.State)
	}
	var known chainhash.Hash
	if w != nil {
		if ci, err := w.Contract(id); err == nil {
			known = ci.FulfilTxid
		}
	}
	txid, ok, err := h.src.PendingFulfil(id, known)
	if err != nil {
		return err
	}
	if ok {
		return rpc.Errorf(rpc.CodeInvalidParam, "contract %s: the fulfilment %s is in the mempool: wait for a block", id, txid)
	}
	return rpc.Errorf(rpc.CodeInvalidAddress, "contract %s is not fulfilled on chain", id)
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
	if !bytes.Equal(key, o.Terms.AKey) {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "only A withdraws: account %q's contract key is not a_key", account)
	}
	sig, err := w.WithdrawSig(&o.Terms)
	if err != nil {
		return nil, walletErr(err)
	}
	if err := h.src.Cancel(id, sig); err != nil {
		return nil, bookErr(err)
	}
	w.ContractBookEvent(id, "withdrawn")
	return &rpc.ContractActionJSON{ID: id.String(), State: "withdrawn", Sent: true}, nil
}

// Mine implements rpc.ContractBackend. A wallet served on its own gets
// no book events: it asks the node whether its published offers were
// signed.
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
		if h.remote && c.State == wallet.ContractPublished {
			if o, _, _, err := h.src.Lookup(c.ID); err == nil && o != nil && o.State == mempool.OfferSigned {
				w.ContractBookEvent(c.ID, "signed")
				c.State = wallet.ContractSigned
			}
		}
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
