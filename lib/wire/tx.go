package wire

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/gamegold/gg/lib/chainhash"
)

const (
	// MaxTxInSequenceNum is the sequence number that disables relative and
	// absolute lock times for an input.
	MaxTxInSequenceNum uint32 = 0xffffffff
	// MaxPrevOutIndex is the previous output index of a coinbase input.
	MaxPrevOutIndex uint32 = 0xffffffff

	// SequenceLockTimeDisabled (bit 31) turns BIP68 off for an input.
	SequenceLockTimeDisabled uint32 = 1 << 31
	// SequenceLockTimeIsSeconds (bit 22) selects 512-second units.
	SequenceLockTimeIsSeconds uint32 = 1 << 22
	// SequenceLockTimeMask keeps the 16-bit relative lock value.
	SequenceLockTimeMask uint32 = 0x0000ffff
	// SequenceLockTimeGranularity is log2(512) for time-based locks.
	SequenceLockTimeGranularity = 9

	// WitnessScaleFactor is the BIP141 weight of a non-witness byte.
	WitnessScaleFactor = 4

	minTxInSize  = 32 + 4 + 1 + 4 // outpoint, empty script, sequence
	minTxOutSize = 8 + 1
)

// OutPoint names one output of a transaction.
type OutPoint struct {
	Hash  chainhash.Hash
	Index uint32
}

// String formats the outpoint as "txid:index".
func (o OutPoint) String() string {
	return o.Hash.String() + ":" + strconv.FormatUint(uint64(o.Index), 10)
}

// ParseOutPoint reads "txid:index".
func ParseOutPoint(s string) (OutPoint, error) {
	h, idx, ok := strings.Cut(s, ":")
	if !ok {
		return OutPoint{}, fmt.Errorf("wire: outpoint %q: want txid:index", s)
	}
	hash, err := chainhash.NewHashFromStr(h)
	if err != nil {
		return OutPoint{}, fmt.Errorf("wire: outpoint %q: %w", s, err)
	}
	i, err := strconv.ParseUint(idx, 10, 32)
	if err != nil {
		return OutPoint{}, fmt.Errorf("wire: outpoint %q: bad index", s)
	}
	return OutPoint{Hash: hash, Index: uint32(i)}, nil
}

// TxWitness is the witness stack of one input.
type TxWitness [][]byte

// SerializeSize returns the encoded size of the witness.
func (w TxWitness) SerializeSize() int {
	n := CompactSizeLen(uint64(len(w)))
	for _, item := range w {
		n += CompactSizeLen(uint64(len(item))) + len(item)
	}
	return n
}

// TxIn is a transaction input.
type TxIn struct {
	PreviousOutPoint OutPoint
	SignatureScript  []byte
	Witness          TxWitness
	Sequence         uint32
}

// VirtualSize is the input's share of its transaction's virtual size
// (BIP141) with its current signature script and witness: the outpoint,
// sequence and signature script at full weight, the witness (when it has
// one) at a quarter, rounded up.
func (in *TxIn) VirtualSize() int64 {
	base := int64(32 + 4 + 4 + CompactSizeLen(uint64(len(in.SignatureScript))) + len(in.SignatureScript))
	var wit int64
	if len(in.Witness) > 0 {
		wit = int64(in.Witness.SerializeSize())
	}
	return base + (wit+WitnessScaleFactor-1)/WitnessScaleFactor
}

// TxOut is a transaction output.
type TxOut struct {
	Value    int64
	PkScript []byte
}

// MsgTx is a transaction.
type MsgTx struct {
	Version  int32
	TxIn     []*TxIn
	TxOut    []*TxOut
	LockTime uint32
}

// NewMsgTx returns an empty transaction of the given version.
func NewMsgTx(version int32) *MsgTx { return &MsgTx{Version: version} }

// AddTxIn appends an input.
func (tx *MsgTx) AddTxIn(in *TxIn) { tx.TxIn = append(tx.TxIn, in) }

// AddTxOut appends an output.
func (tx *MsgTx) AddTxOut(out *TxOut) { tx.TxOut = append(tx.TxOut, out) }

// HasWitness reports whether any input carries witness data.
func (tx *MsgTx) HasWitness() bool {
	for _, in := range tx.TxIn {
		if len(in.Witness) != 0 {
			return true
		}
	}
	return false
}

