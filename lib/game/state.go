package game

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Producer is the registry record of a producer.
type Producer struct {
	ID ID
	ProducerInfo
	Outpoint wire.OutPoint // current carrier
	Owner    []byte        // carrier's pkScript: whoever can spend it owns the producer
	Value    int64         // carrier's value (the locked fee)
	Height   int32         // registered
	Updated  int32         // last changed (register, change, prop create)
}

// PropStatus is a prop's life state.
type PropStatus uint8

// Prop states.
const (
	PropLive      PropStatus = 1
	PropDestroyed PropStatus = 2
	PropEscrow    PropStatus = 3 // held by the escrow of contract Prop.Contract
)

// String returns "live", "destroyed", "escrow" or "status(n)".
func (s PropStatus) String() string {
	switch s {
	case PropLive:
		return "live"
	case PropDestroyed:
		return "destroyed"
	case PropEscrow:
		return "escrow"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Prop is the registry record of a prop.
type Prop struct {
	ID       ID
	Producer ID
	OID      string
	Gold     int64         // immutable: every carrier holds exactly this value
	Outpoint wire.OutPoint // current carrier; the last one once destroyed
	Owner    []byte        // carrier's pkScript; the last owner once destroyed
	Status   PropStatus
	Height   int32 // created
	Updated  int32 // last moved, sold or destroyed
	// LastPrice is the bid of the last settled auction, 0 for none.
	LastPrice int64
	// Contract is the contract whose escrow holds the prop while Status
	// is PropEscrow, else zero.
	Contract ID
}

// DestroyedVout is the Event.Vout of a destruction.
const DestroyedVout = ^uint32(0)

// Event is one history line: what one transaction did to one object.
type Event struct {
	Object Object
	Op     RecordType
	Height int32
	Txid   chainhash.Hash
	Vout   uint32 // the object's new carrier, DestroyedVout when destroyed
	Price  int64  // settled bid of a sale, else 0
}

// Effect is what a transaction does to the registries: the new full
// records of every object it touches, the names it frees and claims, and
// one history event per object. Apply FreeNames before ClaimNames.
type Effect struct {
	Producers  []Producer
	Props      []Prop
	FreeNames  []string // folded names released (rename)
	ClaimNames []string // folded names taken (register, rename)
	Contracts  []Contract
	Events     []Event
}

// View is read-only access to the registries as of the point where a
// transaction is checked (within a block: after the block's earlier
// transactions).
type View interface {
	// ProducerIDByName returns the producer holding the folded name.
	ProducerIDByName(folded string) (ID, bool, error)
	// Producer returns a producer, nil, nil when unknown.
	Producer(id ID) (*Producer, error)
	// Prop returns a prop (live, in escrow or destroyed), nil, nil when
	// unknown.
	Prop(id ID) (*Prop, error)
	// Contract returns a fulfilled contract, nil, nil when unknown.
	Contract(id ID) (*Contract, error)
}

// Coin is what CheckTx needs of a spent output.
type Coin struct {
	Value    int64
	PkScript []byte
	Object   Object // the zero Object for a plain coin
}

// Mode says where a transaction is checked.
type Mode uint8

// Modes of CheckTx.
const (
	// ModeBlock checks a transaction of a block: a sale must be a final
	// settlement (bid form).
	ModeBlock Mode = iota
	// ModePool checks a transaction for the mempool: a sale may be a
	// listing (1 input, 1 output) or a bid that is not final yet.
	ModePool
)

// IsListing reports whether tx has the shape of a sale listing (one
// input, one output); Sale records of that shape never enter a block.
func IsListing(tx *wire.MsgTx) bool { return len(tx.TxIn) == 1 && len(tx.TxOut) == 1 }

// CheckTx applies every game rule to tx (txid its hash) at height: the
// stateless ones (CheckRecord) and the contextual ones over view. spent
// holds, per input in order, the coin it spends (ignored for a
// coinbase). It returns the transaction's Effect, or nil when tx has no
// record. A violation is a *RuleError; other errors come from view.
//
// CheckTx is pure: it reads view and never changes it; the caller
// applies the Effect.
func CheckTx(tx *wire.MsgTx, txid chainhash.Hash, spent []Coin, height int32, view View,
	params *chaincfg.Params, mode Mode) (*Effect, error) {
	r, _, err := CheckRecord(tx, params)
	if err != nil {
		return nil, err
	}
	var carried []carriedObj
	if !tx.IsCoinBase() {
		if len(spent) != len(tx.TxIn) {
			return nil, fmt.Errorf("game: %d spent coins for %d inputs", len(spent), len(tx.TxIn))
		}
		for i, c := range spent {
			if !c.Object.IsZero() {
				carried = append(carried, carriedObj{c.Object, i})
			}
		}
	}
	if r == nil {
		if len(carried) > 0 {
			return nil, ruleErr(CodeObjectNoRecord, "input %d spends %v without a game record", carried[0].input, carried[0].obj)
		}
		return nil, nil
	}
	s := &state{tx: tx, txid: txid, spent: spent, height: height, view: view, params: params, mode: mode, carried: carried}
	switch r := r.(type) {
	case *ProducerRegister:
		return s.register(r)
	case *ProducerChange:
		return s.change(r)
	case *PropCreate:
		return s.create(r)
	case *PropSend:
		return s.send(r)
	case *PropDestroy:
		return s.destroy(r)
	case *Sale:
		return s.sale(r)
	case *ContractFulfil:
		return s.fulfil(r)
	case *ContractExecute:
		return s.execute(r)
	}
	return nil, ruleErr(CodeBadRecord, "unhandled record type %v", r.Type())
}

type carriedObj struct {
	obj   Object
	input int
}

type state struct {
	tx      *wire.MsgTx
	txid    chainhash.Hash
	spent   []Coin
	height  int32
	view    View
	params  *chaincfg.Params
	mode    Mode
	carried []carriedObj
}

// expect checks that the spent coins carry exactly want (as a set).
func (s *state) expect(want []Object) error {
	if len(s.carried) != len(want) {
		return s.mismatch(want)
	}
	for _, c := range s.carried {
		if !slices.Contains(want, c.obj) {
			return s.mismatch(want)
		}
	}
	// want has no duplicates (records are canonical) and carried has the
	// same length, so equal lengths and inclusion make the sets equal
	// unless carried repeats an object; rule that out too.
	for i := range s.carried {
		for j := i + 1; j < len(s.carried); j++ {
			if s.carried[i].obj == s.carried[j].obj {
				return s.mismatch(want)
			}
		}
	}
	return nil
}

func (s *state) mismatch(want []Object) error {
	for _, c := range s.carried {
		if !slices.Contains(want, c.obj) {
			return ruleErr(CodeObjectNotCarried, "input %d spends %v, which the record does not carry", c.input, c.obj)
		}
	}
	for _, w := range want {
		found := false
		for _, c := range s.carried {
			found = found || c.obj == w
		}
		if !found {
			return ruleErr(CodeObjectNotCarried, "the record names %v, which no input spends", w)
		}
	}
	return ruleErr(CodeObjectNotCarried, "an object is spent twice")
}

func (s *state) out(i uint32) (wire.OutPoint, *wire.TxOut) {
	return wire.OutPoint{Hash: s.txid, Index: i}, s.tx.TxOut[i]
}

func (s *state) event(o Object, op RecordType, vout uint32, price int64) Event {
	return Event{Object: o, Op: op, Height: s.height, Txid: s.txid, Vout: vout, Price: price}
}

func (s *state) producer(id ID) (*Producer, error) {
	p, err := s.view.Producer(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ruleErr(CodeUnknownObject, "producer %v is not registered", id)
	}
	return p, nil
}

func (s *state) liveProp(id ID) (*Prop, error) {
	p, err := s.view.Prop(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ruleErr(CodeUnknownObject, "prop %v does not exist", id)
	}
	if p.Status == PropEscrow {
		return nil, ruleErr(CodePropInEscrow, "prop %v is held by the escrow of contract %v", id, p.Contract)
	}
	if p.Status != PropLive {
		return nil, ruleErr(CodeUnknownObject, "prop %v is %v", id, p.Status)
	}
	return p, nil
}

func (s *state) nameFree(name string, self ID, selfOK bool) error {
	holder, ok, err := s.view.ProducerIDByName(FoldName(name))
	if err != nil {
		return err
	}
	if ok && !(selfOK && holder == self) {
		return ruleErr(CodeNameTaken, "producer name %q is taken by %v", name, holder)
	}
	return nil
}

func (s *state) register(r *ProducerRegister) (*Effect, error) {
	if err := s.expect(nil); err != nil {
		return nil, err
	}
	id := ProducerID(s.txid, r.Out)
	if err := s.nameFree(r.Name, id, false); err != nil {
		return nil, err
	}
	op, out := s.out(r.Out)
	p := Producer{ID: id, ProducerInfo: r.ProducerInfo, Outpoint: op, Owner: out.PkScript, Value: out.Value,
		Height: s.height, Updated: s.height}
	obj := Object{KindProducer, id}
	return &Effect{
		Producers:  []Producer{p},
		ClaimNames: []string{FoldName(r.Name)},
		Events:     []Event{s.event(obj, TypeProducerRegister, r.Out, 0)},
	}, nil
}

func (s *state) change(r *ProducerChange) (*Effect, error) {
	obj := Object{KindProducer, r.Producer}
	if err := s.expect([]Object{obj}); err != nil {
		return nil, err
	}
	old, err := s.producer(r.Producer)
	if err != nil {
		return nil, err
	}
	if err := s.nameFree(r.Name, r.Producer, true); err != nil {
		return nil, err
	}
	op, out := s.out(r.Out)
	p := *old
	p.ProducerInfo = r.ProducerInfo
	p.Outpoint, p.Owner, p.Value, p.Updated = op, out.PkScript, out.Value, s.height
	e := &Effect{Producers: []Producer{p}, Events: []Event{s.event(obj, TypeProducerChange, r.Out, 0)}}
	if oldF, newF := FoldName(old.Name), FoldName(r.Name); oldF != newF {
		e.FreeNames = []string{oldF}
		e.ClaimNames = []string{newF}
	}
	return e, nil
}

func (s *state) create(r *PropCreate) (*Effect, error) {
	pobj := Object{KindProducer, r.Producer}
	if err := s.expect([]Object{pobj}); err != nil {
		return nil, err
	}
	old, err := s.producer(r.Producer)
	if err != nil {
		return nil, err
	}
	op, out := s.out(r.ProducerOut)
	p := *old
	p.Outpoint, p.Owner, p.Value, p.Updated = op, out.PkScript, out.Value, s.height
	e := &Effect{Producers: []Producer{p}, Props: make([]Prop, 0, len(r.Props)),
		Events: make([]Event, 0, len(r.Props)+1)}
	e.Events = append(e.Events, s.event(pobj, TypePropCreate, r.ProducerOut, 0))
	for _, np := range r.Props {
		op, out := s.out(np.Out)
		id := PropID(s.txid, np.Out)
		e.Props = append(e.Props, Prop{ID: id, Producer: r.Producer, OID: np.OID, Gold: out.Value,
			Outpoint: op, Owner: out.PkScript, Status: PropLive, Height: s.height, Updated: s.height})
		e.Events = append(e.Events, s.event(Object{KindProp, id}, TypePropCreate, np.Out, 0))
	}
	return e, nil
}

func (s *state) send(r *PropSend) (*Effect, error) {
	want := make([]Object, len(r.Moves))
	for i, m := range r.Moves {
		want[i] = Object{KindProp, m.Prop}
	}
	if err := s.expect(want); err != nil {
		return nil, err
	}
	e := &Effect{Props: make([]Prop, 0, len(r.Moves)), Events: make([]Event, 0, len(r.Moves))}
	for i, m := range r.Moves {
		old, err := s.liveProp(m.Prop)
		if err != nil {
			return nil, err
		}
		op, out := s.out(m.Out)
		if out.Value != old.Gold {
			return nil, ruleErr(CodeGoldChanged, "output %d carries prop %v with %d dust, its gold is %d", m.Out, m.Prop, out.Value, old.Gold)
		}
		p := *old
		p.Outpoint, p.Owner, p.Updated = op, out.PkScript, s.height
		e.Props = append(e.Props, p)
		e.Events = append(e.Events, s.event(want[i], TypePropSend, m.Out, 0))
	}
	return e, nil
}

func (s *state) destroy(r *PropDestroy) (*Effect, error) {
	want := make([]Object, len(r.Props))
	for i, id := range r.Props {
		want[i] = Object{KindProp, id}
	}
	if err := s.expect(want); err != nil {
		return nil, err
	}
	e := &Effect{Props: make([]Prop, 0, len(r.Props)), Events: make([]Event, 0, len(r.Props))}
	for i, id := range r.Props {
		old, err := s.liveProp(id)
		if err != nil {
			return nil, err
		}
		p := *old
		p.Status, p.Updated = PropDestroyed, s.height
		e.Props = append(e.Props, p)
		e.Events = append(e.Events, s.event(want[i], TypePropDestroy, DestroyedVout, 0))
	}
	return e, nil
}

func (s *state) sale(r *Sale) (*Effect, error) {
	obj := Object{KindProp, r.Prop}
	if err := s.expect([]Object{obj}); err != nil {
		return nil, err
	}
	if s.carried[0].input != 0 {
		return nil, ruleErr(CodeBadSale, "the prop on sale is spent by input %d, want input 0", s.carried[0].input)
	}
	old, err := s.liveProp(r.Prop)
	if err != nil {
		return nil, err
	}
	if r.BuyNow <= uint64(old.Gold) {
		return nil, ruleErr(CodeBadSale, "buy-now price %d not above the prop's gold %d", r.BuyNow, old.Gold)
	}
	if int64(s.height) > int64(r.End)+int64(s.params.AuctionGrace) {
		return nil, ruleErr(CodeAuctionExpired, "sale ended at height %d, grace %d, now %d", r.End, s.params.AuctionGrace, s.height)
	}
	if IsListing(s.tx) {
		if s.mode != ModePool {
			return nil, ruleErr(CodeSaleListing, "a sale listing cannot be mined")
		}
		return &Effect{}, nil
	}
	if len(s.tx.TxOut) < 3 {
		return nil, ruleErr(CodeBadSale, "sale with %d inputs and %d outputs: want a listing (1 and 1) or a bid (3 or more outputs)",
			len(s.tx.TxIn), len(s.tx.TxOut))
	}
	pay := s.tx.TxOut[1]
	if !bytes.Equal(pay.PkScript, s.spent[0].PkScript) {
		return nil, ruleErr(CodeSellerNotPaid, "output 1 does not pay the seller's script")
	}
	bid := pay.Value
	if bid < old.Gold {
		return nil, ruleErr(CodeBidTooLow, "bid %d below the prop's gold %d", bid, old.Gold)
	}
	if uint64(bid) < r.Reserve {
		return nil, ruleErr(CodeBidTooLow, "bid %d below the reserve %d", bid, r.Reserve)
	}
	op, out := s.out(2)
	if out.Value != old.Gold {
		return nil, ruleErr(CodeGoldChanged, "output 2 carries prop %v with %d dust, its gold is %d", r.Prop, out.Value, old.Gold)
	}
	if s.mode == ModeBlock && uint64(bid) < r.BuyNow && int64(s.height) < int64(r.End) {
		return nil, ruleErr(CodeAuctionNotFinal, "bid %d below buy-now %d before end height %d (height %d)", bid, r.BuyNow, r.End, s.height)
	}
	p := *old
	p.Outpoint, p.Owner, p.Updated, p.LastPrice = op, out.PkScript, s.height, bid
	return &Effect{Props: []Prop{p}, Events: []Event{s.event(obj, TypeSale, 2, bid)}}, nil
}

// IsFinal reports whether a sale settlement (bid form) may be mined at
// height: bid ≥ buy-now or height ≥ end, and height ≤ end + grace.
func IsFinal(sale *Sale, bid int64, height int32, params *chaincfg.Params) bool {
	h := int64(height)
	if h > int64(sale.End)+int64(params.AuctionGrace) {
		return false
	}
	return uint64(bid) >= sale.BuyNow || h >= int64(sale.End)
}
