package msg

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/siphash"
	"github.com/gamegold/gg/lib/wire"
)

// Compact blocks (BIP152, version 2: short ids of wtxids, witness
// serialization).

// ShortIDSize is the size of a short transaction id.
const ShortIDSize = 6

// maxBlockTxs bounds the transactions a compact block can describe: the
// most that fit in a block.
const maxBlockTxs = wire.MaxBlockWeight / (wire.MinTxSize * 4)

// PrefilledTx is a transaction sent whole inside a compact block, with its
// index in the block.
type PrefilledTx struct {
	Index uint16
	Tx    *wire.MsgTx
}

// CmpctBlock is a block as its header, a nonce, the short ids of the
// transactions the receiver probably has and the others prefilled (at
// least the coinbase).
type CmpctBlock struct {
	Header    wire.BlockHeader
	Nonce     uint64
	ShortIDs  []uint64 // 48-bit values
	Prefilled []PrefilledTx
}

// Command implements Message.
func (m *CmpctBlock) Command() string { return CmdCmpctBlock }

// AppendPayload implements Message. Prefilled indexes are written
// differentially (each as the gap after the previous one).
func (m *CmpctBlock) AppendPayload(b []byte) []byte {
	b = m.Header.AppendTo(b)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = wire.AppendCompactSize(b, uint64(len(m.ShortIDs)))
	for _, id := range m.ShortIDs {
		var p [8]byte
		binary.LittleEndian.PutUint64(p[:], id)
		b = append(b, p[:ShortIDSize]...)
	}
	b = wire.AppendCompactSize(b, uint64(len(m.Prefilled)))
	prev := -1
	for _, p := range m.Prefilled {
		b = wire.AppendCompactSize(b, uint64(int(p.Index)-prev-1))
		prev = int(p.Index)
		b = p.Tx.AppendTo(b)
	}
	return b
}

// TxCount is the number of transactions of the block.
func (m *CmpctBlock) TxCount() int { return len(m.ShortIDs) + len(m.Prefilled) }

// ShortIDKeys returns the SipHash keys of the block's short ids: the
// first two little-endian words of sha256(header ‖ nonce).
func ShortIDKeys(h *wire.BlockHeader, nonce uint64) (k0, k1 uint64) {
	b := h.AppendTo(make([]byte, 0, wire.BlockHeaderSize+8))
	b = binary.LittleEndian.AppendUint64(b, nonce)
	s := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[8:16])
}

// ShortID is the 48-bit short id of a wtxid under the keys.
func ShortID(k0, k1 uint64, wtxid chainhash.Hash) uint64 {
	return siphash.Sum24(k0, k1, wtxid[:]) & (1<<48 - 1)
}

// GetBlockTxn asks for the transactions of a compact block at the given
// indexes (ascending; written differentially).
type GetBlockTxn struct {
	Block   chainhash.Hash
	Indexes []uint16
}

// Command implements Message.
func (m *GetBlockTxn) Command() string { return CmdGetBlockTxn }

// AppendPayload implements Message.
func (m *GetBlockTxn) AppendPayload(b []byte) []byte {
	b = append(b, m.Block[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.Indexes)))
	prev := -1
	for _, i := range m.Indexes {
		b = wire.AppendCompactSize(b, uint64(int(i)-prev-1))
		prev = int(i)
	}
	return b
}

// BlockTxn answers a GetBlockTxn with the transactions, in order.
type BlockTxn struct {
	Block chainhash.Hash
	Txs   []*wire.MsgTx
}

// Command implements Message.
func (m *BlockTxn) Command() string { return CmdBlockTxn }

// AppendPayload implements Message.
func (m *BlockTxn) AppendPayload(b []byte) []byte {
	b = append(b, m.Block[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.Txs)))
	for _, tx := range m.Txs {
		b = tx.AppendTo(b)
	}
	return b
}

// readIndexes reads n differentially encoded indexes, each ≤ 0xffff and
// below limit (when limit > 0).
func readIndexes(r *wire.Reader, cmd string, n, limit int, next func(i int, idx uint16) error) error {
	prev := -1
	for i := 0; i < n; i++ {
		d, err := r.CompactSize("index")
		if err != nil {
			return err
		}
		idx := uint64(prev) + 1 + d
		if prev < 0 {
			idx = d
		}
		if idx > 0xffff || (limit > 0 && idx >= uint64(limit)) {
			return malformedf(cmd, "index %d out of range", idx)
		}
		prev = int(idx)
		if err := next(i, uint16(idx)); err != nil {
			return err
		}
	}
	return nil
}

func readHash(r *wire.Reader, what string) (chainhash.Hash, error) {
	var h chainhash.Hash
	p, err := r.Bytes(32, what)
	if err != nil {
		return h, err
	}
	copy(h[:], p)
	return h, nil
}

func init() {
	register(CmdCmpctBlock, MaxPayload, func(r *wire.Reader) (Message, error) {
		m := &CmpctBlock{}
		var err error
		if m.Header, err = wire.ReadHeader(r); err != nil {
			return nil, err
		}
		if m.Nonce, err = r.Uint64("nonce"); err != nil {
			return nil, err
		}
		n, err := r.Count(ShortIDSize, "short id count")
		if err != nil {
			return nil, err
		}
		if n > maxBlockTxs {
			return nil, malformedf(CmdCmpctBlock, "%d short ids, limit %d", n, maxBlockTxs)
		}
		m.ShortIDs = make([]uint64, n)
		for i := range m.ShortIDs {
			p, err := r.Bytes(ShortIDSize, "short id")
			if err != nil {
				return nil, err
			}
			var w [8]byte
			copy(w[:], p)
			m.ShortIDs[i] = binary.LittleEndian.Uint64(w[:])
		}
		k, err := r.Count(1+wire.MinTxSize, "prefilled count")
		if err != nil {
			return nil, err
		}
		if n+k > maxBlockTxs {
			return nil, malformedf(CmdCmpctBlock, "%d transactions, limit %d", n+k, maxBlockTxs)
		}
		m.Prefilled = make([]PrefilledTx, k)
		err = readIndexes(r, CmdCmpctBlock, k, n+k, func(i int, idx uint16) error {
			tx, err := wire.ReadTx(r)
			m.Prefilled[i] = PrefilledTx{Index: idx, Tx: tx}
			return err
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdGetBlockTxn, MaxPayload, func(r *wire.Reader) (Message, error) {
		m := &GetBlockTxn{}
		var err error
		if m.Block, err = readHash(r, "block hash"); err != nil {
			return nil, err
		}
		n, err := r.Count(1, "index count")
		if err != nil {
			return nil, err
		}
		if n > maxBlockTxs {
			return nil, malformedf(CmdGetBlockTxn, "%d indexes, limit %d", n, maxBlockTxs)
		}
		m.Indexes = make([]uint16, n)
		err = readIndexes(r, CmdGetBlockTxn, n, 0, func(i int, idx uint16) error {
			m.Indexes[i] = idx
			return nil
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdBlockTxn, MaxPayload, func(r *wire.Reader) (Message, error) {
		m := &BlockTxn{}
		var err error
		if m.Block, err = readHash(r, "block hash"); err != nil {
			return nil, err
		}
		n, err := r.Count(wire.MinTxSize, "tx count")
		if err != nil {
			return nil, err
		}
		m.Txs = make([]*wire.MsgTx, n)
		for i := range m.Txs {
			if m.Txs[i], err = wire.ReadTx(r); err != nil {
				return nil, err
			}
		}
		return m, nil
	})
}