// IsCoinBase reports whether tx has the shape of a coinbase: one input
// spending the null outpoint.
func (tx *MsgTx) IsCoinBase() bool {
	if len(tx.TxIn) != 1 {
		return false
	}
	p := tx.TxIn[0].PreviousOutPoint
	return p.Index == MaxPrevOutIndex && p.Hash.IsZero()
}

// SerializeSizeStripped is the size without witness data.
func (tx *MsgTx) SerializeSizeStripped() int {
	n := 8 + CompactSizeLen(uint64(len(tx.TxIn))) + CompactSizeLen(uint64(len(tx.TxOut)))
	for _, in := range tx.TxIn {
		n += 40 + CompactSizeLen(uint64(len(in.SignatureScript))) + len(in.SignatureScript)
	}
	for _, out := range tx.TxOut {
		n += 8 + CompactSizeLen(uint64(len(out.PkScript))) + len(out.PkScript)
	}
	return n
}

// SerializeSize is the full size including witness data when present.
func (tx *MsgTx) SerializeSize() int {
	n := tx.SerializeSizeStripped()
	if tx.HasWitness() {
		n += 2
		for _, in := range tx.TxIn {
			n += in.Witness.SerializeSize()
		}
	}
	return n
}

// Weight is the BIP141 weight: stripped size × 3 + full size.
func (tx *MsgTx) Weight() int {
	return tx.SerializeSizeStripped()*(WitnessScaleFactor-1) + tx.SerializeSize()
}

// VSize is the virtual size, weight / 4 rounded up.
func (tx *MsgTx) VSize() int { return (tx.Weight() + WitnessScaleFactor - 1) / WitnessScaleFactor }

// AppendTo appends the serialization, with witness data when present.
func (tx *MsgTx) AppendTo(b []byte) []byte { return tx.appendTo(b, tx.HasWitness()) }

// AppendToNoWitness appends the legacy (stripped) serialization.
func (tx *MsgTx) AppendToNoWitness(b []byte) []byte { return tx.appendTo(b, false) }

func (tx *MsgTx) appendTo(b []byte, witness bool) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	if witness {
		b = append(b, 0x00, 0x01)
	}
	b = AppendCompactSize(b, uint64(len(tx.TxIn)))
	for _, in := range tx.TxIn {
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		b = AppendVarBytes(b, in.SignatureScript)
		b = binary.LittleEndian.AppendUint32(b, in.Sequence)
	}
	b = AppendCompactSize(b, uint64(len(tx.TxOut)))
	for _, out := range tx.TxOut {
		b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
		b = AppendVarBytes(b, out.PkScript)
	}
	if witness {
		for _, in := range tx.TxIn {
			b = AppendCompactSize(b, uint64(len(in.Witness)))
			for _, item := range in.Witness {
				b = AppendVarBytes(b, item)
			}
		}
	}
	return binary.LittleEndian.AppendUint32(b, tx.LockTime)
}

// Bytes returns the full serialization.
func (tx *MsgTx) Bytes() []byte { return tx.AppendTo(make([]byte, 0, tx.SerializeSize())) }

// BytesNoWitness returns the stripped serialization.
func (tx *MsgTx) BytesNoWitness() []byte {
	return tx.AppendToNoWitness(make([]byte, 0, tx.SerializeSizeStripped()))
}

// TxHash returns the txid: sha256d of the stripped serialization.
func (tx *MsgTx) TxHash() chainhash.Hash { return chainhash.DoubleHashH(tx.BytesNoWitness()) }

// WitnessHash returns the wtxid: sha256d of the full serialization. It
// equals TxHash when the transaction has no witness.
func (tx *MsgTx) WitnessHash() chainhash.Hash { return chainhash.DoubleHashH(tx.Bytes()) }

