package game

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
)

// ID identifies a producer or a prop: 32 bytes derived from the outpoint
// that created it, unique by construction.
type ID [32]byte

// String returns the lowercase hex of the bytes in order (no reversal,
// unlike transaction ids).
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zero bytes.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText implements encoding.TextMarshaler (the String form).
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (ParseID).
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ParseID parses the 64-digit hex form of an id (either case).
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 64 {
		return id, fmt.Errorf("game: id %q: want 64 hex digits, got %d characters", s, len(s))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, fmt.Errorf("game: id %q: %w", s, err)
	}
	return id, nil
}

func deriveID(tag string, txid chainhash.Hash, vout uint32) ID {
	h := sha256.New()
	h.Write([]byte(tag))
	h.Write(txid[:])
	var v [4]byte
	binary.LittleEndian.PutUint32(v[:], vout)
	h.Write(v[:])
	var id ID
	h.Sum(id[:0])
	return id
}

// ProducerID is the id of the producer registered with its carrier at
// output vout of txid: SHA256("gg/producer\x00" || txid || vout u32le),
// txid in internal byte order.
func ProducerID(txid chainhash.Hash, vout uint32) ID {
	return deriveID("gg/producer\x00", txid, vout)
}

// PropID is the id of the prop created with its carrier at output vout
// of txid: SHA256("gg/prop\x00" || txid || vout u32le).
func PropID(txid chainhash.Hash, vout uint32) ID { return deriveID("gg/prop\x00", txid, vout) }

// Kind says what an object is.
type Kind uint8

// Object kinds; the values are the first byte of an annotation.
const (
	KindProducer Kind = 0x01
	KindProp     Kind = 0x02
	KindContract Kind = 0x03 // a contract's GG escrow output
)

// String returns "producer", "prop", "contract" or "kind(n)".
func (k Kind) String() string {
	switch k {
	case KindProducer:
		return "producer"
	case KindProp:
		return "prop"
	case KindContract:
		return "contract"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ObjectSize is the length of an encoded Object (kind byte + id).
const ObjectSize = 1 + 32

// Object is a game object carried by a coin. The zero Object means none.
type Object struct {
	Kind Kind
	ID   ID
}

// IsZero reports whether o is the zero Object (no object).
func (o Object) IsZero() bool { return o == Object{} }

// String returns "producer:<id>", "prop:<id>" or "contract:<id>".
func (o Object) String() string { return o.Kind.String() + ":" + o.ID.String() }

// Bytes returns the annotation stored with a UTXO entry: kind || id, or
// nil for the zero Object.
func (o Object) Bytes() []byte {
	if o.IsZero() {
		return nil
	}
	b := make([]byte, ObjectSize)
	b[0] = byte(o.Kind)
	copy(b[1:], o.ID[:])
	return b
}

// DecodeObject parses an annotation. Empty input is the zero Object (an
// ordinary coin); anything else must be exactly 33 bytes with a known
// kind.
func DecodeObject(b []byte) (Object, error) {
	if len(b) == 0 {
		return Object{}, nil
	}
	if len(b) != ObjectSize {
		return Object{}, fmt.Errorf("game: object annotation of %d bytes, want %d", len(b), ObjectSize)
	}
	k := Kind(b[0])
	if k != KindProducer && k != KindProp && k != KindContract {
		return Object{}, fmt.Errorf("game: object annotation of unknown kind %d", b[0])
	}
	var o Object
	o.Kind = k
	copy(o.ID[:], b[1:])
	return o, nil
}
