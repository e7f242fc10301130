package game

import (
	"bytes"
	"errors"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/wire"
)

// fulfilSlot is one output the fulfil layout fixes: its script, and
// either a GG value or a prop whose gold it holds.
type fulfilSlot struct {
	pk     []byte
	value  int64 // GG outputs
	prop   ID    // prop carriers (value: the prop's gold)
	isProp bool
	obj    Object // annotation (zero for plain GG)
}

// fulfilSlots returns the outputs from index 1 a fulfil must have, in
// order: the escrow (or, in a swap, A's part to P2WPKH(b_key)), A's
// change, B's payment. The terms must encode.
func fulfilSlots(r *ContractFulfil, id ID) ([]fulfilSlot, error) {
	t := &r.Terms
	var slots []fulfilSlot
	var aTo []byte
	if t.IsSwap() {
		aTo = P2WPKHOf(t.BKey)
		if t.AGold > 0 {
			slots = append(slots, fulfilSlot{pk: aTo, value: int64(t.AGold)})
		}
	} else {
		var err error
		if aTo, err = EscrowPkScript(t); err != nil {
			return nil, err
		}
		if t.AGold > 0 {
			slots = append(slots, fulfilSlot{pk: aTo, value: int64(t.AGold), obj: Object{KindContract, id}})
		}
	}
	for _, p := range t.AProps {
		slots = append(slots, fulfilSlot{pk: aTo, prop: p, isProp: true, obj: Object{KindProp, p}})
	}
	if r.AChangeValue > 0 {
		slots = append(slots, fulfilSlot{pk: r.AChangeScript, value: int64(r.AChangeValue)})
	}
	if t.BGold > 0 {
		slots = append(slots, fulfilSlot{pk: r.AReceiveScript, value: int64(t.BGold)})
	}
	for _, p := range t.BProps {
		slots = append(slots, fulfilSlot{pk: r.AReceiveScript, prop: p, isProp: true, obj: Object{KindProp, p}})
	}
	return slots, nil
}

// FulfilOutputs returns the outputs a fulfil transaction of r must start
// with, in order: the record (output 0), then the escrow outputs (in a
// swap: A's gold and props to P2WPKH(b_key)), A's change, and B's
// payment to a_receive_script. gold gives each prop's gold. Further
// outputs (B's change) may follow. Wallets build the fulfil from it.
func FulfilOutputs(r *ContractFulfil, gold func(ID) (int64, error)) ([]*wire.TxOut, error) {
	rec, err := RecordOutput(r)
	if err != nil {
		return nil, err
	}
	id, err := ContractID(&r.Terms)
	if err != nil {
		return nil, err
	}
	slots, err := fulfilSlots(r, id)
	if err != nil {
		return nil, err
	}
	outs := []*wire.TxOut{rec}
	for _, s := range slots {
		v := s.value
		if s.isProp {
			if v, err = gold(s.prop); err != nil {
				return nil, err
			}
		}
		outs = append(outs, &wire.TxOut{Value: v, PkScript: bytes.Clone(s.pk)})
	}
	return outs, nil
}

// checkFulfil applies the stateless rules of a ContractFulfil in output
// idx of tx: record at output 0, valid terms, change and receive scripts
// present exactly when used and P2WPKH/P2WSH, and the output layout
// (scripts, GG values).
func checkFulfil(tx *wire.MsgTx, idx int, r *ContractFulfil) error {
	if idx != 0 {
		return ruleErr(CodeBadFulfil, "contract-fulfil record in output %d, want output 0", idx)
	}
	t := &r.Terms
	if err := CheckTerms(t); err != nil {
		return err
	}
	if r.AChangeValue > uint64(amount.MaxMoney) {
		return ruleErr(CodeBadFulfil, "a_change_value %d exceeds %d", r.AChangeValue, int64(amount.MaxMoney))
	}
	if r.AChangeValue > 0 {
		if !IsCarrierScript(r.AChangeScript) {
			return ruleErr(CodeBadFulfil, "a_change_script is not P2WPKH or P2WSH")
		}
	} else if len(r.AChangeScript) != 0 {
		return ruleErr(CodeBadFulfil, "a_change_script set without a change value")
	}
	if t.BGold > 0 || len(t.BProps) > 0 {
		if !IsCarrierScript(r.AReceiveScript) {
			return ruleErr(CodeBadFulfil, "a_receive_script is not P2WPKH or P2WSH")
		}
	} else if len(r.AReceiveScript) != 0 {
		return ruleErr(CodeBadFulfil, "a_receive_script set while B gives nothing on chain")
	}
	id, err := ContractID(t)
	if err != nil {
		return err
	}
	slots, err := fulfilSlots(r, id)
	if err != nil {
		return err
	}
	if len(tx.TxOut) < 1+len(slots) {
		return ruleErr(CodeBadFulfil, "fulfil has %d outputs, the terms need at least %d", len(tx.TxOut), 1+len(slots))
	}
	for i, s := range slots {
		o := tx.TxOut[1+i]
		if !bytes.Equal(o.PkScript, s.pk) {
			return ruleErr(CodeBadFulfil, "output %d does not pay the script the terms require", 1+i)
		}
		if !s.isProp && o.Value != s.value {
			return ruleErr(CodeBadFulfil, "output %d holds %d dust, the terms require %d", 1+i, o.Value, s.value)
		}
	}
	return nil
}

