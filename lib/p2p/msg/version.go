package msg

import (
	"encoding/binary"
	"net/netip"

	"github.com/gamegold/gg/lib/wire"
)

// ProtocolVersion is the protocol version gg-node speaks (Bitcoin's
// 70016: wtxidrelay, sendaddrv2 and the rest of this package).
const ProtocolVersion = 70016

// Service bits.
const (
	SFNodeNetwork        uint64 = 1 << 0
	SFNodeWitness        uint64 = 1 << 3
	SFNodeCompactFilters uint64 = 1 << 6
	SFNodeNetworkLimited uint64 = 1 << 10
)

// NetAddress is a peer address as version and addr carry it: services,
// an IPv6 (or IPv4-mapped) address and a big-endian port.
type NetAddress struct {
	Services uint64
	Addr     netip.Addr // always 16 bytes on the wire (IPv4 mapped)
	Port     uint16
}

const netAddressSize = 8 + 16 + 2

func (a *NetAddress) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, a.Services)
	ip := a.Addr.As16()
	b = append(b, ip[:]...)
	return binary.BigEndian.AppendUint16(b, a.Port)
}

func readNetAddress(r *wire.Reader) (NetAddress, error) {
	var a NetAddress
	p, err := r.Bytes(netAddressSize, "net address")
	if err != nil {
		return a, err
	}
	a.Services = binary.LittleEndian.Uint64(p)
	a.Addr = netip.AddrFrom16([16]byte(p[8:24])).Unmap()
	a.Port = binary.BigEndian.Uint16(p[24:])
	return a, nil
}

// Version opens a connection: what the sender speaks and serves.
type Version struct {
	Version     int32
	Services    uint64
	Timestamp   int64 // unix seconds
	AddrRecv    NetAddress
	AddrFrom    NetAddress
	Nonce       uint64 // detects connections to oneself
	UserAgent   string // BIP14, e.g. "/gg-node:0.3.0/"
	StartHeight int32
	Relay       bool // false: do not announce transactions (blocks-only)
}

// Command implements Message.
func (m *Version) Command() string { return CmdVersion }

// AppendPayload implements Message.
func (m *Version) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(m.Version))
	b = binary.LittleEndian.AppendUint64(b, m.Services)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Timestamp))
	b = m.AddrRecv.appendTo(b)
	b = m.AddrFrom.appendTo(b)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = wire.AppendVarBytes(b, []byte(m.UserAgent))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.StartHeight))
	return appendBool(b, m.Relay)
}

// maxVersionPayload is the longest version payload.
const maxVersionPayload = 4 + 8 + 8 + 2*netAddressSize + 8 + 3 + MaxUserAgent + 4 + 1

func init() {
	register(CmdVersion, maxVersionPayload, func(r *wire.Reader) (Message, error) {
		m := &Version{}
		v, err := r.Uint32("version")
		if err != nil {
			return nil, err
		}
		m.Version = int32(v)
		if m.Services, err = r.Uint64("services"); err != nil {
			return nil, err
		}
		ts, err := r.Uint64("timestamp")
		if err != nil {
			return nil, err
		}
		m.Timestamp = int64(ts)
		if m.AddrRecv, err = readNetAddress(r); err != nil {
			return nil, err
		}
		if m.AddrFrom, err = readNetAddress(r); err != nil {
			return nil, err
		}
		if m.Nonce, err = r.Uint64("nonce"); err != nil {
			return nil, err
		}
		n, err := r.CompactSize("user agent")
		if err != nil {
			return nil, err
		}
		if n > MaxUserAgent {
			return nil, malformedf(CmdVersion, "user agent of %d bytes, limit %d", n, MaxUserAgent)
		}
		ua, err := r.Bytes(int(n), "user agent")
		if err != nil {
			return nil, err
		}
		for _, c := range ua {
			if c < 0x20 || c > 0x7e {
				return nil, malformedf(CmdVersion, "user agent byte 0x%02x is not printable ASCII", c)
			}
		}
		m.UserAgent = string(ua)
		h, err := r.Uint32("start height")
		if err != nil {
			return nil, err
		}
		m.StartHeight = int32(h)
		if m.Relay, err = readBool(r, CmdVersion, "relay"); err != nil {
			return nil, err
		}
		return m, nil
	})
}
