package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// errNeedFull marks a game call that needs a full node's registries or
// mempool: the SPV node forwards the whole call, or refuses it.
var errNeedFull = errors.New("needs a full node")

// spvGame is the rpc.GameBackend of gg-node --spv: the wallet's actions
// and its own objects run locally; registry and auction look-ups need a
// full node (errNeedFull).
type spvGame struct{ s *SPVNode }

var _ rpc.GameBackend = spvGame{}

func (g spvGame) TipHeight() int32                              { _, h, _ := g.s.Light.Synced(); return h }
func (g spvGame) Producer(game.ID) (*game.Producer, error)      { return nil, errNeedFull }
func (g spvGame) ProducerByName(string) (*game.Producer, error) { return nil, errNeedFull }
func (g spvGame) Prop(game.ID) (*game.Prop, error)              { return nil, errNeedFull }
func (g spvGame) PropsByOwner([]byte) ([]game.Prop, error)      { return nil, errNeedFull }
func (g spvGame) History(game.ID) ([]game.Event, error)         { return nil, errNeedFull }
func (g spvGame) Auctions() ([]rpc.GameAuction, error)          { return nil, errNeedFull }
func (g spvGame) Producers(rpc.GameProducerQuery) ([]game.Producer, int, error) {
	return nil, 0, errNeedFull
}
func (g spvGame) PropsByProducer(game.ID, int, int) ([]game.Prop, int, error) {
	return nil, 0, errNeedFull
}

func (g spvGame) WalletLoaded() bool { return g.s.Wallet != nil && g.s.Wallet.Loaded() }
func (g spvGame) w() *wallet.Wallet  { return g.s.Wallet.Wallet() }

// Auction implements rpc.GameBackend: a light node has no mempool, so
// it knows no live auction but the wallet's own listings (shown by
// their OnSale coins); prop.auction itself is forwarded.
func (g spvGame) Auction(game.ID) (*rpc.GameAuction, error) { return nil, nil }

// Owned implements rpc.GameBackend from the wallet alone: the objects'
// registry records (a full node's) are left out.
func (g spvGame) Owned(account string) ([]rpc.GameOwned, error) {
	cs, err := g.w().GameCoins(account)
	if err != nil {
		return nil, gameErr(err)
	}
	out := make([]rpc.GameOwned, 0, len(cs))
	for _, c := range cs {
		out = append(out, rpc.GameOwned{Object: c.Object, OutPoint: c.OutPoint, Value: int64(c.Value), PkScript: c.PkScript,
			Account: c.Account, Height: c.Height, OnSale: c.OnSale})
	}
	return out, nil
}

func (g spvGame) RegisterProducer(ctx context.Context, o rpc.GameOptions, info game.ProducerInfo) (*rpc.GameTx, error) {
	return result(g.w().RegisterProducer(ctx, walletOpts(o), info))
}

func (g spvGame) ChangeProducer(ctx context.Context, o rpc.GameOptions, id game.ID, info game.ProducerInfo, newOwner []byte) (*rpc.GameTx, error) {
	return result(g.w().ChangeProducer(ctx, walletOpts(o), id, info, newOwner))
}

func (g spvGame) CreateProps(ctx context.Context, o rpc.GameOptions, producer game.ID, props []rpc.GamePropSpec) (*rpc.GameTx, error) {
	specs := make([]wallet.PropSpec, len(props))
	for i, p := range props {
		specs[i] = wallet.PropSpec{OID: p.OID, Gold: p.Gold, PkScript: p.PkScript}
	}
	return result(g.w().CreateProps(ctx, walletOpts(o), producer, specs))
}

func (g spvGame) SendProps(ctx context.Context, o rpc.GameOptions, moves []rpc.GameMove) (*rpc.GameTx, error) {
	ms := make([]wallet.PropMoveSpec, len(moves))
	for i, m := range moves {
		ms[i] = wallet.PropMoveSpec{Prop: m.Prop, PkScript: m.PkScript}
	}
	return result(g.w().SendProps(ctx, walletOpts(o), ms))
}

func (g spvGame) DestroyProps(ctx context.Context, o rpc.GameOptions, ids []game.ID) (*rpc.GameTx, error) {
	return result(g.w().DestroyProps(ctx, walletOpts(o), ids))
}

// Sale implements rpc.GameBackend without the mempool check a full node
// makes (a listing already live is refused by the peers instead).
func (g spvGame) Sale(ctx context.Context, o rpc.GameOptions, prop game.ID, buyNow, reserve int64, end uint32) (*rpc.GameTx, error) {
	return result(g.w().Sale(ctx, walletOpts(o), prop, buyNow, reserve, end, g.TipHeight()))
}

