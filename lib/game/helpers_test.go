package game

import (
	"bytes"
	"crypto/sha256"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

var params = chaincfg.RegTestParams

// wpkh returns a P2WPKH script for a name.
func wpkh(name string) []byte {
	h := sha256.Sum256([]byte(name))
	return script.PayToWitnessPubKeyHash(h[:20])
}

func wsh(name string) []byte {
	h := sha256.Sum256([]byte(name))
	return script.PayToWitnessScriptHash(h[:])
}

func mustScript(r Record) []byte {
	s, err := RecordScript(r)
	if err != nil {
		panic(err)
	}
	return s
}

func out(v int64, pk []byte) *wire.TxOut { return &wire.TxOut{Value: v, PkScript: pk} }

func rec(r Record) *wire.TxOut { return out(0, mustScript(r)) }

// mkTx builds a tx with nIn inputs spending distinct fake outpoints.
func mkTx(nIn int, outs ...*wire.TxOut) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2}
	for i := range nIn {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte{byte(i), 7}), Index: uint32(i)},
			Sequence: wire.MaxTxInSequenceNum})
	}
	tx.TxOut = outs
	return tx
}

func idOf(s string) ID { return ID(sha256.Sum256([]byte(s))) }

// memView is an in-memory View.
type memView struct {
	names     map[string]ID
	producers map[ID]*Producer
	props     map[ID]*Prop
	contracts map[ID]*Contract
}

func newMemView() *memView {
	return &memView{names: map[string]ID{}, producers: map[ID]*Producer{}, props: map[ID]*Prop{}, contracts: map[ID]*Contract{}}
}

func (v *memView) Contract(id ID) (*Contract, error) {
	if c := v.contracts[id]; c != nil {
		cp := *c
		return &cp, nil
	}
	return nil, nil
}

func (v *memView) ProducerIDByName(f string) (ID, bool, error) {
	id, ok := v.names[f]
	return id, ok, nil
}

func (v *memView) Producer(id ID) (*Producer, error) {
	if p := v.producers[id]; p != nil {
		c := *p
		return &c, nil
	}
	return nil, nil
}

func (v *memView) Prop(id ID) (*Prop, error) {
	if p := v.props[id]; p != nil {
		c := *p
		return &c, nil
	}
	return nil, nil
}

// apply writes an effect into the view.
func (v *memView) apply(e *Effect) {
	if e == nil {
		return
	}
	for _, n := range e.FreeNames {
		delete(v.names, n)
	}
	for _, n := range e.ClaimNames {
		v.names[n] = e.Producers[0].ID
	}
	for _, p := range e.Producers {
		c := p
		v.producers[p.ID] = &c
	}
	for _, p := range e.Props {
		c := p
		v.props[p.ID] = &c
	}
	for _, c := range e.Contracts {
		cp := c
		v.contracts[c.ID] = &cp
	}
}

func eqBytes(a, b []byte) bool { return bytes.Equal(a, b) }

// fit gives tx at least n inputs (distinct fake outpoints).
func fit(tx *wire.MsgTx, n int) *wire.MsgTx {
	for i := len(tx.TxIn); i < n; i++ {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte{byte(i), 8}), Index: uint32(i)}})
	}
	return tx
}
