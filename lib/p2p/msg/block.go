package msg

import (
	"github.com/gamegold/gg/lib/wire"
)

// Block carries a full block (witness serialization).
type Block struct{ Block *wire.MsgBlock }

// Command implements Message.
func (m *Block) Command() string { return CmdBlock }

// AppendPayload implements Message.
func (m *Block) AppendPayload(b []byte) []byte { return m.Block.AppendTo(b) }

// RawBlock is a block message whose payload is a block's serialization
// already at hand (a stored block served as it is on disk); it decodes
// as a Block.
type RawBlock struct{ Bytes []byte }

// Command implements Message.
func (m *RawBlock) Command() string { return CmdBlock }

// AppendPayload implements Message.
func (m *RawBlock) AppendPayload(b []byte) []byte { return append(b, m.Bytes...) }

// Tx carries a transaction (witness serialization when it has one).
type Tx struct{ Tx *wire.MsgTx }

// Command implements Message.
func (m *Tx) Command() string { return CmdTx }

// AppendPayload implements Message.
func (m *Tx) AppendPayload(b []byte) []byte { return m.Tx.AppendTo(b) }

func init() {
	register(CmdBlock, wire.MaxBlockSerializedSize, func(r *wire.Reader) (Message, error) {
		h, err := wire.ReadHeader(r)
		if err != nil {
			return nil, err
		}
		n, err := r.Count(wire.MinTxSize, "block tx count")
		if err != nil {
			return nil, err
		}
		blk := &wire.MsgBlock{Header: h, Transactions: make([]*wire.MsgTx, n)}
		for i := range blk.Transactions {
			if blk.Transactions[i], err = wire.ReadTx(r); err != nil {
				return nil, err
			}
		}
		return &Block{blk}, nil
	})
	register(CmdTx, MaxPayload, func(r *wire.Reader) (Message, error) {
		tx, err := wire.ReadTx(r)
		if err != nil {
			return nil, err
		}
		return &Tx{tx}, nil
	})
}
