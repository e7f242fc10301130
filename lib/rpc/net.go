package rpc

import (
	"context"
	"encoding/json"
	"strings"
)

// PeerInfo is one peer as getpeerinfo shows it.
type PeerInfo struct {
	ID             uint64 `json:"id"`
	Addr           string `json:"addr"`
	Inbound        bool   `json:"inbound"`
	ConnectionType string `json:"connection_type"` // inbound, outbound-full-relay, manual
	Services       string `json:"services"`        // 16 hex digits
	Version        int32  `json:"version"`
	SubVer         string `json:"subver"`
	StartingHeight int32  `json:"startingheight"`
	SyncedHeaders  int32  `json:"synced_headers"`
	SyncedBlocks   int32  `json:"synced_blocks"`
	InFlight       int    `json:"inflight"`
	ConnTime       int64  `json:"conntime"`
	LastSend       int64  `json:"lastsend"`
	LastRecv       int64  `json:"lastrecv"`
	BytesSent      uint64 `json:"bytessent"`
	BytesRecv      uint64 `json:"bytesrecv"`
	// Bytes per message command, header included.
	BytesSentPerMsg map[string]uint64 `json:"bytessent_per_msg"`
	BytesRecvPerMsg map[string]uint64 `json:"bytesrecv_per_msg"`
	PingTime        float64           `json:"pingtime,omitempty"` // seconds
	PingWait        float64           `json:"pingwait,omitempty"`
	MinFeeFilter    float64           `json:"minfeefilter"` // GG/kvB
	RelayTxes       bool              `json:"relaytxes"`
	WtxidRelay      bool              `json:"wtxid_relay"`
	BIP152HB        bool              `json:"bip152_hb_from"`
	Misbehavior     int               `json:"misbehavior_score"`
}

// NetworkInfo is getnetworkinfo's answer.
type NetworkInfo struct {
	Version         string   `json:"subversion"` // the user agent sent to peers
	ProtocolVersion int32    `json:"protocolversion"`
	LocalServices   string   `json:"localservices"`
	LocalRelay      bool     `json:"localrelay"`
	NetworkActive   bool     `json:"networkactive"`
	Connections     int      `json:"connections"`
	ConnectionsIn   int      `json:"connections_in"`
	ConnectionsOut  int      `json:"connections_out"`
	RelayFee        float64  `json:"relayfee"`
	LocalAddresses  []string `json:"localaddresses"`
	AddrBookNew     int      `json:"addrbook_new"`
	AddrBookTried   int      `json:"addrbook_tried"`
	Warnings        string   `json:"warnings"`
}

// NetTotals is getnettotals' answer.
type NetTotals struct {
	TotalBytesRecv uint64 `json:"totalbytesrecv"`
	TotalBytesSent uint64 `json:"totalbytessent"`
	TimeMillis     int64  `json:"timemillis"`
}

// BanInfo is one listbanned entry.
type BanInfo struct {
	Address       string `json:"address"`
	BanCreated    int64  `json:"ban_created"`
	BannedUntil   int64  `json:"banned_until"`
	BanDuration   int64  `json:"ban_duration"`
	TimeRemaining int64  `json:"time_remaining"`
	Reason        string `json:"reason,omitempty"`
}

// NetBackend is the node's peer layer as the RPC sees it.
type NetBackend interface {
	Peers() []PeerInfo
	Network() NetworkInfo
	Totals() NetTotals
	AddNode(addr, command string) error
	Disconnect(addr string, id int64) error
	SetBan(subnet, command string, seconds int64, absolute bool) error
	Banned() []BanInfo
	ClearBanned() error
	Ping()
}

// NetService serves the peer-to-peer methods.
type NetService struct {
	Backend NetBackend // nil: the node runs without P2P (every method -9)
}

// CodeClientNotConnected is bitcoind's "P2P networking is disabled /
// node not connected" (-9); CodeClientNodeNotAdded "node has not been
// added" (-24); CodeClientNodeAlreadyAdded (-23); CodeClientInvalidIP
// (-30); CodeClientNodeNotConnected (-29).
const (
	CodeClientNotConnected      = -9
	CodeClientNodeAlreadyAdded  = -23
	CodeClientNodeNotAdded      = -24
	CodeClientNodeNotConnected  = -29
	CodeClientInvalidIPOrSubnet = -30
)

