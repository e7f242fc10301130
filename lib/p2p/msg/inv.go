package msg

import (
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// InvType says what an inventory entry names.
type InvType uint32

// Inventory types. The witness flag (BIP144) asks for the witness
// serialization; MSG_WTX (BIP339) names a transaction by wtxid. InvOffer
// is GameGold's: a contract-book offer by its id.
const (
	InvError         InvType = 0
	InvTx            InvType = 1
	InvBlock         InvType = 2
	InvFilteredBlock InvType = 3
	InvCmpctBlock    InvType = 4
	InvWTx           InvType = 5
	InvWitnessFlag   InvType = 1 << 30
	InvWitnessTx             = InvTx | InvWitnessFlag
	InvWitnessBlock          = InvBlock | InvWitnessFlag
	InvOffer         InvType = 0x67670001
)

func (t InvType) String() string {
	switch t {
	case InvError:
		return "error"
	case InvTx:
		return "tx"
	case InvBlock:
		return "block"
	case InvFilteredBlock:
		return "filtered_block"
	case InvCmpctBlock:
		return "cmpct_block"
	case InvWTx:
		return "wtx"
	case InvWitnessTx:
		return "witness_tx"
	case InvWitnessBlock:
		return "witness_block"
	case InvOffer:
		return "gg_offer"
	}
	return fmt.Sprintf("inv_type(%d)", uint32(t))
}

// InvVect is one inventory entry.
type InvVect struct {
	Type InvType
	Hash chainhash.Hash
}

// Inv lists inventory: announced (inv), requested (getdata) or missing
// (notfound). Cmd is one of those three commands.
type Inv struct {
	Cmd  string
	List []InvVect
}

// Command implements Message.
func (m *Inv) Command() string { return m.Cmd }

// AppendPayload implements Message.
func (m *Inv) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for _, v := range m.List {
		b = binary.LittleEndian.AppendUint32(b, uint32(v.Type))
		b = append(b, v.Hash[:]...)
	}
	return b
}

const invVectSize = 4 + 32

func init() {
	for _, c := range []string{CmdInv, CmdGetData, CmdNotFound} {
		register(c, 3+MaxInv*invVectSize, func(r *wire.Reader) (Message, error) {
			n, err := r.Count(invVectSize, "inventory count")
			if err != nil {
				return nil, err
			}
			if n > MaxInv {
				return nil, malformedf(c, "%d entries, limit %d", n, MaxInv)
			}
			m := &Inv{Cmd: c, List: make([]InvVect, n)}
			for i := range m.List {
				p, err := r.Bytes(invVectSize, "inventory entry")
				if err != nil {
					return nil, err
				}
				m.List[i].Type = InvType(binary.LittleEndian.Uint32(p))
				copy(m.List[i].Hash[:], p[4:])
			}
			return m, nil
		})
	}
}