// Copy returns a deep copy.
func (tx *MsgTx) Copy() *MsgTx {
	c := &MsgTx{Version: tx.Version, LockTime: tx.LockTime,
		TxIn: make([]*TxIn, len(tx.TxIn)), TxOut: make([]*TxOut, len(tx.TxOut))}
	for i, in := range tx.TxIn {
		ci := &TxIn{PreviousOutPoint: in.PreviousOutPoint, Sequence: in.Sequence,
			SignatureScript: clone(in.SignatureScript)}
		if in.Witness != nil {
			ci.Witness = make(TxWitness, len(in.Witness))
			for j, item := range in.Witness {
				ci.Witness[j] = clone(item)
			}
		}
		c.TxIn[i] = ci
	}
	for i, out := range tx.TxOut {
		c.TxOut[i] = &TxOut{Value: out.Value, PkScript: clone(out.PkScript)}
	}
	return c
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// DecodeTx decodes exactly one transaction, rejecting trailing bytes.
func DecodeTx(b []byte) (*MsgTx, error) {
	r := NewReader(b)
	tx, err := ReadTx(r)
	if err != nil {
		return nil, err
	}
	if err := r.Done("tx"); err != nil {
		return nil, err
	}
	return tx, nil
}

// DecodeTxHex decodes a hex-encoded transaction.
func DecodeTxHex(s string) (*MsgTx, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("wire: tx hex: %w", err)
	}
	return DecodeTx(b)
}

// ReadTx decodes one transaction from r, accepting BIP144 extended
// serialization. Scripts and witness items are copied out of r's buffer.
func ReadTx(r *Reader) (*MsgTx, error) { return readTx(r, false) }

// readTx decodes one transaction. A zero input count is the BIP144
// marker unless noInputs is set, which reads it as a legacy transaction
// without inputs instead (DecodeTxLenient's second reading).
func readTx(r *Reader, noInputs bool) (*MsgTx, error) {
	v, err := r.Uint32("tx version")
	if err != nil {
		return nil, err
	}
	tx := &MsgTx{Version: int32(v)}
	nIn, err := r.Count(minTxInSize, "tx input count")
	if err != nil {
		return nil, err
	}
	witness := false
	if nIn == 0 && !noInputs {
		// Either the BIP144 marker or a transaction without inputs. Like
		// Bitcoin Core, read it as the marker: the next byte is the flag.
		flag, err := r.Uint8("tx witness flag")
		if err != nil {
			return nil, err
		}
		if flag != 0x01 {
			return nil, decodeErr(ErrBadWitnessFlag, "tx witness flag")
		}
		witness = true
		if nIn, err = r.Count(minTxInSize, "tx input count"); err != nil {
			return nil, err
		}
	}
	tx.TxIn = make([]*TxIn, nIn)
	ins := make([]TxIn, nIn) // one allocation for all inputs
	for i := range nIn {
		in := &ins[i]
		h, err := r.Bytes(32, "tx input outpoint")
		if err != nil {
			return nil, err
		}
		copy(in.PreviousOutPoint.Hash[:], h)
		if in.PreviousOutPoint.Index, err = r.Uint32("tx input outpoint index"); err != nil {
			return nil, err
		}
		if in.SignatureScript, err = r.VarBytes("tx input script"); err != nil {
			return nil, err
		}
		if in.Sequence, err = r.Uint32("tx input sequence"); err != nil {
			return nil, err
		}
		tx.TxIn[i] = in
	}
	nOut, err := r.Count(minTxOutSize, "tx output count")
	if err != nil {
		return nil, err
	}
	tx.TxOut = make([]*TxOut, nOut)
	outs := make([]TxOut, nOut)
	for i := range nOut {
		out := &outs[i]
		val, err := r.Uint64("tx output value")
		if err != nil {
			return nil, err
		}
		out.Value = int64(val)
		if out.PkScript, err = r.VarBytes("tx output script"); err != nil {
			return nil, err
		}
		tx.TxOut[i] = out
	}
	if witness {
		any := false
		for _, in := range tx.TxIn {
			n, err := r.Count(1, "witness item count")
			if err != nil {
				return nil, err
			}
			if n == 0 {
				continue
			}
			any = true
			in.Witness = make(TxWitness, n)
			for j := range n {
				if in.Witness[j], err = r.VarBytes("witness item"); err != nil {
					return nil, err
				}
			}
		}
		if !any {
			return nil, decodeErr(ErrEmptyWitness, "tx witness")
		}
	}
	if tx.LockTime, err = r.Uint32("tx locktime"); err != nil {
		return nil, err
	}
	return tx, nil
}