// Methods returns the network methods with their bitcoind names.
func (s *NetService) Methods() []Method {
	defs := []methodDef{
		{[]string{"net.peers", "getpeerinfo"}, "", "the connected peers: address, direction, services, versions, heights, bytes, ping, misbehaviour score", s.peers},
		{[]string{"net.count", "getconnectioncount"}, "", "the number of connections", s.count},
		{[]string{"net.info", "getnetworkinfo"}, "", "version, services, connections in and out, relay fee, address book", s.info},
		{[]string{"net.totals", "getnettotals"}, "", "bytes received and sent over every connection", s.totals},
		{[]string{"net.addnode", "addnode"}, "node command", "add (keep connected), remove or onetry (connect once) a peer host:port", s.addNode},
		{[]string{"net.disconnect", "disconnectnode"}, "[address] [nodeid]", "disconnect a peer by address or by id", s.disconnect},
		{[]string{"net.setban", "setban"}, "subnet command [bantime=86400] [absolute=false]", "add or remove a ban of an address or subnet (bantime in seconds, or a unix time when absolute)", s.setBan},
		{[]string{"net.banned", "listbanned"}, "", "the banned addresses and subnets", s.banned},
		{[]string{"net.clearbanned", "clearbanned"}, "", "lift every ban", s.clearBanned},
		{[]string{"net.ping", "ping"}, "", "ping every peer now (getpeerinfo shows the times)", s.ping},
	}
	return methodsOf(defs, nil)
}

func (s *NetService) backend() (NetBackend, error) {
	if s.Backend == nil {
		return nil, Errorf(CodeClientNotConnected, "P2P networking is disabled (gg-node --p2p=false)")
	}
	return s.Backend, nil
}

func (s *NetService) peers(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	out := b.Peers()
	if out == nil {
		out = []PeerInfo{}
	}
	return out, nil
}

func (s *NetService) count(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	return b.Network().Connections, nil // no per-peer records to build
}

func (s *NetService) info(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	return b.Network(), nil
}

func (s *NetService) totals(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	return b.Totals(), nil
}

func (s *NetService) addNode(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	var node, cmd string
	if err := ParseParams(p, []string{"node", "command"}, 2, &node, &cmd); err != nil {
		return nil, err
	}
	switch cmd {
	case "add", "remove", "onetry":
	default:
		return nil, InvalidParams("command %q: want add, remove or onetry", truncate(cmd, 32))
	}
	return nil, b.AddNode(node, cmd)
}

func (s *NetService) disconnect(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	var addr string
	id := int64(-1)
	if err := ParseParams(p, []string{"address", "nodeid"}, 0, &addr, &id); err != nil {
		return nil, err
	}
	if (addr == "") == (id < 0) {
		return nil, InvalidParams("give exactly one of address and nodeid")
	}
	return nil, b.Disconnect(addr, id)
}

func (s *NetService) setBan(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	var subnet, cmd string
	secs := int64(86400)
	absolute := false
	if err := ParseParams(p, []string{"subnet", "command", "bantime", "absolute"}, 2, &subnet, &cmd, &secs, &absolute); err != nil {
		return nil, err
	}
	if cmd != "add" && cmd != "remove" {
		return nil, InvalidParams("command %q: want add or remove", truncate(cmd, 32))
	}
	if secs <= 0 && !absolute {
		secs = 86400
	}
	return nil, b.SetBan(strings.TrimSpace(subnet), cmd, secs, absolute)
}

func (s *NetService) banned(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	out := b.Banned()
	if out == nil {
		out = []BanInfo{}
	}
	return out, nil
}

func (s *NetService) clearBanned(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	return nil, b.ClearBanned()
}

func (s *NetService) ping(_ context.Context, p json.RawMessage) (any, error) {
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	b.Ping()
	return nil, nil
}
