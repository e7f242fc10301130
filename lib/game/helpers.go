package game

import (
	"bytes"
	"slices"

	"github.com/gamegold/gg/lib/wire"
)

// Canonicalize sorts the batches of r into the order Encode requires:
// PropCreate, PropSend and ContractExecute entries by output index,
// PropDestroy ids and ContractFulfil's prop lists bytewise. It does not
// remove duplicates (Encode still refuses them).
func Canonicalize(r Record) {
	switch r := r.(type) {
	case *PropCreate:
		slices.SortStableFunc(r.Props, func(a, b NewProp) int { return cmpU32(a.Out, b.Out) })
	case *PropSend:
		slices.SortStableFunc(r.Moves, func(a, b PropMove) int { return cmpU32(a.Out, b.Out) })
	case *PropDestroy:
		slices.SortFunc(r.Props, cmpID)
	case *ContractFulfil:
		slices.SortFunc(r.Terms.AProps, cmpID)
		slices.SortFunc(r.Terms.BProps, cmpID)
	case *ContractExecute:
		slices.SortStableFunc(r.Moves, func(a, b PropMove) int { return cmpU32(a.Out, b.Out) })
	}
}

func cmpID(a, b ID) int { return bytes.Compare(a[:], b[:]) }

// CanonicalizeTerms sorts the prop lists of t bytewise, as EncodeTerms
// requires.
func CanonicalizeTerms(t *Terms) {
	slices.SortFunc(t.AProps, cmpID)
	slices.SortFunc(t.BProps, cmpID)
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SaleOf returns tx's Sale record and, in the bid form (3 or more
// outputs), the bid: output 1's value (0 for a listing). ok is false when
// tx carries no well-formed Sale record in output 0.
func SaleOf(tx *wire.MsgTx) (sale *Sale, bid int64, ok bool) {
	r, idx, err := FindRecord(tx)
	if err != nil || idx != 0 {
		return nil, 0, false
	}
	s, ok := r.(*Sale)
	if !ok {
		return nil, 0, false
	}
	if len(tx.TxOut) >= 3 {
		bid = tx.TxOut[1].Value
	}
	return s, bid, true
}
