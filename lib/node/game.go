package node

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wallethost"
	"github.com/gamegold/gg/lib/wire"
)

// GameHost serves the game methods (rpc.GameBackend): queries from the
// chain's registries and the mempool's live auctions, actions through the
// hosted wallet. For a bid it passes the wallet the auction's current
// transaction from the mempool and the seller's script from the registry.
type GameHost struct {
	params *chaincfg.Params
	chain  *chain.Chain
	pool   *mempool.Pool
	wallet *WalletHost // nil without a hosted wallet
}

var _ rpc.GameBackend = (*GameHost)(nil)

// NewGameHost returns the game backend of a node.
func NewGameHost(params *chaincfg.Params, c *chain.Chain, p *mempool.Pool, w *WalletHost) *GameHost {
	return &GameHost{params: params, chain: c, pool: p, wallet: w}
}

// TipHeight implements rpc.GameBackend.
func (g *GameHost) TipHeight() int32 { return g.chain.Best().Height }

// Producer implements rpc.GameBackend.
func (g *GameHost) Producer(id game.ID) (*game.Producer, error) { return g.chain.Producer(id) }

// ProducerByName implements rpc.GameBackend.
func (g *GameHost) ProducerByName(name string) (*game.Producer, error) {
	return g.chain.ProducerByName(name)
}

// Producers implements rpc.GameBackend: the chain's list filtered by
// class and owner, then by name prefix, then paged.
func (g *GameHost) Producers(q rpc.GameProducerQuery) ([]game.Producer, int, error) {
	cq := chain.ProducerQuery{Class: q.Class, Owner: q.Owner}
	if q.Prefix == "" {
		cq.Offset, cq.Limit = q.Offset, q.Limit
		return g.chain.Producers(cq)
	}
	all, _, err := g.chain.Producers(cq)
	if err != nil {
		return nil, 0, err
	}
	var match []game.Producer
	for _, p := range all {
		if strings.HasPrefix(game.FoldName(p.Name), q.Prefix) {
			match = append(match, p)
		}
	}
	total := len(match)
	if q.Offset >= len(match) {
		return nil, total, nil
	}
	match = match[q.Offset:]
	if q.Limit > 0 && len(match) > q.Limit {
		match = match[:q.Limit]
	}
	return match, total, nil
}

// Prop implements rpc.GameBackend.
func (g *GameHost) Prop(id game.ID) (*game.Prop, error) { return g.chain.Prop(id) }

// PropsByOwner implements rpc.GameBackend.
func (g *GameHost) PropsByOwner(pk []byte) ([]game.Prop, error) { return g.chain.PropsByOwner(pk) }

// PropsByProducer implements rpc.GameBackend.
func (g *GameHost) PropsByProducer(id game.ID, offset, limit int) ([]game.Prop, int, error) {
	return g.chain.PropsByProducer(id, offset, limit)
}

// History implements rpc.GameBackend.
func (g *GameHost) History(id game.ID) ([]game.Event, error) { return g.chain.PropHistory(id) }

// auctionOf describes the mempool transaction tx if it is a sale of a
// live prop spending its current carrier, else nil.
func (g *GameHost) auctionOf(tx *wire.MsgTx, height int32) (*rpc.GameAuction, error) {
	rec, idx, err := game.FindRecord(tx)
	if err != nil || rec == nil || rec.Type() != game.TypeSale || idx != 0 || len(tx.TxIn) == 0 {
		return nil, nil
	}
	sale := rec.(*game.Sale)
	p, err := g.chain.Prop(sale.Prop)
	if err != nil || p == nil || p.Status != game.PropLive || tx.TxIn[0].PreviousOutPoint != p.Outpoint {
		return nil, err
	}
	a := &rpc.GameAuction{Sale: *sale, TxID: tx.TxHash(), Tx: tx, Seller: p.Owner, Gold: p.Gold}
	if len(tx.TxOut) >= 3 {
		a.Bid, a.Bidder = tx.TxOut[1].Value, tx.TxOut[2].PkScript
		a.Final = game.IsFinal(sale, a.Bid, height+1, g.params)
	}
	return a, nil
}

