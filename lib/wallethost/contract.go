package wallethost

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/amount"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// ContractSource is where a ContractHost finds offers and on-chain
// contracts and sends book changes: the node's own book and chain
// (lib/node's), or a node over RPC for a wallet served on its own
// (remoteSource).
type ContractSource interface {
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
	src    ContractSource
	wallet *WalletHost
	remote bool
}

var _ rpc.ContractBackend = (*ContractHost)(nil)

// NewContractHost returns the contract backend of a node over its own
// book, chain and mempool (src).
func NewContractHost(src ContractSource, w *WalletHost) *ContractHost {
	return &ContractHost{src: src, wallet: w}
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

// BookError maps the contract book's errors to RPC errors, then the
// rest as WalletError does.
func BookError(err error) error { return bookErr(err) }

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
	off, err := w.PublishContract(ctx, GameOptions(o), ws, func(c *wallet.ContractOffer) error {
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
	res, pre, err := w.FulfilContract(ctx, GameOptions(o), off.Tx)
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
	res, err := w.ExecuteContract(ctx, GameOptions(o), req)
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

// GameOptions are a game or contract method's options for the wallet.
func GameOptions(o rpc.GameOptions) wallet.GameOptions {
	return wallet.GameOptions{Account: o.Account, DryRun: o.DryRun, MaxFeeRate: o.MaxFeeRate}
}
