package msg

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Compact block filters (BIP157): a light client asks a peer that set
// SFNodeCompactFilters for filters, filter hashes and header checkpoints
// of the peer's active chain.

// BIP157 commands.
const (
	CmdGetCFilters  = "getcfilters"
	CmdCFilter      = "cfilter"
	CmdGetCFHeaders = "getcfheaders"
	CmdCFHeaders    = "cfheaders"
	CmdGetCFCheckpt = "getcfcheckpt"
	CmdCFCheckpt    = "cfcheckpt"
)

// BIP157 limits.
const (
	// MaxGetCFilters is the most blocks one getcfilters may cover.
	MaxGetCFilters = 1000
	// MaxCFHeaders is the most filter hashes of one cfheaders (and
	// blocks one getcfheaders may cover).
	MaxCFHeaders = 2000
	// CFCheckptInterval is the spacing of cfcheckpt's headers.
	CFCheckptInterval = 1000
	// MaxCFCheckpt bounds cfcheckpt's headers: what fits in a payload.
	MaxCFCheckpt = (MaxPayload - 1 - 32 - 5) / 32
	// MaxCFilterSize bounds a cfilter's filter: what fits in a payload.
	MaxCFilterSize = MaxPayload - 1 - 32 - 5
)

// GetCFilters asks for the filters (getcfilters) or the filter hashes
// (getcfheaders) of the active chain's blocks from StartHeight up to
// Stop.
type GetCFilters struct {
	Cmd         string // CmdGetCFilters or CmdGetCFHeaders
	FilterType  uint8
	StartHeight uint32
	Stop        chainhash.Hash
}

// Command implements Message.
func (m *GetCFilters) Command() string { return m.Cmd }

// AppendPayload implements Message.
func (m *GetCFilters) AppendPayload(b []byte) []byte {
	b = append(b, m.FilterType)
	b = binary.LittleEndian.AppendUint32(b, m.StartHeight)
	return append(b, m.Stop[:]...)
}

// CFilter is one block's filter.
type CFilter struct {
	FilterType uint8
	Block      chainhash.Hash
	Filter     []byte // the filter's serialization (lib/gcs)
}

// Command implements Message.
func (m *CFilter) Command() string { return CmdCFilter }

// AppendPayload implements Message.
func (m *CFilter) AppendPayload(b []byte) []byte {
	b = append(b, m.FilterType)
	b = append(b, m.Block[:]...)
	return wire.AppendVarBytes(b, m.Filter)
}

// CFHeaders answers getcfheaders: the filter header before the first
// block and the filter hash of each block up to Stop.
type CFHeaders struct {
	FilterType   uint8
	Stop         chainhash.Hash
	PrevHeader   chainhash.Hash
	FilterHashes []chainhash.Hash
}

// Command implements Message.
func (m *CFHeaders) Command() string { return CmdCFHeaders }

// AppendPayload implements Message.
func (m *CFHeaders) AppendPayload(b []byte) []byte {
	b = append(b, m.FilterType)
	b = append(b, m.Stop[:]...)
	b = append(b, m.PrevHeader[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.FilterHashes)))
	for _, h := range m.FilterHashes {
		b = append(b, h[:]...)
	}
	return b
}

// GetCFCheckpt asks for the filter headers at every CFCheckptInterval-th
// height up to Stop.
type GetCFCheckpt struct {
	FilterType uint8
	Stop       chainhash.Hash
}

// Command implements Message.
func (m *GetCFCheckpt) Command() string { return CmdGetCFCheckpt }

// AppendPayload implements Message.
func (m *GetCFCheckpt) AppendPayload(b []byte) []byte {
	return append(append(b, m.FilterType), m.Stop[:]...)
}

// CFCheckpt answers getcfcheckpt.
type CFCheckpt struct {
	FilterType uint8
	Stop       chainhash.Hash
	Headers    []chainhash.Hash
}

// Command implements Message.
func (m *CFCheckpt) Command() string { return CmdCFCheckpt }

// AppendPayload implements Message.
func (m *CFCheckpt) AppendPayload(b []byte) []byte {
	b = append(b, m.FilterType)
	b = append(b, m.Stop[:]...)
	b = wire.AppendCompactSize(b, uint64(len(m.Headers)))
	for _, h := range m.Headers {
		b = append(b, h[:]...)
	}
	return b
}

// readHashes reads a CompactSize count (at most max) of hashes.
func readHashes(r *wire.Reader, cmd string, max int, what string) ([]chainhash.Hash, error) {
	n, err := r.Count(32, what+" count")
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, malformedf(cmd, "%d %s, limit %d", n, what, max)
	}
	out := make([]chainhash.Hash, n)
	for i := range out {
		if out[i], err = readHash(r, what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func init() {
	for _, c := range []string{CmdGetCFilters, CmdGetCFHeaders} {
		register(c, 1+4+32, func(r *wire.Reader) (Message, error) {
			m := &GetCFilters{Cmd: c}
			var err error
			if m.FilterType, err = r.Uint8("filter type"); err != nil {
				return nil, err
			}
			if m.StartHeight, err = r.Uint32("start height"); err != nil {
				return nil, err
			}
			if m.Stop, err = readHash(r, "stop hash"); err != nil {
				return nil, err
			}
			return m, nil
		})
	}
	register(CmdCFilter, MaxPayload, func(r *wire.Reader) (Message, error) {
		m := &CFilter{}
		var err error
		if m.FilterType, err = r.Uint8("filter type"); err != nil {
			return nil, err
		}
		if m.Block, err = readHash(r, "block hash"); err != nil {
			return nil, err
		}
		if m.Filter, err = r.VarBytes("filter"); err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdCFHeaders, 1+32+32+3+MaxCFHeaders*32, func(r *wire.Reader) (Message, error) {
		m := &CFHeaders{}
		var err error
		if m.FilterType, err = r.Uint8("filter type"); err != nil {
			return nil, err
		}
		if m.Stop, err = readHash(r, "stop hash"); err != nil {
			return nil, err
		}
		if m.PrevHeader, err = readHash(r, "previous filter header"); err != nil {
			return nil, err
		}
		if m.FilterHashes, err = readHashes(r, CmdCFHeaders, MaxCFHeaders, "filter hashes"); err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdGetCFCheckpt, 1+32, func(r *wire.Reader) (Message, error) {
		m := &GetCFCheckpt{}
		var err error
		if m.FilterType, err = r.Uint8("filter type"); err != nil {
			return nil, err
		}
		if m.Stop, err = readHash(r, "stop hash"); err != nil {
			return nil, err
		}
		return m, nil
	})
	register(CmdCFCheckpt, MaxPayload, func(r *wire.Reader) (Message, error) {
		m := &CFCheckpt{}
		var err error
		if m.FilterType, err = r.Uint8("filter type"); err != nil {
			return nil, err
		}
		if m.Stop, err = readHash(r, "stop hash"); err != nil {
			return nil, err
		}
		if m.Headers, err = readHashes(r, CmdCFCheckpt, MaxCFCheckpt, "filter headers"); err != nil {
			return nil, err
		}
		return m, nil
	})
}