// Auction implements rpc.GameBackend: the mempool transaction spending
// the prop's carrier, when it is a sale.
func (g *GameHost) Auction(id game.ID) (*rpc.GameAuction, error) {
	p, err := g.chain.Prop(id)
	if err != nil || p == nil || p.Status != game.PropLive {
		return nil, err
	}
	d, ok := g.pool.Spender(p.Outpoint)
	if !ok {
		return nil, nil
	}
	return g.auctionOf(d.Tx, g.chain.Best().Height)
}

// Auctions implements rpc.GameBackend: every sale in the mempool, by end
// height then prop id.
func (g *GameHost) Auctions() ([]rpc.GameAuction, error) {
	height := g.chain.Best().Height
	var out []rpc.GameAuction
	for _, id := range g.pool.TxIDs() {
		d, ok := g.pool.Fetch(id)
		if !ok {
			continue
		}
		a, err := g.auctionOf(d.Tx, height)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sale.End != out[j].Sale.End {
			return out[i].Sale.End < out[j].Sale.End
		}
		return out[i].Sale.Prop.String() < out[j].Sale.Prop.String()
	})
	return out, nil
}

// WalletLoaded implements rpc.GameBackend.
func (g *GameHost) WalletLoaded() bool { return g.wallet != nil && g.wallet.Loaded() }

func (g *GameHost) w() *wallet.Wallet { return g.wallet.Wallet() }