// checkExecute applies the stateless rules of a ContractExecute: the
// moves' outputs are carriers.
func checkExecute(tx *wire.MsgTx, idx int, r *ContractExecute) error {
	outs := make([]uint32, len(r.Moves))
	for i, m := range r.Moves {
		outs[i] = m.Out
	}
	return carriers(tx, idx, outs)
}

func (s *state) fulfil(r *ContractFulfil) (*Effect, error) {
	t := &r.Terms
	id, err := ContractID(t)
	if err != nil {
		return nil, err
	}
	want := make([]Object, 0, len(t.AProps)+len(t.BProps))
	for _, p := range t.AProps {
		want = append(want, Object{KindProp, p})
	}
	for _, p := range t.BProps {
		want = append(want, Object{KindProp, p})
	}
	if err := s.expect(want); err != nil {
		return nil, err
	}
	if int64(s.height) >= int64(t.Expiry) {
		return nil, ruleErr(CodeContractExpired, "contract %v expires at height %d, fulfil at %d", id, t.Expiry, s.height)
	}
	old, err := s.view.Contract(id)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, ruleErr(CodeContractExists, "contract %v was fulfilled at height %d", id, old.Height)
	}
	slots, err := fulfilSlots(r, id)
	if err != nil {
		return nil, err
	}
	swap := t.IsSwap()
	c := Contract{ID: id, Terms: cloneTerms(t), State: ContractFulfilled, FulfilTxid: s.txid, Height: s.height}
	if swap {
		c.State = ContractExchanged
	}
	e := &Effect{Props: make([]Prop, 0, len(want)), Events: make([]Event, 0, len(want)+1)}
	cobj := Object{KindContract, id}
	e.Events = append(e.Events, s.event(cobj, TypeContractFulfil, DestroyedVout, 0))
	for i, sl := range slots {
		vout := uint32(1 + i)
		if sl.obj.Kind == KindContract {
			c.Escrow = append(c.Escrow, wire.OutPoint{Hash: s.txid, Index: vout})
			e.Events[0].Vout = vout
		}
		if !sl.isProp {
			continue
		}
		old, err := s.liveProp(sl.prop)
		if err != nil {
			return nil, err
		}
		op, out := s.out(vout)
		if out.Value != old.Gold {
			return nil, ruleErr(CodeGoldChanged, "output %d carries prop %v with %d dust, its gold is %d", vout, sl.prop, out.Value, old.Gold)
		}
		p := *old
		p.Outpoint, p.Owner, p.Updated = op, out.PkScript, s.height
		if !swap && slicesContainsID(t.AProps, sl.prop) {
			p.Status, p.Contract = PropEscrow, id
			c.Escrow = append(c.Escrow, op)
		}
		e.Props = append(e.Props, p)
		e.Events = append(e.Events, s.event(sl.obj, TypeContractFulfil, vout, 0))
	}
	e.Contracts = []Contract{c}
	return e, nil
}

