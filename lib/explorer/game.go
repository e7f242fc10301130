package explorer

import (
	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// gameMove is one output of a transaction carrying a game object: which
// object goes to which owner.
type gameMove struct {
	Vout  int    `json:"vout"`
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Owner string `json:"owner"`
	Value string `json:"value"`
}

// gameSale is a sale record's terms and, in the bid form, the bid.
type gameSale struct {
	Prop    string `json:"prop"`
	BuyNow  string `json:"buy_now"`
	Reserve string `json:"reserve"`
	End     uint32 `json:"end"`
	Bid     string `json:"bid,omitempty"`
	Seller  string `json:"seller,omitempty"`
}

// gameRecord is a transaction's game record as the tx page shows it.
type gameRecord struct {
	Type      string     `json:"type"`
	Producer  string     `json:"producer,omitempty"`
	Name      string     `json:"name,omitempty"`
	URL       string     `json:"url,omitempty"`
	OIDs      []string   `json:"oids,omitempty"`
	Destroyed []string   `json:"destroyed,omitempty"`
	Contract  string     `json:"contract,omitempty"`
	Path      string     `json:"path,omitempty"`
	Sale      *gameSale  `json:"sale,omitempty"`
	Moves     []gameMove `json:"moves"`
}

// decodeGame decodes the game record of a transaction (hex), nil when
// it has none.
func decodeGame(txHex string, params *chaincfg.Params) *gameRecord {
	tx, err := wire.DecodeTxHexLenient(txHex)
	if err != nil {
		return nil
	}
	r, _, err := game.FindRecord(tx)
	if err != nil || r == nil {
		return nil
	}
	owner := func(pk []byte) string {
		if a, ok := address.FromPkScript(pk, params); ok {
			return a.String()
		}
		return ""
	}
	g := &gameRecord{Type: r.Type().String(), Moves: []gameMove{}}
	switch r := r.(type) {
	case *game.ProducerRegister:
		g.Name, g.URL = r.Name, r.URL
	case *game.ProducerChange:
		g.Producer, g.Name, g.URL = r.Producer.String(), r.Name, r.URL
	case *game.PropCreate:
		g.Producer = r.Producer.String()
		for _, p := range r.Props {
			g.OIDs = append(g.OIDs, p.OID)
		}
	case *game.PropDestroy:
		for _, id := range r.Props {
			g.Destroyed = append(g.Destroyed, id.String())
		}
	case *game.Sale:
		s := &gameSale{Prop: r.Prop.String(), BuyNow: amount.Amount(r.BuyNow).Format(),
			Reserve: amount.Amount(r.Reserve).Format(), End: r.End}
		if _, bid, ok := game.SaleOf(tx); ok && len(tx.TxOut) >= 3 {
			s.Bid = amount.Amount(bid).Format()
			s.Seller = owner(tx.TxOut[1].PkScript)
		}
		g.Sale = s
	case *game.ContractFulfil:
		if id, err := game.ContractID(&r.Terms); err == nil {
			g.Contract = id.String()
		}
	case *game.ContractExecute:
		g.Contract, g.Path = r.Contract.String(), r.Path.String()
	}
	for i, o := range game.Annotate(tx) {
		if o.IsZero() {
			continue
		}
		out := tx.TxOut[i]
		g.Moves = append(g.Moves, gameMove{Vout: i, Kind: o.Kind.String(), ID: o.ID.String(),
			Owner: owner(out.PkScript), Value: amount.Amount(out.Value).Format()})
	}
	return g
}
