package msg

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// GetHeaders asks for headers (getheaders) or block inventory
// (getblocks) after the first locator hash the peer knows, up to Stop
// (zero: as many as the reply holds).
type GetHeaders struct {
	Cmd     string // CmdGetHeaders or CmdGetBlocks
	Version uint32
	Locator []chainhash.Hash
	Stop    chainhash.Hash
}

// Command implements Message.
func (m *GetHeaders) Command() string { return m.Cmd }

// AppendPayload implements Message.
func (m *GetHeaders) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, m.Version)
	b = wire.AppendCompactSize(b, uint64(len(m.Locator)))
	for _, h := range m.Locator {
		b = append(b, h[:]...)
	}
	return append(b, m.Stop[:]...)
}

// Headers carries up to MaxHeaders consecutive headers, each followed on
// the wire by a transaction count that must be 0.
type Headers struct{ List []wire.BlockHeader }

// Command implements Message.
func (m *Headers) Command() string { return CmdHeaders }

// AppendPayload implements Message.
func (m *Headers) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for i := range m.List {
		b = m.List[i].AppendTo(b)
		b = append(b, 0)
	}
	return b
}

func init() {
	for _, c := range []string{CmdGetHeaders, CmdGetBlocks} {
		register(c, 4+1+MaxLocator*32+32, func(r *wire.Reader) (Message, error) {
			m := &GetHeaders{Cmd: c}
			var err error
			if m.Version, err = r.Uint32("version"); err != nil {
				return nil, err
			}
			n, err := r.Count(32, "locator count")
			if err != nil {
				return nil, err
			}
			if n > MaxLocator {
				return nil, malformedf(c, "locator of %d hashes, limit %d", n, MaxLocator)
			}
			m.Locator = make([]chainhash.Hash, n)
			for i := range m.Locator {
				p, err := r.Bytes(32, "locator hash")
				if err != nil {
					return nil, err
				}
				copy(m.Locator[i][:], p)
			}
			p, err := r.Bytes(32, "stop hash")
			if err != nil {
				return nil, err
			}
			copy(m.Stop[:], p)
			return m, nil
		})
	}
	register(CmdHeaders, 3+MaxHeaders*(wire.BlockHeaderSize+1), func(r *wire.Reader) (Message, error) {
		n, err := r.Count(wire.BlockHeaderSize+1, "headers count")
		if err != nil {
			return nil, err
		}
		if n > MaxHeaders {
			return nil, malformedf(CmdHeaders, "%d headers, limit %d", n, MaxHeaders)
		}
		m := &Headers{List: make([]wire.BlockHeader, n)}
		for i := range m.List {
			if m.List[i], err = wire.ReadHeader(r); err != nil {
				return nil, err
			}
			z, err := r.Uint8("header tx count")
			if err != nil {
				return nil, err
			}
			if z != 0 {
				return nil, malformedf(CmdHeaders, "header %d with tx count byte %d, want 0", i, z)
			}
		}
		return m, nil
	})
}
