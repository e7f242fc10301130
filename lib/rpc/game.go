package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// The game methods (GameGold's cp.* and prop.* names): queries answered
// from the chain's registries and the mempool's auctions, actions built,
// signed and broadcast by the hosted wallet.

// GameAuction is a live auction in the mempool: the listing, or the best
// bid that replaced it.
type GameAuction struct {
	Sale   game.Sale
	TxID   chainhash.Hash
	Tx     *wire.MsgTx
	Seller []byte // the prop's owner script (input 0 spends it)
	Gold   int64
	Bid    int64  // 0 while only the listing exists
	Bidder []byte // output 2's script, nil for the listing
	Final  bool   // a block at the next height may settle it
}

// GameOptions are the common params of the game actions.
type GameOptions struct {
	Account string
	DryRun  bool
	// MaxFeeRate is the fee rate ceiling (dust per 1000 vbytes; zero:
	// the wallet's default, amount.NoMaxFeeRate: none).
	MaxFeeRate amount.Amount
}

// GamePropSpec is one prop of prop.create / prop.createlist.
type GamePropSpec struct {
	OID      string
	Gold     int64
	PkScript []byte // nil: a new address of the account
}

// GameMove is one transfer of prop.send / prop.sendlist.
type GameMove struct {
	Prop     game.ID
	PkScript []byte
}

// GameTx is what a game action built.
type GameTx struct {
	Tx      *wire.MsgTx
	Fee     amount.Amount
	Objects []game.Object
	Vouts   []uint32
	Sent    bool
}

// GameOwned is a producer or prop the wallet owns: its coin, and its
// registry record once mined (nil before).
type GameOwned struct {
	Object   game.Object
	OutPoint wire.OutPoint
	Value    int64
	PkScript []byte
	Account  string
	Height   int32 // -1 unconfirmed
	OnSale   bool
	Producer *game.Producer
	Prop     *game.Prop
	// Info is an unconfirmed producer's details, from its pending record.
	Info *game.ProducerInfo
}

// GameProducerQuery filters cp.list.
type GameProducerQuery struct {
	Prefix string // folded name prefix
	Class  string
	Owner  []byte
	Offset int
	Limit  int
}

// GameBackend is what the game methods need. lib/node implements it over
// the chain, the mempool and the hosted wallet.
type GameBackend interface {
	TipHeight() int32
	Producer(id game.ID) (*game.Producer, error)
	ProducerByName(name string) (*game.Producer, error)
	Producers(q GameProducerQuery) ([]game.Producer, int, error)
	Prop(id game.ID) (*game.Prop, error)
	PropsByOwner(pkScript []byte) ([]game.Prop, error)
	PropsByProducer(id game.ID, offset, limit int) ([]game.Prop, int, error)
	History(id game.ID) ([]game.Event, error)
	// Auction is the live auction of prop in the mempool, nil if none.
	Auction(prop game.ID) (*GameAuction, error)
	// Auctions lists every live auction in the mempool.
	Auctions() ([]GameAuction, error)

	// WalletLoaded reports whether a wallet is open; the actions and the
	// *.mine queries need one.
	WalletLoaded() bool
	Owned(account string) ([]GameOwned, error)
	RegisterProducer(ctx context.Context, o GameOptions, info game.ProducerInfo) (*GameTx, error)
	ChangeProducer(ctx context.Context, o GameOptions, id game.ID, info game.ProducerInfo, newOwner []byte) (*GameTx, error)
	CreateProps(ctx context.Context, o GameOptions, producer game.ID, props []GamePropSpec) (*GameTx, error)
	SendProps(ctx context.Context, o GameOptions, moves []GameMove) (*GameTx, error)
	DestroyProps(ctx context.Context, o GameOptions, ids []game.ID) (*GameTx, error)
	Sale(ctx context.Context, o GameOptions, prop game.ID, buyNow, reserve int64, end uint32) (*GameTx, error)
	// Bid bids price on prop's live auction: the backend passes the
	// listing or best bid and the seller's script to the wallet.
	Bid(ctx context.Context, o GameOptions, prop game.ID, price int64) (*GameTx, error)
}

// GameService implements the cp.* and prop.* methods.
type GameService struct {
	Params  *chaincfg.Params
	Backend GameBackend
	// Outputs, when set, gives prop.history each event's owner
	// (prophistory.go).
	Outputs OutputScripts
}

