package msg

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/wire"
)

// TimedAddress is an addr entry: when the address was last seen, and the
// address.
type TimedAddress struct {
	Time uint32 // unix seconds
	NetAddress
}

// Addr gossips addresses (the pre-BIP155 form).
type Addr struct{ List []TimedAddress }

// Command implements Message.
func (m *Addr) Command() string { return CmdAddr }

// AppendPayload implements Message.
func (m *Addr) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for i := range m.List {
		b = binary.LittleEndian.AppendUint32(b, m.List[i].Time)
		b = m.List[i].NetAddress.appendTo(b)
	}
	return b
}

// BIP155 network ids and their address sizes.
const (
	NetIPv4  uint8 = 1
	NetIPv6  uint8 = 2
	NetTorV3 uint8 = 4
	NetI2P   uint8 = 5
	NetCJDNS uint8 = 6
)

// addrV2Size is the required address size of each known network (BIP155);
// other networks' addresses are carried (up to MaxAddrV2Len bytes) for
// relay and otherwise ignored.
var addrV2Size = map[uint8]int{NetIPv4: 4, NetIPv6: 16, NetTorV3: 32, NetI2P: 32, NetCJDNS: 16}

// AddrV2Entry is an addrv2 entry (BIP155).
type AddrV2Entry struct {
	Time     uint32
	Services uint64
	Network  uint8
	Addr     []byte
	Port     uint16
}

// AddrV2 gossips addresses of any network (BIP155).
type AddrV2 struct{ List []AddrV2Entry }

// Command implements Message.
func (m *AddrV2) Command() string { return CmdAddrV2 }

// AppendPayload implements Message.
func (m *AddrV2) AppendPayload(b []byte) []byte {
	b = wire.AppendCompactSize(b, uint64(len(m.List)))
	for _, e := range m.List {
		b = binary.LittleEndian.AppendUint32(b, e.Time)
		b = wire.AppendCompactSize(b, e.Services)
		b = append(b, e.Network)
		b = wire.AppendVarBytes(b, e.Addr)
		b = binary.BigEndian.AppendUint16(b, e.Port)
	}
	return b
}

const (
	addrEntrySize      = 4 + netAddressSize
	minAddrV2EntrySize = 4 + 1 + 1 + 1 + 2
)

func init() {
	register(CmdAddr, 3+MaxAddr*addrEntrySize, func(r *wire.Reader) (Message, error) {
		n, err := r.Count(addrEntrySize, "addr count")
		if err != nil {
			return nil, err
		}
		if n > MaxAddr {
			return nil, malformedf(CmdAddr, "%d addresses, limit %d", n, MaxAddr)
		}
		m := &Addr{List: make([]TimedAddress, n)}
		for i := range m.List {
			if m.List[i].Time, err = r.Uint32("addr time"); err != nil {
				return nil, err
			}
			if m.List[i].NetAddress, err = readNetAddress(r); err != nil {
				return nil, err
			}
		}
		return m, nil
	})
	register(CmdAddrV2, 3+MaxAddr*(4+9+1+3+MaxAddrV2Len+2), func(r *wire.Reader) (Message, error) {
		n, err := r.Count(minAddrV2EntrySize, "addrv2 count")
		if err != nil {
			return nil, err
		}
		if n > MaxAddr {
			return nil, malformedf(CmdAddrV2, "%d addresses, limit %d", n, MaxAddr)
		}
		m := &AddrV2{List: make([]AddrV2Entry, n)}
		for i := range m.List {
			e := &m.List[i]
			if e.Time, err = r.Uint32("addrv2 time"); err != nil {
				return nil, err
			}
			if e.Services, err = readVarU64(r, "addrv2 services"); err != nil {
				return nil, err
			}
			if e.Network, err = r.Uint8("addrv2 network"); err != nil {
				return nil, err
			}
			l, err := r.CompactSize("addrv2 address length")
			if err != nil {
				return nil, err
			}
			if l > MaxAddrV2Len {
				return nil, malformedf(CmdAddrV2, "address of %d bytes, limit %d", l, MaxAddrV2Len)
			}
			if want, ok := addrV2Size[e.Network]; ok && int(l) != want {
				return nil, malformedf(CmdAddrV2, "network %d address of %d bytes, want %d", e.Network, l, want)
			}
			a, err := r.Bytes(int(l), "addrv2 address")
			if err != nil {
				return nil, err
			}
			e.Addr = append([]byte(nil), a...)
			p, err := r.Bytes(2, "addrv2 port")
			if err != nil {
				return nil, err
			}
			e.Port = binary.BigEndian.Uint16(p)
		}
		return m, nil
	})
}

// readVarU64 reads a minimally encoded CompactSize of any value (BIP155
// services are a full 64-bit field in that form).
func readVarU64(r *wire.Reader, what string) (uint64, error) {
	d, err := r.Uint8(what)
	if err != nil {
		return 0, err
	}
	var size int
	var min uint64
	switch d {
	case 0xfd:
		size, min = 2, 0xfd
	case 0xfe:
		size, min = 4, 0x10000
	case 0xff:
		size, min = 8, 0x100000000
	default:
		return uint64(d), nil
	}
	p, err := r.Bytes(size, what)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	if v < min {
		return 0, malformedf(CmdAddrV2, "%s: non-minimal compact size", what)
	}
	return v, nil
}
