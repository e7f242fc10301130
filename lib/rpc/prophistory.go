package rpc

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
)

// A game object's owner history: the registries keep one event per
// transaction that touched the object (creation, transfers, sale
// settlements, contract moves, destruction) with the new carrier's
// output; the owner at each event is the script that output pays, read
// from the block (lib/node, through the transaction index when the node
// has one). No further index is needed: the registries already list
// the events, in chain order, and roll back with the chain.

// OutputScripts finds the script of a confirmed transaction's output.
type OutputScripts interface {
	// OutputScript returns output vout of transaction txid, confirmed in
	// the active chain's block at height.
	OutputScript(height int32, txid chainhash.Hash, vout uint32) ([]byte, error)
}

// eventJSON is one event of prop.history, with its owner when Outputs
// is set.
func (s *GameService) eventJSON(e game.Event) (GameEventJSON, error) {
	j := GameEventJSON{Op: e.Op.String(), Height: e.Height, TxID: e.Txid.String(), Price: GG(e.Price)}
	if e.Vout == game.DestroyedVout {
		return j, nil
	}
	v := int64(e.Vout)
	j.Vout = &v
	if s.Outputs != nil {
		pk, err := s.Outputs.OutputScript(e.Height, e.Txid, e.Vout)
		if err != nil {
			return j, Errorf(CodeDatabase, "owner of %s:%d: %v", e.Txid, e.Vout, err)
		}
		j.Owner = s.addr(pk)
	}
	return j, nil
}

// historyCursor is an event's place: height (4) || txid (32).
func historyCursor(e game.Event) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(e.Height)), e.Txid[:]...)
}

const historyCursorLen = 4 + chainhash.HashSize

// propHistoryPage answers /rest/game/prop/ID/history.json: a page of
// prop.history's events (owners included) after the cursor's event.
func (s *GameService) propHistoryPage(id game.ID, after []byte, limit int) (any, error) {
	evs, err := s.Backend.History(id)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		if p, err := s.Backend.Prop(id); err != nil {
			return nil, err
		} else if p == nil {
			if c, err := s.Backend.Producer(id); err != nil {
				return nil, err
			} else if c == nil {
				return nil, notFound("no prop or producer %s", id)
			}
		}
	}
	start := 0
	if after != nil {
		h := int32(binary.BigEndian.Uint32(after))
		var txid chainhash.Hash
		copy(txid[:], after[4:])
		// After the cursor's event; if a reorganisation took it away,
		// after every event at or below its height.
		start = len(evs)
		for i, e := range evs {
			if e.Height == h && e.Txid == txid {
				start = i + 1
				break
			}
			if e.Height > h {
				start = i
				break
			}
		}
	}
	out := struct {
		History []GameEventJSON `json:"history"`
		Next    *string         `json:"next"`
	}{History: []GameEventJSON{}}
	end := min(len(evs), start+limit)
	for _, e := range evs[start:end] {
		j, err := s.eventJSON(e)
		if err != nil {
			return nil, err
		}
		out.History = append(out.History, j)
	}
	if end < len(evs) {
		out.Next = restCursor(restPaged[restPropHistory], historyCursor(evs[end-1]))
	}
	return out, nil
}