// ProducerJSON is a producer as the game methods show it.
type ProducerJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	IP       string `json:"ip"`
	Class    string `json:"class"`
	Share    uint8  `json:"share"`
	Owner    string `json:"owner"`
	OutPoint string `json:"outpoint"`
	Value    GG     `json:"value"`
	Height   int32  `json:"height"`
	Updated  int32  `json:"updated"`
	// Confirmed is false for a producer of the wallet whose registration
	// is not mined yet (cp.mine).
	Confirmed bool   `json:"confirmed"`
	Account   string `json:"account,omitempty"`
}

// PropJSON is a prop as the game methods show it.
type PropJSON struct {
	ID        string           `json:"id"`
	Producer  string           `json:"producer"`
	OID       string           `json:"oid"`
	Gold      GG               `json:"gold"`
	Owner     string           `json:"owner"`
	OutPoint  string           `json:"outpoint"`
	Status    string           `json:"status"`
	Height    int32            `json:"height"`
	Updated   int32            `json:"updated"`
	LastPrice GG               `json:"last_price"`
	Confirmed bool             `json:"confirmed"`
	Account   string           `json:"account,omitempty"`
	Auction   *GameAuctionJSON `json:"auction,omitempty"`
}

// GameAuctionJSON is a live auction.
type GameAuctionJSON struct {
	Prop    string `json:"prop"`
	TxID    string `json:"txid"`
	Seller  string `json:"seller"`
	Gold    GG     `json:"gold"`
	BuyNow  GG     `json:"buynow"`
	Reserve GG     `json:"reserve"`
	End     uint32 `json:"end"`
	Bid     GG     `json:"bid"`
	Bidder  string `json:"bidder,omitempty"`
	Final   bool   `json:"final"`
}

// GameEventJSON is one line of prop.history.
type GameEventJSON struct {
	Op     string `json:"op"`
	Height int32  `json:"height"`
	TxID   string `json:"txid"`
	Vout   *int64 `json:"vout"` // null when destroyed
	Price  GG     `json:"price"`
	// Owner is the address (or script hex) the object's new carrier
	// pays: its owner from this event on; absent when destroyed, or when
	// the node cannot read its blocks (GameService.Outputs unset).
	Owner string `json:"owner,omitempty"`
}

// GameTxJSON is a game action's result.
type GameTxJSON struct {
	TxID    string           `json:"txid"`
	Fee     GG               `json:"fee"`
	Sent    bool             `json:"sent"`
	Hex     string           `json:"hex,omitempty"` // dry runs
	Objects []GameObjectJSON `json:"objects"`
}

// GameObjectJSON names an object an action created or moved.
type GameObjectJSON struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Vout uint32 `json:"vout"`
}

// Methods returns the game methods.
func (s *GameService) Methods() []Method {
	const acct = " " + actionOptions
	return backendMethods("game", func() backendState { return s.Backend }, []backendMethod{
		{"cp.byId", "id", "a registered producer by id", s.cpByID, false},
		{"cp.byName", "name", "a registered producer by name (case-insensitive); registrations show once mined", s.cpByName, false},
		{"cp.list", "[prefix] [class] [owner] [skip=0] [count=100]", "registered producers by name, filtered by name prefix, class and owner address: {total, producers}", s.cpList, false},
		{"cp.mine", "[account=*]", "the wallet's producers, pending registrations included", s.cpMine, true},
		{"cp.create", "name [url] [ip] [class] [share=0]" + acct, "register a producer: the record and 1 GG locked in its output; returns {txid, fee, sent, objects} (hex with dryrun)", s.cpCreate, true},
		{"cp.change", "producer [name] [url] [ip] [class] [share] [address]" + acct, "change a producer the wallet owns (absent fields keep their value); a new owner address transfers it", s.cpChange, true},
		{"prop.byid", "id", "a prop (live or destroyed), with its live auction", s.propByID, false},
		{"prop.byaddress", "address", "the live props an address owns", s.propByAddress, false},
		{"prop.list", "[producer] [owner] [onsale=false] [skip=0] [count=100]", "props by producer or owner address; onsale lists the market of live auctions: {total, props}", s.propList, false},
		{"prop.bidlist", "[prop]", "live auctions in the mempool with their best bid (all, or one prop's)", s.propBidList, false},
		{"prop.history", "id", "what each transaction did to a prop or producer, oldest first", s.propHistory, false},
		{"prop.mine", "[account=*]", "the wallet's props, pending ones included, with their auctions", s.propMine, true},
		{"prop.create", "producer oid gold [address]" + acct, "create a prop of gold GG (at least 0.0001) for a producer the wallet owns", s.propCreate, true},
		{"prop.createlist", "producer props" + acct, "create up to 1000 props in one transaction; props: [{oid, gold, address}]", s.propCreateList, true},
		{"prop.send", "address prop" + acct, "send a prop the wallet owns to address", s.propSend, true},
		{"prop.sendlist", "moves" + acct, "send up to 1000 props in one transaction; moves: [{address, prop}]", s.propSendList, true},
		{"prop.found", "prop" + acct, "destroy props (an id or a list): their gold returns to the wallet as plain coins", s.propFound, true},
		{"prop.sale", "prop buynow [reserve=0] [end=tip+auction period]" + acct, "offer a prop at auction (a listing that lives in the mempool; bids replace it)", s.propSale, true},
		{"prop.buy", "prop price" + acct, "bid price GG on a prop's live auction; at buy-now it settles in the next block", s.propBuy, true},
	})
}

