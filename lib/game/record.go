package game

import "fmt"

// Limits of the record format (consensus).
const (
	// MaxRecordSize bounds the record payload (magic, version, type and
	// body) in bytes.
	MaxRecordSize = 40_000
	// MaxBatch bounds the entries of PropCreate, PropSend and PropDestroy.
	MaxBatch = 1000
	// RecordVersion is the only payload version defined.
	RecordVersion = 0x01

	// ProducerFee is the least value, in dust, of a producer's carrier
	// output (1 GG): the registration fee stays locked in it.
	ProducerFee = 100_000_000
	// MinPropGold is the least gold, in dust, of a prop.
	MinPropGold = 10_000

	MaxNameLen  = 40  // producer name, bytes (at least MinNameLen)
	MinNameLen  = 4   //
	MaxURLLen   = 200 // producer URL, bytes
	MaxIPLen    = 45  // producer IP text, bytes
	MaxClassLen = 20  // producer class, bytes (at least 2 when set)
	MaxShare    = 49  // media share, percent
	MaxOIDLen   = 64  // prop item code, bytes
)

// Magic starts every record payload: "gg".
var Magic = [2]byte{0x67, 0x67}

// RecordType is the type byte of a record.
type RecordType uint8

// Record types.
const (
	TypeProducerRegister RecordType = 0x01
	TypeProducerChange   RecordType = 0x02
	TypePropCreate       RecordType = 0x03
	TypePropSend         RecordType = 0x04
	TypePropDestroy      RecordType = 0x05
	TypeSale             RecordType = 0x06
	TypeContractFulfil   RecordType = 0x07
	TypeContractExecute  RecordType = 0x08
)

var typeNames = map[RecordType]string{
	TypeProducerRegister: "producer-register",
	TypeProducerChange:   "producer-change",
	TypePropCreate:       "prop-create",
	TypePropSend:         "prop-send",
	TypePropDestroy:      "prop-destroy",
	TypeSale:             "sale",
	TypeContractFulfil:   "contract-fulfil",
	TypeContractExecute:  "contract-execute",
}

// String returns the type's name ("prop-send") or "type(n)".
func (t RecordType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Record is one decoded game record: *ProducerRegister, *ProducerChange,
// *PropCreate, *PropSend, *PropDestroy, *Sale, *ContractFulfil or
// *ContractExecute.
type Record interface {
	Type() RecordType
	appendBody(b []byte) ([]byte, error)
	decodeBody(d *decoder) error
}

// ProducerInfo is the descriptive part of a producer.
type ProducerInfo struct {
	Name  string // 4–40 of [A-Za-z0-9._-], not starting or ending with . _ -
	URL   string // empty or http(s)://host...
	IP    string // empty or canonical IPv4/IPv6 text
	Class string // empty or 2–20 of [A-Za-z0-9_-]
	Share uint8  // media share 0–49
}

// ProducerRegister registers a new producer whose carrier is output Out;
// its id is ProducerID(txid, Out).
type ProducerRegister struct {
	Out uint32
	ProducerInfo
}

// ProducerChange replaces the details of Producer, whose carrier moves
// to output Out (a different owner script there is a transfer).
type ProducerChange struct {
	Producer ID
	Out      uint32
	ProducerInfo
}

// NewProp is one prop a PropCreate creates, carried by output Out.
type NewProp struct {
	Out uint32
	OID string // the producer's item code, 0–64 bytes
}

// PropCreate creates props for Producer, whose carrier continues at
// ProducerOut. Props are ordered by strictly ascending Out.
type PropCreate struct {
	Producer    ID
	ProducerOut uint32
	Props       []NewProp
}

// PropMove moves prop Prop to output Out.
type PropMove struct {
	Prop ID
	Out  uint32
}

// PropSend moves props; Moves are ordered by strictly ascending Out.
type PropSend struct {
	Moves []PropMove
}

// PropDestroy melts props back into plain coins; Props are ordered
// strictly ascending bytewise.
type PropDestroy struct {
	Props []ID
}

// Sale offers Prop at auction: BuyNow settles at once, Reserve is the
// least acceptable bid, End is the height from which a lower bid may
// settle. The record is output 0 of the listing (and of every bid built
// on it); in the bid form output 1 pays the seller and output 2 carries
// the prop to the buyer.
type Sale struct {
	Prop    ID
	BuyNow  uint64
	Reserve uint64
	End     uint32
}

// Type implements Record.
func (*ProducerRegister) Type() RecordType { return TypeProducerRegister }

// Type implements Record.
func (*ProducerChange) Type() RecordType { return TypeProducerChange }

// Type implements Record.
func (*PropCreate) Type() RecordType { return TypePropCreate }

// Type implements Record.
func (*PropSend) Type() RecordType { return TypePropSend }

// Type implements Record.
func (*PropDestroy) Type() RecordType { return TypePropDestroy }

// Type implements Record.
func (*Sale) Type() RecordType { return TypeSale }