// Owned implements rpc.GameBackend: the wallet's game coins with their
// registry records (or, for a producer not mined yet, the details of its
// pending record).
func (g *GameHost) Owned(account string) ([]rpc.GameOwned, error) {
	cs, err := g.w().GameCoins(account)
	if err != nil {
		return nil, gameErr(err)
	}
	out := make([]rpc.GameOwned, 0, len(cs))
	for _, c := range cs {
		o := rpc.GameOwned{Object: c.Object, OutPoint: c.OutPoint, Value: int64(c.Value), PkScript: c.PkScript,
			Account: c.Account, Height: c.Height, OnSale: c.OnSale}
		switch c.Object.Kind {
		case game.KindProducer:
			if o.Producer, err = g.chain.Producer(c.Object.ID); err != nil {
				return nil, err
			}
			if o.Producer == nil || o.Producer.Outpoint != c.OutPoint {
				o.Info = g.pendingInfo(c.OutPoint)
			}
		case game.KindProp:
			if o.Prop, err = g.chain.Prop(c.Object.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// pendingInfo returns the producer details of the pending register or
// change transaction creating op, if it is in the mempool.
func (g *GameHost) pendingInfo(op wire.OutPoint) *game.ProducerInfo {
	d, ok := g.pool.Fetch(op.Hash)
	if !ok {
		return nil
	}
	rec, _, err := game.FindRecord(d.Tx)
	if err != nil || rec == nil {
		return nil
	}
	switch r := rec.(type) {
	case *game.ProducerRegister:
		return &r.ProducerInfo
	case *game.ProducerChange:
		return &r.ProducerInfo
	}
	return nil
}

func walletOpts(o rpc.GameOptions) wallet.GameOptions { return wallethost.GameOptions(o) }

func gameTx(t *wallet.GameTx) *rpc.GameTx {
	return &rpc.GameTx{Tx: t.Tx, Fee: t.Fee, Objects: t.Objects, Vouts: t.Vouts, Sent: t.Sent}
}

// gameErr maps the wallet's game errors, then the rest as walletErr does.
func gameErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wallet.ErrNotOwned), errors.Is(err, wallet.ErrObjectBusy):
		msg := err.Error()
		if i := strings.LastIndex(msg, ": prop "); i >= 0 {
			msg = msg[i+2:]
		} else if i := strings.LastIndex(msg, ": producer "); i >= 0 {
			msg = msg[i+2:]
		}
		return rpc.Errorf(rpc.CodeInvalidParam, "%s", msg)
	}
	return walletErr(err)
}

func result(t *wallet.GameTx, err error) (*rpc.GameTx, error) {
	if err != nil {
		return nil, gameErr(err)
	}
	return gameTx(t), nil
}

// RegisterProducer implements rpc.GameBackend.
func (g *GameHost) RegisterProducer(ctx context.Context, o rpc.GameOptions, info game.ProducerInfo) (*rpc.GameTx, error) {
	return result(g.w().RegisterProducer(ctx, walletOpts(o), info))
}

// ChangeProducer implements rpc.GameBackend.
func (g *GameHost) ChangeProducer(ctx context.Context, o rpc.GameOptions, id game.ID, info game.ProducerInfo, newOwner []byte) (*rpc.GameTx, error) {
	return result(g.w().ChangeProducer(ctx, walletOpts(o), id, info, newOwner))
}

// CreateProps implements rpc.GameBackend.
func (g *GameHost) CreateProps(ctx context.Context, o rpc.GameOptions, producer game.ID, props []rpc.GamePropSpec) (*rpc.GameTx, error) {
	specs := make([]wallet.PropSpec, len(props))
	for i, p := range props {
		specs[i] = wallet.PropSpec{OID: p.OID, Gold: p.Gold, PkScript: p.PkScript}
	}
	return result(g.w().CreateProps(ctx, walletOpts(o), producer, specs))
}

// SendProps implements rpc.GameBackend.
func (g *GameHost) SendProps(ctx context.Context, o rpc.GameOptions, moves []rpc.GameMove) (*rpc.GameTx, error) {
	ms := make([]wallet.PropMoveSpec, len(moves))
	for i, m := range moves {
		ms[i] = wallet.PropMoveSpec{Prop: m.Prop, PkScript: m.PkScript}
	}
	return result(g.w().SendProps(ctx, walletOpts(o), ms))
}

// DestroyProps implements rpc.GameBackend.
func (g *GameHost) DestroyProps(ctx context.Context, o rpc.GameOptions, ids []game.ID) (*rpc.GameTx, error) {
	return result(g.w().DestroyProps(ctx, walletOpts(o), ids))
}

// Sale implements rpc.GameBackend.
func (g *GameHost) Sale(ctx context.Context, o rpc.GameOptions, prop game.ID, buyNow, reserve int64, end uint32) (*rpc.GameTx, error) {
	if a, err := g.Auction(prop); err != nil {
		return nil, err
	} else if a != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "prop %s is already on sale (txid %s)", prop, a.TxID)
	}
	return result(g.w().Sale(ctx, walletOpts(o), prop, buyNow, reserve, end, g.chain.Best().Height))
}

// Bid implements rpc.GameBackend: the auction's current transaction and
// the seller's script go to the wallet, which builds on them.
func (g *GameHost) Bid(ctx context.Context, o rpc.GameOptions, prop game.ID, price int64) (*rpc.GameTx, error) {
	p, err := g.chain.Prop(prop)
	if err != nil {
		return nil, err
	}
	if p == nil || p.Status != game.PropLive {
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "no live prop %s", prop)
	}
	a, err := g.Auction(prop)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "prop %s is not on sale", prop)
	}
	if a.Bid >= int64(a.Sale.BuyNow) {
		return nil, rpc.Errorf(rpc.CodeVerifyRejected, "%s: the best bid %s GG already reached the buy-now price",
			"game-auction-closed", amount.Amount(a.Bid))
	}
	replaced, _ := g.pool.PackageFees(a.TxID)
	return result(g.w().Bid(ctx, walletOpts(o), wallet.BidRequest{Sale: a.Tx, SellerScript: a.Seller, Gold: p.Gold, Price: price,
		ReplacedFees: replaced}))
}