// backendState is what backendMethods asks of a service's backend.
type backendState interface{ WalletLoaded() bool }

// backendMethod is one method of a service over a backend (the game and
// contract methods); wallet methods also need a loaded wallet.
type backendMethod struct {
	name, params, help string
	h                  Handler
	wallet             bool
}

// backendMethods makes the methods of defs. Each looks its backend up
// when called: without one it answers CodeMisc "<what> methods are not
// available on this node", and a wallet method without a loaded wallet
// ErrNoWallet.
func backendMethods(what string, backend func() backendState, defs []backendMethod) []Method {
	out := make([]Method, 0, len(defs))
	for _, d := range defs {
		h := d.h
		if d.wallet {
			next := h
			h = func(ctx context.Context, p json.RawMessage) (any, error) {
				if !backend().WalletLoaded() {
					return nil, ErrNoWallet()
				}
				return next(ctx, p)
			}
		}
		guarded := h
		h = func(ctx context.Context, p json.RawMessage) (any, error) {
			if backend() == nil {
				return nil, Errorf(CodeMisc, "%s methods are not available on this node", what)
			}
			return guarded(ctx, p)
		}
		out = append(out, Method{Name: d.name, Params: d.params, Help: d.help, Handler: h})
	}
	return out
}

// parseGameID parses an id param.
func parseGameID(s, name string) (game.ID, error) {
	id, err := game.ParseID(s)
	if err != nil {
		return game.ID{}, Errorf(CodeInvalidParam, "%s %q: want 64 hex digits", name, s)
	}
	return id, nil
}

// idParam parses the one param, "id", of a method asking for an id;
// name says whose id it is in the error.
func idParam(p json.RawMessage, name string) (game.ID, error) {
	var ids string
	if err := ParseParams(p, []string{"id"}, 1, &ids); err != nil {
		return game.ID{}, err
	}
	return parseGameID(ids, name)
}

// producerRef resolves a producer param: an id, or a registered name.
func (s *GameService) producerRef(ref string) (game.ID, error) {
	if id, err := game.ParseID(ref); err == nil {
		return id, nil
	}
	if game.CheckName(ref) != nil {
		return game.ID{}, Errorf(CodeInvalidParam, "producer %q: want an id (64 hex digits) or a name", ref)
	}
	p, err := s.Backend.ProducerByName(ref)
	if err != nil {
		return game.ID{}, err
	}
	if p == nil {
		return game.ID{}, Errorf(CodeInvalidAddress, "no producer named %q (a registration shows once mined)", ref)
	}
	return p.ID, nil
}

func (s *GameService) script(addr, name string) ([]byte, error) {
	a, err := address.Decode(addr, s.Params)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "invalid %s address %q: %v", name, addr, err)
	}
	pk := a.PkScript()
	if !game.IsCarrierScript(pk) {
		return nil, Errorf(CodeInvalidAddress, "%s address %q: game objects need a P2WPKH or P2WSH address", name, addr)
	}
	return pk, nil
}

func (s *GameService) addr(pk []byte) string {
	if a, ok := address.FromPkScript(pk, s.Params); ok {
		return a.String()
	}
	return hex.EncodeToString(pk)
}

func (s *GameService) producerJSON(p *game.Producer) *ProducerJSON {
	return &ProducerJSON{ID: p.ID.String(), Name: p.Name, URL: p.URL, IP: p.IP, Class: p.Class, Share: p.Share,
		Owner: s.addr(p.Owner), OutPoint: p.Outpoint.String(), Value: GG(p.Value), Height: p.Height, Updated: p.Updated, Confirmed: true}
}