func slicesContainsID(ids []ID, id ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func cloneTerms(t *Terms) Terms {
	c := *t
	c.AKey, c.BKey, c.Hash = bytes.Clone(t.AKey), bytes.Clone(t.BKey), bytes.Clone(t.Hash)
	c.AProps, c.BProps = append([]ID(nil), t.AProps...), append([]ID(nil), t.BProps...)
	return c
}

func (s *state) execute(r *ContractExecute) (*Effect, error) {
	c, err := s.view.Contract(r.Contract)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, ruleErr(CodeContractState, "contract %v is not fulfilled on chain", r.Contract)
	}
	if c.State != ContractFulfilled {
		return nil, ruleErr(CodeContractState, "contract %v is %v, not an open escrow", r.Contract, c.State)
	}
	t := &c.Terms
	want := make([]Object, 0, len(t.AProps)+1)
	if t.AGold > 0 {
		want = append(want, Object{KindContract, c.ID})
	}
	for _, p := range t.AProps {
		want = append(want, Object{KindProp, p})
	}
	if err := s.expect(want); err != nil {
		return nil, err
	}
	// Every escrow output is spent, each with the witness of the path.
	var preimage []byte
	for _, op := range c.Escrow {
		in := -1
		for i, ti := range s.tx.TxIn {
			if ti.PreviousOutPoint == op {
				in = i
				break
			}
		}
		if in < 0 {
			return nil, ruleErr(CodeEscrowNotSpent, "escrow output %v of contract %v is not spent", op, c.ID)
		}
		w := s.tx.TxIn[in].Witness
		path, err := EscrowPath(w, t)
		if err != nil {
			var re *RuleError
			if errors.As(err, &re) {
				return nil, ruleErr(re.Code, "input %d: %s", in, re.Message)
			}
			return nil, err
		}
		if path != r.Path {
			return nil, ruleErr(CodeEscrowPath, "input %d uses the %v path, the record names %v", in, path, r.Path)
		}
		if path == PathClaim && preimage == nil {
			preimage = append([]byte{}, w[1]...)
		}
	}
	switch r.Path {
	case PathClaim:
		if len(t.Hash) == 0 {
			return nil, ruleErr(CodeBadPath, "contract %v has no hash lock to claim", c.ID)
		}
		if int64(s.height) >= int64(t.Expiry) {
			return nil, ruleErr(CodeContractExpired, "claim of contract %v at height %d, expiry %d", c.ID, s.height, t.Expiry)
		}
	case PathRefund:
		if int64(s.height) < int64(t.Expiry) {
			return nil, ruleErr(CodeContractNotExpired, "refund of contract %v at height %d, before expiry %d", c.ID, s.height, t.Expiry)
		}
	}
	// The moves release exactly the escrowed props.
	if len(r.Moves) != len(t.AProps) {
		return nil, ruleErr(CodeObjectNotCarried, "the record moves %d props, the escrow holds %d", len(r.Moves), len(t.AProps))
	}
	e := &Effect{Props: make([]Prop, 0, len(r.Moves)), Events: make([]Event, 0, len(r.Moves)+1)}
	for _, m := range r.Moves {
		if !slicesContainsID(t.AProps, m.Prop) {
			return nil, ruleErr(CodeObjectNotCarried, "the record moves prop %v, which the escrow does not hold", m.Prop)
		}
		for _, p := range e.Props {
			if p.ID == m.Prop {
				return nil, ruleErr(CodeObjectNotCarried, "the record moves prop %v twice", m.Prop)
			}
		}
		old, err := s.view.Prop(m.Prop)
		if err != nil {
			return nil, err
		}
		if old == nil || old.Status != PropEscrow || old.Contract != c.ID {
			return nil, ruleErr(CodeUnknownObject, "prop %v is not in the escrow of contract %v", m.Prop, c.ID)
		}
		op, out := s.out(m.Out)
		if out.Value != old.Gold {
			return nil, ruleErr(CodeGoldChanged, "output %d carries prop %v with %d dust, its gold is %d", m.Out, m.Prop, out.Value, old.Gold)
		}
		p := *old
		p.Status, p.Contract = PropLive, ID{}
		p.Outpoint, p.Owner, p.Updated = op, out.PkScript, s.height
		e.Props = append(e.Props, p)
		e.Events = append(e.Events, s.event(Object{KindProp, m.Prop}, TypeContractExecute, m.Out, 0))
	}
	nc := *c
	nc.Terms = cloneTerms(t)
	nc.Escrow = append([]wire.OutPoint(nil), c.Escrow...)
	switch r.Path {
	case PathClaim:
		nc.State = ContractExchanged
	case PathRefund:
		nc.State = ContractRefunded
	case PathCoop:
		nc.State = ContractSettled
	}
	nc.SettleTxid, nc.SettleHeight, nc.Path, nc.Preimage = s.txid, s.height, r.Path, preimage
	e.Contracts = []Contract{nc}
	e.Events = append([]Event{s.event(Object{KindContract, c.ID}, TypeContractExecute, DestroyedVout, 0)}, e.Events...)
	return e, nil
}
