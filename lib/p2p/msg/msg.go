package msg

import (
	"github.com/gamegold/gg/lib/wire"
)

// Commands.
const (
	CmdVersion     = "version"
	CmdVerAck      = "verack"
	CmdPing        = "ping"
	CmdPong        = "pong"
	CmdSendHeaders = "sendheaders"
	CmdFeeFilter   = "feefilter"
	CmdWtxidRelay  = "wtxidrelay"
	CmdSendAddrV2  = "sendaddrv2"
	CmdAddr        = "addr"
	CmdAddrV2      = "addrv2"
	CmdGetAddr     = "getaddr"
	CmdInv         = "inv"
	CmdGetData     = "getdata"
	CmdNotFound    = "notfound"
	CmdGetHeaders  = "getheaders"
	CmdHeaders     = "headers"
	CmdGetBlocks   = "getblocks"
	CmdBlock       = "block"
	CmdTx          = "tx"
	CmdMempool     = "mempool"
	CmdSendCmpct   = "sendcmpct"
	CmdCmpctBlock  = "cmpctblock"
	CmdGetBlockTxn = "getblocktxn"
	CmdBlockTxn    = "blocktxn"
)

// Protocol limits.
const (
	// MaxPayload bounds every payload (Bitcoin Core's
	// MAX_PROTOCOL_MESSAGE_LENGTH): a block of the largest serialized
	// size fits.
	MaxPayload = 4_000_000
	// MaxInv bounds inv, getdata and notfound entries.
	MaxInv = 50_000
	// MaxAddr bounds addr and addrv2 entries.
	MaxAddr = 1000
	// MaxHeaders bounds a headers message.
	MaxHeaders = 2000
	// MaxLocator bounds a block locator.
	MaxLocator = 101
	// MaxUserAgent bounds the version message's user agent (BIP14).
	MaxUserAgent = 256
	// MaxAddrV2Len bounds an addrv2 address (BIP155).
	MaxAddrV2Len = 512
)

// Message is one P2P message: its command and payload encoding.
type Message interface {
	Command() string
	// AppendPayload appends the payload's canonical encoding.
	AppendPayload(b []byte) []byte
}

// decoder builds a message from its payload.
type decoder func(r *wire.Reader) (Message, error)

type kind struct {
	max    int // payload limit in bytes
	decode decoder
}

// kinds maps each known command to its limit and decoder.
var kinds = map[string]kind{}

func register(cmd string, max int, d decoder) {
	if max > MaxPayload {
		max = MaxPayload
	}
	kinds[cmd] = kind{max, d}
}

// Known reports whether cmd is a command this package decodes.
func Known(cmd string) bool {
	_, ok := kinds[cmd]
	return ok
}

// MaxPayloadFor returns the largest payload command cmd may carry (0 for
// an unknown command).
func MaxPayloadFor(cmd string) int { return kinds[cmd].max }

// Decode parses the payload of a cmd message. Everything it accepts is
// canonical: AppendPayload gives back the same bytes.
func Decode(cmd string, payload []byte) (Message, error) {
	k, ok := kinds[cmd]
	if !ok {
		return nil, &Error{Kind: ErrUnknownCommand, Command: cmd}
	}
	if len(payload) > k.max {
		return nil, &Error{Kind: ErrOversized, Command: cmd}
	}
	r := wire.NewReader(payload)
	m, err := k.decode(r)
	if err != nil {
		return nil, malformed(cmd, err)
	}
	if err := r.Done(cmd); err != nil {
		return nil, malformed(cmd, err)
	}
	return m, nil
}

// Payload returns m's encoded payload.
func Payload(m Message) []byte { return m.AppendPayload(nil) }