func (s *GameService) propJSON(p *game.Prop) *PropJSON {
	return &PropJSON{ID: p.ID.String(), Producer: p.Producer.String(), OID: p.OID, Gold: GG(p.Gold), Owner: s.addr(p.Owner),
		OutPoint: p.Outpoint.String(), Status: p.Status.String(), Height: p.Height, Updated: p.Updated, LastPrice: GG(p.LastPrice), Confirmed: true}
}

func (s *GameService) auctionJSON(a *GameAuction) *GameAuctionJSON {
	j := &GameAuctionJSON{Prop: a.Sale.Prop.String(), TxID: a.TxID.String(), Seller: s.addr(a.Seller), Gold: GG(a.Gold),
		BuyNow: GG(int64(a.Sale.BuyNow)), Reserve: GG(int64(a.Sale.Reserve)), End: a.Sale.End, Bid: GG(a.Bid), Final: a.Final}
	if a.Bidder != nil {
		j.Bidder = s.addr(a.Bidder)
	}
	return j
}

// withAuction adds p's live auction, if any.
func (s *GameService) withAuction(j *PropJSON, id game.ID) error {
	a, err := s.Backend.Auction(id)
	if err != nil {
		return err
	}
	if a != nil {
		j.Auction = s.auctionJSON(a)
	}
	return nil
}

func (s *GameService) cpByID(_ context.Context, p json.RawMessage) (any, error) {
	id, err := idParam(p, "producer id")
	if err != nil {
		return nil, err
	}
	pr, err := s.Backend.Producer(id)
	if err != nil {
		return nil, err
	}
	if pr == nil {
		return nil, Errorf(CodeInvalidAddress, "no producer %s (a registration shows once mined)", id)
	}
	return s.producerJSON(pr), nil
}

func (s *GameService) cpByName(_ context.Context, p json.RawMessage) (any, error) {
	var name string
	if err := ParseParams(p, []string{"name"}, 1, &name); err != nil {
		return nil, err
	}
	if err := game.CheckName(name); err != nil {
		return nil, Errorf(CodeInvalidParam, "%s", ruleMsg(err))
	}
	pr, err := s.Backend.ProducerByName(name)
	if err != nil {
		return nil, err
	}
	if pr == nil {
		return nil, Errorf(CodeInvalidAddress, "no producer named %q (a registration shows once mined)", name)
	}
	return s.producerJSON(pr), nil
}

// ruleMsg is a game rule error without its code.
func ruleMsg(err error) string {
	if re, ok := err.(*game.RuleError); ok {
		return re.Message
	}
	return err.Error()
}

func pageParams(skip, count int) error {
	if skip < 0 || count < 0 || count > 1000 {
		return Errorf(CodeInvalidParam, "skip must be >= 0 and count 0 to 1000")
	}
	return nil
}

func (s *GameService) cpList(_ context.Context, p json.RawMessage) (any, error) {
	var prefix, class, owner string
	skip, count := 0, 100
	if err := ParseParams(p, []string{"prefix", "class", "owner", "skip", "count"}, 0, &prefix, &class, &owner, &skip, &count); err != nil {
		return nil, err
	}
	if err := pageParams(skip, count); err != nil {
		return nil, err
	}
	q := GameProducerQuery{Prefix: game.FoldName(prefix), Class: class, Offset: skip, Limit: count}
	if owner != "" {
		pk, err := s.script(owner, "owner")
		if err != nil {
			return nil, err
		}
		q.Owner = pk
	}
	ps, total, err := s.Backend.Producers(q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Total     int             `json:"total"`
		Producers []*ProducerJSON `json:"producers"`
	}{Total: total, Producers: []*ProducerJSON{}}
	if count == 0 {
		return out, nil
	}
	for i := range ps {
		out.Producers = append(out.Producers, s.producerJSON(&ps[i]))
	}
	return out, nil
}

func gameAccountParam(raw json.RawMessage, def string) (string, error) {
	acct := def
	if err := ParseParams(raw, []string{"account"}, 0, &acct); err != nil {
		return "", err
	}
	if acct == "" {
		acct = def
	}
	return acct, nil
}