// Bid implements rpc.GameBackend through the --spv-rpc full node: the
// live auction (prop.byid), its transaction (getrawtransaction) and its
// fee (getrawmempool) come from the full node's mempool, the bid is
// built and signed by the wallet here and broadcast to the peers. The
// fee of what spends the auction's transaction in that mempool is not
// known over RPC: if one does, the bid pays too little to replace it and
// the full node refuses it (its error is returned, nothing is guessed).
// Without --spv-rpc it is unavailable: a light node sees no auctions.
func (g spvGame) Bid(ctx context.Context, o rpc.GameOptions, prop game.ID, price int64) (*rpc.GameTx, error) {
	full := g.s.full
	if full == nil {
		return nil, unavailable("prop.bid")
	}
	var pj struct {
		Gold    rpc.GG `json:"gold"`
		Status  string `json:"status"`
		Auction *struct {
			TxID   string `json:"txid"`
			Seller string `json:"seller"`
			BuyNow rpc.GG `json:"buynow"`
			Bid    rpc.GG `json:"bid"`
		} `json:"auction"`
	}
	if err := full.Call(ctx, "prop.byid", &pj, prop.String()); err != nil {
		return nil, fullErr("prop.byid", err)
	}
	if pj.Status != game.PropLive.String() {
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "no live prop %s", prop)
	}
	a := pj.Auction
	if a == nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "prop %s is not on sale", prop)
	}
	if a.Bid >= a.BuyNow {
		return nil, rpc.Errorf(rpc.CodeVerifyRejected, "%s: the best bid %s GG already reached the buy-now price",
			"game-auction-closed", amount.Amount(a.Bid))
	}
	var hexTx string
	if err := full.Call(ctx, "getrawtransaction", &hexTx, a.TxID); err != nil {
		return nil, fullErr("getrawtransaction", err)
	}
	tx, err := wire.DecodeTxHex(hexTx)
	if err != nil {
		return nil, fmt.Errorf("auction transaction %s from the full node: %w", a.TxID, err)
	}
	seller, err := address.Decode(a.Seller, g.s.cfg.Params)
	if err != nil {
		return nil, fmt.Errorf("auction seller %q from the full node: %w", a.Seller, err)
	}
	var pool map[string]struct {
		Fee rpc.GG `json:"fee"`
	}
	if err := full.Call(ctx, "getrawmempool", &pool, true); err != nil {
		return nil, fullErr("getrawmempool", err)
	}
	return result(g.w().Bid(ctx, walletOpts(o), wallet.BidRequest{Sale: tx, SellerScript: seller.PkScript(), Gold: int64(pj.Gold),
		Price: price, ReplacedFees: int64(pool[a.TxID].Fee)}))
}

// fullErr passes on the full node's RPC error, or says it did not answer.
func fullErr(method string, err error) error {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re
	}
	return rpc.Errorf(rpc.CodeUnavailableSPV, "%s: the full node (--spv-rpc) did not answer: %v", method, err)
}

// forwardable are the game methods that only read registries or the
// mempool: a light node may ask them of the full node.
func forwardable(method string) bool {
	switch method {
	case "cp.byId", "cp.byName", "cp.list", "prop.byid", "prop.byaddress", "prop.list", "prop.bidlist", "prop.history":
		return true
	}
	return false
}

// gameMethods are the game methods over spvGame: a call that needs a
// full node is forwarded whole (or refused).
func (s *SPVNode) gameMethods() []rpc.Method {
	ms := (&rpc.GameService{Params: s.cfg.Params, Backend: spvGame{s}}).Methods()
	for i := range ms {
		h, name := ms[i].Handler, ms[i].Name
		if !forwardable(name) {
			continue // a wallet's call: answered here or refused, never by another node's wallet
		}
		fwd := s.forward(name)
		ms[i].Handler = func(ctx context.Context, p json.RawMessage) (any, error) {
			out, err := h(ctx, p)
			if errors.Is(err, errNeedFull) || errorMentions(err, errNeedFull) {
				return fwd(ctx, p)
			}
			return out, err
		}
	}
	return ms
}

// errorMentions reports whether an RPC error was built from want (the
// game service wraps backend errors into *rpc.Error).
func errorMentions(err, want error) bool {
	var re *rpc.Error
	return errors.As(err, &re) && re.Message != "" && strings.Contains(re.Message, want.Error())
}
