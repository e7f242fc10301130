package game

import (
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Annotate returns, per output of tx, the object the output carries
// according to tx's record (the zero Object for none), computed from the
// record alone. It returns nil when tx has no record, or a record
// FindRecord refuses (such a transaction is invalid anyway). Outputs a
// record names out of range are ignored. The chain, the mempool and the
// wallet all annotate coins this way.
func Annotate(tx *wire.MsgTx) []Object {
	for _, out := range tx.TxOut {
		if IsRecordScript(out.PkScript) {
			return AnnotateTxid(tx, tx.TxHash())
		}
	}
	return nil
}

// AnnotateTxid is Annotate for a caller that knows tx's txid.
func AnnotateTxid(tx *wire.MsgTx, txid chainhash.Hash) []Object {
	r, _, err := FindRecord(tx)
	if err != nil || r == nil {
		return nil
	}
	objs := make([]Object, len(tx.TxOut))
	any := false
	set := func(out uint32, o Object) {
		if int64(out) < int64(len(objs)) {
			objs[out] = o
			any = true
		}
	}
	switch r := r.(type) {
	case *ProducerRegister:
		set(r.Out, Object{KindProducer, ProducerID(txid, r.Out)})
	case *ProducerChange:
		set(r.Out, Object{KindProducer, r.Producer})
	case *PropCreate:
		set(r.ProducerOut, Object{KindProducer, r.Producer})
		for _, p := range r.Props {
			set(p.Out, Object{KindProp, PropID(txid, p.Out)})
		}
	case *PropSend:
		for _, m := range r.Moves {
			set(m.Out, Object{KindProp, m.Prop})
		}
	case *Sale:
		if len(tx.TxOut) >= 3 {
			set(2, Object{KindProp, r.Prop})
		}
	case *ContractFulfil:
		if id, err := ContractID(&r.Terms); err == nil {
			if slots, err := fulfilSlots(r, id); err == nil {
				for i, sl := range slots {
					if !sl.obj.IsZero() {
						set(uint32(1+i), sl.obj)
					}
				}
			}
		}
	case *ContractExecute:
		for _, m := range r.Moves {
			set(m.Out, Object{KindProp, m.Prop})
		}
	}
	if !any {
		return nil
	}
	return objs
}