// mine is what the wallet owns of kind, in the account the *.mine
// method's param names (default every account).
func (s *GameService) mine(p json.RawMessage, kind game.Kind) ([]GameOwned, error) {
	acct, err := gameAccountParam(p, walletAllAccounts)
	if err != nil {
		return nil, err
	}
	owned, err := s.Backend.Owned(acct)
	if err != nil {
		return nil, err
	}
	var out []GameOwned
	for _, o := range owned {
		if o.Object.Kind == kind {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *GameService) cpMine(_ context.Context, p json.RawMessage) (any, error) {
	owned, err := s.mine(p, game.KindProducer)
	if err != nil {
		return nil, err
	}
	out := []*ProducerJSON{}
	for _, o := range owned {
		var j *ProducerJSON
		if o.Producer != nil {
			j = s.producerJSON(o.Producer)
		} else {
			j = &ProducerJSON{ID: o.Object.ID.String(), Height: -1}
			if o.Info != nil {
				j.Name, j.URL, j.IP, j.Class, j.Share = o.Info.Name, o.Info.URL, o.Info.IP, o.Info.Class, o.Info.Share
			}
		}
		j.Owner, j.OutPoint, j.Value, j.Account = s.addr(o.PkScript), o.OutPoint.String(), GG(o.Value), o.Account
		j.Confirmed = o.Height >= 0 && o.Producer != nil
		out = append(out, j)
	}
	return out, nil
}

func (s *GameService) propMine(_ context.Context, p json.RawMessage) (any, error) {
	owned, err := s.mine(p, game.KindProp)
	if err != nil {
		return nil, err
	}
	out := []*PropJSON{}
	for _, o := range owned {
		var j *PropJSON
		if o.Prop != nil {
			j = s.propJSON(o.Prop)
		} else {
			j = &PropJSON{ID: o.Object.ID.String(), Gold: GG(o.Value), Status: game.PropLive.String(), Height: -1}
		}
		j.Owner, j.OutPoint, j.Account = s.addr(o.PkScript), o.OutPoint.String(), o.Account
		j.Confirmed = o.Height >= 0 && o.Prop != nil
		if err := s.withAuction(j, o.Object.ID); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func (s *GameService) propByID(_ context.Context, p json.RawMessage) (any, error) {
	id, err := idParam(p, "prop id")
	if err != nil {
		return nil, err
	}
	pr, err := s.Backend.Prop(id)
	if err != nil {
		return nil, err
	}
	if pr == nil {
		return nil, Errorf(CodeInvalidAddress, "no prop %s (a prop shows once its creation is mined)", id)
	}
	j := s.propJSON(pr)
	if err := s.withAuction(j, id); err != nil {
		return nil, err
	}
	return j, nil
}

func (s *GameService) propByAddress(_ context.Context, p json.RawMessage) (any, error) {
	var addr string
	if err := ParseParams(p, []string{"address"}, 1, &addr); err != nil {
		return nil, err
	}
	pk, err := s.script(addr, "owner")
	if err != nil {
		return nil, err
	}
	ps, err := s.Backend.PropsByOwner(pk)
	if err != nil {
		return nil, err
	}
	out := []*PropJSON{}
	for i := range ps {
		j := s.propJSON(&ps[i])
		if err := s.withAuction(j, ps[i].ID); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func (s *GameService) propList(_ context.Context, p json.RawMessage) (any, error) {
	var producer, owner string
	var onsale bool
	skip, count := 0, 100
	if err := ParseParams(p, []string{"producer", "owner", "onsale", "skip", "count"}, 0, &producer, &owner, &onsale, &skip, &count); err != nil {
		return nil, err
	}
	if err := pageParams(skip, count); err != nil {
		return nil, err
	}
	var pid game.ID
	var ownerPK []byte
	var err error
	if producer != "" {
		if pid, err = s.producerRef(producer); err != nil {
			return nil, err
		}
	}
	if owner != "" {
		if ownerPK, err = s.script(owner, "owner"); err != nil {
			return nil, err
		}
	}
	if !onsale && producer == "" && owner == "" {
		return nil, Errorf(CodeInvalidParam, "name a producer, an owner or onsale=true (prop.mine lists the wallet's props)")
	}
	var props []game.Prop
	total := 0
	switch {
	case onsale:
		as, err := s.Backend.Auctions()
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			pr, err := s.Backend.Prop(a.Sale.Prop)
			if err != nil {
				return nil, err
			}
			if pr == nil || (producer != "" && pr.Producer != pid) || (ownerPK != nil && !bytes.Equal(pr.Owner, ownerPK)) {
				continue
			}
			props = append(props, *pr)
		}
		total = len(props)
		props = page(props, skip, count)
	case producer != "" && ownerPK != nil:
		// The owner's live props of that producer, counted and paged
		// after the filter.
		all, err := s.Backend.PropsByOwner(ownerPK)
		if err != nil {
			return nil, err
		}
		all = filterProducer(all, pid)
		total, props = len(all), page(all, skip, count)
	case producer != "":
		if props, total, err = s.Backend.PropsByProducer(pid, skip, count); err != nil {
			return nil, err
		}
	default:
		all, err := s.Backend.PropsByOwner(ownerPK)
		if err != nil {
			return nil, err
		}
		total, props = len(all), page(all, skip, count)
	}
	out := struct {
		Total int         `json:"total"`
		Props []*PropJSON `json:"props"`
	}{Total: total, Props: []*PropJSON{}}
	for i := range props {
		j := s.propJSON(&props[i])
		if err := s.withAuction(j, props[i].ID); err != nil {
			return nil, err
		}
		out.Props = append(out.Props, j)
	}
	return out, nil
}

func page[T any](xs []T, skip, count int) []T {
	if skip >= len(xs) || count == 0 {
		return nil
	}
	return xs[skip:min(len(xs), skip+count)]
}

func filterProducer(ps []game.Prop, id game.ID) []game.Prop {
	var out []game.Prop
	for _, p := range ps {
		if p.Producer == id {
			out = append(out, p)
		}
	}
	return out
}

func (s *GameService) propBidList(_ context.Context, p json.RawMessage) (any, error) {
	var ids string
	if err := ParseParams(p, []string{"prop"}, 0, &ids); err != nil {
		return nil, err
	}
	out := []*GameAuctionJSON{}
	if ids != "" {
		id, err := parseGameID(ids, "prop id")
		if err != nil {
			return nil, err
		}
		a, err := s.Backend.Auction(id)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, s.auctionJSON(a))
		}
		return out, nil
	}
	as, err := s.Backend.Auctions()
	if err != nil {
		return nil, err
	}
	for i := range as {
		out = append(out, s.auctionJSON(&as[i]))
	}
	return out, nil
}

func (s *GameService) propHistory(_ context.Context, p json.RawMessage) (any, error) {
	id, err := idParam(p, "id")
	if err != nil {
		return nil, err
	}
	evs, err := s.Backend.History(id)
	if err != nil {
		return nil, err
	}
	out := []GameEventJSON{}
	for _, e := range evs {
		j, err := s.eventJSON(e)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// actionResult shapes a game action's result.
func (s *GameService) actionResult(t *GameTx, dry bool) *GameTxJSON {
	j := &GameTxJSON{TxID: t.Tx.TxHash().String(), Fee: GG(t.Fee), Sent: t.Sent, Objects: []GameObjectJSON{}}
	if dry {
		j.Hex = hex.EncodeToString(t.Tx.Bytes())
	}
	for i, o := range t.Objects {
		j.Objects = append(j.Objects, GameObjectJSON{Kind: o.Kind.String(), ID: o.ID.String(), Vout: t.Vouts[i]})
	}
	return j
}

// actionOptions are the params every game and contract action ends with.
const actionOptions = "[account=default] [dryrun=false] [maxfeerate=0.10]"

// gameOpts reads the params every action ends with: [account=default]
// [dryrun=false] [maxfeerate].
func gameOpts(acct string, dry bool, maxRate json.RawMessage) (GameOptions, error) {
	if acct == "" {
		acct = "default"
	}
	ceiling, err := parseMaxFeeRate(maxRate)
	if err != nil {
		return GameOptions{}, err
	}
	return GameOptions{Account: acct, DryRun: dry, MaxFeeRate: ceiling}, nil
}

// checkInfo validates producer details, naming the field.
func checkInfo(info *game.ProducerInfo) error {
	if err := game.CheckProducerInfo(info); err != nil {
		return Errorf(CodeInvalidParam, "%s", ruleMsg(err))
	}
	return nil
}

func (s *GameService) cpCreate(ctx context.Context, p json.RawMessage) (any, error) {
	var info game.ProducerInfo
	var share int
	var acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"name", "url", "ip", "class", "share", "account", "dryrun", "maxfeerate"}, 1,
		&info.Name, &info.URL, &info.IP, &info.Class, &share, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	if share < 0 || share > game.MaxShare {
		return nil, Errorf(CodeInvalidParam, "share %d: the media share is 0 to %d percent", share, game.MaxShare)
	}
	info.Share = uint8(share)
	if err := checkInfo(&info); err != nil {
		return nil, err
	}
	t, err := s.Backend.RegisterProducer(ctx, o, info)
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

func (s *GameService) cpChange(ctx context.Context, p json.RawMessage) (any, error) {
	var ref, acct, owner string
	var name, url, ip, class *string
	var share *int
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"producer", "name", "url", "ip", "class", "share", "address", "account", "dryrun", "maxfeerate"}, 1,
		&ref, &name, &url, &ip, &class, &share, &owner, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	id, err := s.producerRef(ref)
	if err != nil {
		return nil, err
	}
	var info game.ProducerInfo
	cur, err := s.Backend.Producer(id)
	if err != nil {
		return nil, err
	}
	if cur != nil {
		info = cur.ProducerInfo
	} else if name == nil {
		return nil, Errorf(CodeInvalidAddress, "producer %s is not registered yet: give every field (name, url, ip, class, share)", id)
	}
	for _, f := range []struct {
		v   *string
		dst *string
	}{{name, &info.Name}, {url, &info.URL}, {ip, &info.IP}, {class, &info.Class}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if share != nil {
		if *share < 0 || *share > game.MaxShare {
			return nil, Errorf(CodeInvalidParam, "share %d: the media share is 0 to %d percent", *share, game.MaxShare)
		}
		info.Share = uint8(*share)
	}
	if err := checkInfo(&info); err != nil {
		return nil, err
	}
	var pk []byte
	if owner != "" {
		if pk, err = s.script(owner, "new owner"); err != nil {
			return nil, err
		}
	}
	t, err := s.Backend.ChangeProducer(ctx, o, id, info, pk)
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

// goldParam parses a prop's gold in GG and checks the floor.
func goldParam(raw json.RawMessage, name string) (int64, error) {
	g, err := ParseAmountParam(raw, name)
	if err != nil {
		return 0, err
	}
	if g < game.MinPropGold {
		return 0, Errorf(CodeInvalidParam, "%s %s GG is below the minimum gold of %s GG", name, g, amount.Amount(game.MinPropGold))
	}
	return int64(g), nil
}

func (s *GameService) propCreate(ctx context.Context, p json.RawMessage) (any, error) {
	var ref, oid, addr, acct string
	var gold json.RawMessage
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"producer", "oid", "gold", "address", "account", "dryrun", "maxfeerate"}, 3,
		&ref, &oid, &gold, &addr, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	spec, err := s.propSpec(oid, gold, addr, "gold")
	if err != nil {
		return nil, err
	}
	return s.createProps(ctx, ref, []GamePropSpec{spec}, o)
}

func (s *GameService) propSpec(oid string, gold json.RawMessage, addr, name string) (GamePropSpec, error) {
	if len(oid) > game.MaxOIDLen {
		return GamePropSpec{}, Errorf(CodeInvalidParam, "oid of %d bytes: at most %d", len(oid), game.MaxOIDLen)
	}
	g, err := goldParam(gold, name)
	if err != nil {
		return GamePropSpec{}, err
	}
	spec := GamePropSpec{OID: oid, Gold: g}
	if addr != "" {
		if spec.PkScript, err = s.script(addr, "owner"); err != nil {
			return GamePropSpec{}, err
		}
	}
	return spec, nil
}

func (s *GameService) createProps(ctx context.Context, ref string, specs []GamePropSpec, o GameOptions) (any, error) {
	id, err := s.producerRef(ref)
	if err != nil {
		return nil, err
	}
	t, err := s.Backend.CreateProps(ctx, o, id, specs)
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

func (s *GameService) propCreateList(ctx context.Context, p json.RawMessage) (any, error) {
	var ref, acct string
	var items []struct {
		OID     string          `json:"oid"`
		Gold    json.RawMessage `json:"gold"`
		Address string          `json:"address"`
	}
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"producer", "props", "account", "dryrun", "maxfeerate"}, 2, &ref, &items, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > game.MaxBatch {
		return nil, Errorf(CodeInvalidParam, "%d props: want 1 to %d", len(items), game.MaxBatch)
	}
	specs := make([]GamePropSpec, len(items))
	for i, it := range items {
		if len(it.Gold) == 0 {
			return nil, Errorf(CodeInvalidParam, "props[%d]: missing gold", i)
		}
		spec, err := s.propSpec(it.OID, it.Gold, it.Address, "props["+strconv.Itoa(i)+"].gold")
		if err != nil {
			return nil, err
		}
		specs[i] = spec
	}
	return s.createProps(ctx, ref, specs, o)
}

func (s *GameService) propSend(ctx context.Context, p json.RawMessage) (any, error) {
	var addr, ids, acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"address", "prop", "account", "dryrun", "maxfeerate"}, 2, &addr, &ids, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	m, err := s.move(addr, ids)
	if err != nil {
		return nil, err
	}
	return s.sendProps(ctx, []GameMove{m}, o)
}

func (s *GameService) move(addr, ids string) (GameMove, error) {
	pk, err := s.script(addr, "recipient")
	if err != nil {
		return GameMove{}, err
	}
	id, err := parseGameID(ids, "prop id")
	if err != nil {
		return GameMove{}, err
	}
	return GameMove{Prop: id, PkScript: pk}, nil
}

func (s *GameService) sendProps(ctx context.Context, moves []GameMove, o GameOptions) (any, error) {
	t, err := s.Backend.SendProps(ctx, o, moves)
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

func (s *GameService) propSendList(ctx context.Context, p json.RawMessage) (any, error) {
	var items []struct {
		Address string `json:"address"`
		Prop    string `json:"prop"`
	}
	var acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"moves", "account", "dryrun", "maxfeerate"}, 1, &items, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > game.MaxBatch {
		return nil, Errorf(CodeInvalidParam, "%d moves: want 1 to %d", len(items), game.MaxBatch)
	}
	moves := make([]GameMove, len(items))
	for i, it := range items {
		m, err := s.move(it.Address, it.Prop)
		if err != nil {
			return nil, err
		}
		moves[i] = m
	}
	return s.sendProps(ctx, moves, o)
}

func (s *GameService) propFound(ctx context.Context, p json.RawMessage) (any, error) {
	var raw json.RawMessage
	var acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"prop", "account", "dryrun", "maxfeerate"}, 1, &raw, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	var list []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, InvalidParams("param \"prop\": want a prop id or a list of them")
	}
	if len(list) == 0 || len(list) > game.MaxBatch {
		return nil, Errorf(CodeInvalidParam, "%d props: want 1 to %d", len(list), game.MaxBatch)
	}
	ids := make([]game.ID, len(list))
	for i, s := range list {
		id, err := parseGameID(s, "prop id")
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	t, err := s.Backend.DestroyProps(ctx, o, ids)
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

func (s *GameService) propSale(ctx context.Context, p json.RawMessage) (any, error) {
	var ids, acct string
	var buyNow, reserve json.RawMessage
	var end int64
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"prop", "buynow", "reserve", "end", "account", "dryrun", "maxfeerate"}, 2,
		&ids, &buyNow, &reserve, &end, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	id, err := parseGameID(ids, "prop id")
	if err != nil {
		return nil, err
	}
	bn, err := ParseAmountParam(buyNow, "buynow")
	if err != nil {
		return nil, err
	}
	var res amount.Amount
	if !isAbsent(reserve) {
		if res, err = parseAmountOrZero(reserve, "reserve"); err != nil {
			return nil, err
		}
	}
	if res > bn {
		return nil, Errorf(CodeInvalidParam, "reserve %s GG above the buy-now price %s GG", res, bn)
	}
	tip := s.Backend.TipHeight()
	if end != 0 && (end <= int64(tip) || end > int64(tip)+1+2*int64(s.Params.AuctionPeriod)) {
		return nil, Errorf(CodeInvalidParam, "end height %d: want %d to %d (tip+1 to tip+1+2×auction period)", end, tip+1, int64(tip)+1+2*int64(s.Params.AuctionPeriod))
	}
	t, err := s.Backend.Sale(ctx, o, id, int64(bn), int64(res), uint32(end))
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}

func (s *GameService) propBuy(ctx context.Context, p json.RawMessage) (any, error) {
	var ids, acct string
	var price json.RawMessage
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"prop", "price", "account", "dryrun", "maxfeerate"}, 2, &ids, &price, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	id, err := parseGameID(ids, "prop id")
	if err != nil {
		return nil, err
	}
	v, err := ParseAmountParam(price, "price")
	if err != nil {
		return nil, err
	}
	t, err := s.Backend.Bid(ctx, o, id, int64(v))
	if err != nil {
		return nil, err
	}
	return s.actionResult(t, o.DryRun), nil
}
