package chain

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
)

// The contracts registry (bucket game-contracts): contract id ->
// uvarint(len) terms (game.EncodeTerms) || state (1) || fulfil txid (32)
// || fulfil height (uint32 BE) || uvarint(n) || n escrow outpoints (32 +
// uint32 BE) || settle txid (32) || settle height (uint32 BE) || path (1)
// || uvarint(len) preimage. Written through the block's journal like the
// other registries.

func encodeContract(c *game.Contract) ([]byte, error) {
	terms, err := game.EncodeTerms(&c.Terms)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(terms)+120+36*len(c.Escrow))
	b = binary.AppendUvarint(b, uint64(len(terms)))
	b = append(b, terms...)
	b = append(b, byte(c.State))
	b = append(b, c.FulfilTxid[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(c.Height))
	b = binary.AppendUvarint(b, uint64(len(c.Escrow)))
	for _, op := range c.Escrow {
		b = appendOutPoint(b, op)
	}
	b = append(b, c.SettleTxid[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(c.SettleHeight))
	b = append(b, byte(c.Path))
	b = binary.AppendUvarint(b, uint64(len(c.Preimage)))
	return append(b, c.Preimage...), nil
}

func decodeContract(id game.ID, v []byte) (*game.Contract, error) {
	r := &recReader{b: v}
	c := &game.Contract{ID: id}
	terms := r.bytes()
	if r.err != nil {
		return nil, r.err
	}
	t, err := game.DecodeTerms(terms)
	if err != nil {
		return nil, errCorrupt
	}
	c.Terms = *t
	c.State = game.ContractState(r.fixed(1)[0])
	switch c.State {
	case game.ContractFulfilled, game.ContractExchanged, game.ContractRefunded, game.ContractSettled:
	default:
		r.fail()
	}
	copy(c.FulfilTxid[:], r.fixed(32))
	c.Height = int32(r.u32())
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)/36) {
		return nil, errCorrupt
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		c.Escrow = append(c.Escrow, r.outPoint())
	}
	copy(c.SettleTxid[:], r.fixed(32))
	c.SettleHeight = int32(r.u32())
	c.Path = game.ContractPath(r.fixed(1)[0])
	switch c.Path {
	case 0, game.PathClaim, game.PathRefund, game.PathCoop:
	default:
		r.fail()
	}
	if p := r.bytes(); len(p) > 0 {
		c.Preimage = bytes.Clone(p)
	}
	return c, r.done()
}

// Contract implements game.View.
func (r *registry) Contract(id game.ID) (*game.Contract, error) {
	v := r.get(regContracts, id[:])
	if v == nil {
		return nil, nil
	}
	c, err := decodeContract(id, v)
	if err != nil {
		return nil, fmt.Errorf("chain: contract %v: %w", id, err)
	}
	return c, nil
}

func (r *registry) applyContracts(e *game.Effect) error {
	for i := range e.Contracts {
		c := &e.Contracts[i]
		v, err := encodeContract(c)
		if err != nil {
			return fmt.Errorf("chain: contract %v: %w", c.ID, err)
		}
		r.put(regContracts, append([]byte(nil), c.ID[:]...), v)
	}
	return nil
}

// Contract returns the contract id as fulfilled on chain (with its
// settlement, if any), or nil, nil: published and signed offers are not
// on chain.
func (c *Chain) Contract(id game.ID) (*game.Contract, error) {
	var ct *game.Contract
	err := c.db.View(func(tx *store.Tx) error {
		var err error
		ct, err = newRegistry(tx).Contract(id)
		return err
	})
	return ct, err
}

// ContractQuery filters and pages Contracts. Zero fields do not filter;
// Limit 0 means no limit.
type ContractQuery struct {
	State  game.ContractState // exact state
	Key    []byte             // a party's public key (a_key or b_key)
	Offset int
	Limit  int
}

// Contracts lists the on-chain contracts matching q in id order, and the
// number of matches before paging.
func (c *Chain) Contracts(q ContractQuery) ([]game.Contract, int, error) {
	var out []game.Contract
	total := 0
	err := c.db.View(func(tx *store.Tx) error {
		return tx.Bucket(regBucketNames[regContracts]).ForEach(func(k, v []byte) error {
			if len(k) != 32 {
				return fmt.Errorf("chain: contract key %x: %w", k, errCorrupt)
			}
			ct, err := decodeContract(game.ID(k), v)
			if err != nil {
				return fmt.Errorf("chain: contract %x: %w", k, err)
			}
			if q.State != 0 && ct.State != q.State {
				return nil
			}
			if q.Key != nil && !bytes.Equal(ct.Terms.AKey, q.Key) && !bytes.Equal(ct.Terms.BKey, q.Key) {
				return nil
			}
			total++
			if total > q.Offset && (q.Limit <= 0 || len(out) < q.Limit) {
				out = append(out, *ct)
			}
			return nil
		})
	})
	return out, total, err
}

// Contract implements game.View.
func (v *GameView) Contract(id game.ID) (ct *game.Contract, err error) {
	err = v.read(func(r *registry) error {
		ct, err = r.Contract(id)
		return err
	})
	return ct, err
}
