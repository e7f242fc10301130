package wire

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gamegold/gg/lib/chainhash"
)

const (
	// BlockHeaderSize is the serialized size of a header.
	BlockHeaderSize = 80
	// MaxBlockWeight is the BIP141 weight limit of a block.
	MaxBlockWeight = 4_000_000
	// MaxBlockSerializedSize bounds the full serialized size of a block.
	MaxBlockSerializedSize = 4_000_000
	// MinTxSize is the smallest possible serialized transaction.
	MinTxSize = 4 + 1 + minTxInSize + 1 + minTxOutSize + 4
)

// BlockHeader is the 80-byte block header.
type BlockHeader struct {
	Version    int32
	PrevBlock  chainhash.Hash
	MerkleRoot chainhash.Hash
	Timestamp  uint32
	Bits       uint32
	Nonce      uint32
}

// AppendTo appends the 80-byte serialization.
func (h *BlockHeader) AppendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(h.Version))
	b = append(b, h.PrevBlock[:]...)
	b = append(b, h.MerkleRoot[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.Timestamp)
	b = binary.LittleEndian.AppendUint32(b, h.Bits)
	return binary.LittleEndian.AppendUint32(b, h.Nonce)
}

// Bytes returns the 80-byte serialization.
func (h *BlockHeader) Bytes() []byte { return h.AppendTo(make([]byte, 0, BlockHeaderSize)) }

// BlockHash returns sha256d of the header.
func (h *BlockHeader) BlockHash() chainhash.Hash {
	var buf [BlockHeaderSize]byte
	return chainhash.DoubleHashH(h.AppendTo(buf[:0]))
}

// ReadHeader decodes an 80-byte header from r.
func ReadHeader(r *Reader) (BlockHeader, error) {
	var h BlockHeader
	p, err := r.Bytes(BlockHeaderSize, "block header")
	if err != nil {
		return h, decodeErr(ErrHeaderTooShort, "block header")
	}
	h.Version = int32(binary.LittleEndian.Uint32(p[0:]))
	copy(h.PrevBlock[:], p[4:36])
	copy(h.MerkleRoot[:], p[36:68])
	h.Timestamp = binary.LittleEndian.Uint32(p[68:])
	h.Bits = binary.LittleEndian.Uint32(p[72:])
	h.Nonce = binary.LittleEndian.Uint32(p[76:])
	return h, nil
}

// DecodeHeader decodes exactly 80 bytes.
func DecodeHeader(b []byte) (BlockHeader, error) {
	if len(b) != BlockHeaderSize {
		return BlockHeader{}, decodeErr(ErrHeaderTooShort, "block header")
	}
	return ReadHeader(NewReader(b))
}

// MsgBlock is a block: a header and its transactions.
type MsgBlock struct {
	Header       BlockHeader
	Transactions []*MsgTx
}

// BlockHash returns the hash of the block's header.
func (b *MsgBlock) BlockHash() chainhash.Hash { return b.Header.BlockHash() }

// AppendTo appends the full serialization (with witness data).
func (b *MsgBlock) AppendTo(p []byte) []byte {
	p = b.Header.AppendTo(p)
	p = AppendCompactSize(p, uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		p = tx.AppendTo(p)
	}
	return p
}

// AppendToNoWitness appends the stripped serialization.
func (b *MsgBlock) AppendToNoWitness(p []byte) []byte {
	p = b.Header.AppendTo(p)
	p = AppendCompactSize(p, uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		p = tx.AppendToNoWitness(p)
	}
	return p
}

// Bytes returns the full serialization.
func (b *MsgBlock) Bytes() []byte { return b.AppendTo(make([]byte, 0, b.SerializeSize())) }

// SerializeSize returns the full serialized size.
func (b *MsgBlock) SerializeSize() int {
	n := BlockHeaderSize + CompactSizeLen(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.SerializeSize()
	}
	return n
}

// SerializeSizeStripped returns the serialized size without witness data.
func (b *MsgBlock) SerializeSizeStripped() int {
	n := BlockHeaderSize + CompactSizeLen(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.SerializeSizeStripped()
	}
	return n
}

// Weight returns the BIP141 block weight.
func (b *MsgBlock) Weight() int {
	return b.SerializeSizeStripped()*(WitnessScaleFactor-1) + b.SerializeSize()
}

// DecodeBlock decodes exactly one block, rejecting trailing bytes and
// blocks larger than MaxBlockSerializedSize.
func DecodeBlock(b []byte) (*MsgBlock, error) {
	if len(b) > MaxBlockSerializedSize {
		return nil, decodeErr(ErrBlockTooBig, "block")
	}
	r := NewReader(b)
	h, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	n, err := r.Count(MinTxSize, "block tx count")
	if err != nil {
		return nil, err
	}
	blk := &MsgBlock{Header: h, Transactions: make([]*MsgTx, n)}
	for i := range n {
		if blk.Transactions[i], err = ReadTx(r); err != nil {
			return nil, fmt.Errorf("tx %d: %w", i, err)
		}
	}
	if err := r.Done("block"); err != nil {
		return nil, err
	}
	return blk, nil
}

// DecodeBlockHex decodes a hex-encoded block.
func DecodeBlockHex(s string) (*MsgBlock, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("wire: block hex: %w", err)
	}
	return DecodeBlock(b)
}
