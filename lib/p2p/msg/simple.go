package msg

import (
	"encoding/binary"

	"github.com/gamegold/gg/lib/wire"
)

// Empty is a message without payload: verack, sendheaders, getaddr,
// mempool, wtxidrelay (BIP339) or sendaddrv2 (BIP155).
type Empty struct{ Cmd string }

// Command implements Message.
func (m *Empty) Command() string { return m.Cmd }

// AppendPayload implements Message.
func (m *Empty) AppendPayload(b []byte) []byte { return b }

// Ping and Pong carry a nonce (BIP31): a pong echoes its ping's.
type Ping struct{ Nonce uint64 }

// Pong answers a Ping.
type Pong struct{ Nonce uint64 }

// Command implements Message.
func (m *Ping) Command() string { return CmdPing }

// AppendPayload implements Message.
func (m *Ping) AppendPayload(b []byte) []byte { return binary.LittleEndian.AppendUint64(b, m.Nonce) }

// Command implements Message.
func (m *Pong) Command() string { return CmdPong }

// AppendPayload implements Message.
func (m *Pong) AppendPayload(b []byte) []byte { return binary.LittleEndian.AppendUint64(b, m.Nonce) }

// FeeFilter (BIP133) asks the peer not to announce transactions paying
// less than Rate dust per 1000 vbytes.
type FeeFilter struct{ Rate int64 }

// Command implements Message.
func (m *FeeFilter) Command() string { return CmdFeeFilter }

// AppendPayload implements Message.
func (m *FeeFilter) AppendPayload(b []byte) []byte {
	return binary.LittleEndian.AppendUint64(b, uint64(m.Rate))
}

// maxMoney is 21,000,000 GG in dust: no fee rate is above it.
const maxMoney = 21_000_000 * 100_000_000

// SendCmpct (BIP152) announces compact-block support: HighBandwidth asks
// the peer to push new blocks as cmpctblock before validating them fully;
// Version 2 is the witness form (the only one gg speaks).
type SendCmpct struct {
	HighBandwidth bool
	Version       uint64
}

// Command implements Message.
func (m *SendCmpct) Command() string { return CmdSendCmpct }

// AppendPayload implements Message.
func (m *SendCmpct) AppendPayload(b []byte) []byte {
	b = appendBool(b, m.HighBandwidth)
	return binary.LittleEndian.AppendUint64(b, m.Version)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func readBool(r *wire.Reader, cmd, what string) (bool, error) {
	v, err := r.Uint8(what)
	if err != nil {
		return false, err
	}
	if v > 1 {
		return false, malformedf(cmd, "%s byte %d, want 0 or 1", what, v)
	}
	return v == 1, nil
}

func init() {
	for _, c := range []string{CmdVerAck, CmdSendHeaders, CmdGetAddr, CmdMempool, CmdWtxidRelay, CmdSendAddrV2} {
		register(c, 0, func(r *wire.Reader) (Message, error) { return &Empty{Cmd: c}, nil })
	}
	register(CmdPing, 8, func(r *wire.Reader) (Message, error) {
		n, err := r.Uint64("nonce")
		return &Ping{n}, err
	})
	register(CmdPong, 8, func(r *wire.Reader) (Message, error) {
		n, err := r.Uint64("nonce")
		return &Pong{n}, err
	})
	register(CmdFeeFilter, 8, func(r *wire.Reader) (Message, error) {
		v, err := r.Uint64("fee rate")
		if err != nil {
			return nil, err
		}
		if v > maxMoney {
			return nil, malformedf(CmdFeeFilter, "fee rate %d out of range", v)
		}
		return &FeeFilter{int64(v)}, nil
	})
	register(CmdSendCmpct, 9, func(r *wire.Reader) (Message, error) {
		hb, err := readBool(r, CmdSendCmpct, "announce")
		if err != nil {
			return nil, err
		}
		v, err := r.Uint64("version")
		return &SendCmpct{hb, v}, err
	})
}
