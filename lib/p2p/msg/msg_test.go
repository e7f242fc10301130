package msg

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

const testMagic = 0xb7a2e9fa // regtest

func sampleTx(n byte) *wire.MsgTx {
	return &wire.MsgTx{Version: 2,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{n}, Index: 1}, SignatureScript: []byte{1, n}, Sequence: 0xfffffffe}},
		TxOut: []*wire.TxOut{{Value: 5000, PkScript: []byte{0x51}}}, LockTime: 7}
}

func sampleWitnessTx() *wire.MsgTx {
	tx := sampleTx(9)
	tx.TxIn[0].SignatureScript = nil
	tx.TxIn[0].Witness = wire.TxWitness{{1, 2, 3}, {}}
	return tx
}

func sampleTerms() game.Terms {
	a := append([]byte{2}, bytes.Repeat([]byte{1}, 32)...)
	b := append([]byte{3}, bytes.Repeat([]byte{2}, 32)...)
	return game.Terms{AKey: a, BKey: b, AGold: 50_000, Memo: "castle", Expiry: 100, Nonce: 1}
}

func samples() []Message {
	hdr := wire.BlockHeader{Version: 4, PrevBlock: chainhash.Hash{1}, MerkleRoot: chainhash.Hash{2}, Timestamp: 1795478400, Bits: 0x207fffff, Nonce: 3}
	blk := &wire.MsgBlock{Header: hdr, Transactions: []*wire.MsgTx{sampleTx(1), sampleWitnessTx()}}
	return []Message{
		&Version{Version: ProtocolVersion, Services: SFNodeNetwork | SFNodeWitness, Timestamp: 1795478400,
			AddrRecv: NetAddress{Services: 1, Addr: netip.MustParseAddr("127.0.0.1"), Port: 2200},
			AddrFrom: NetAddress{Addr: netip.MustParseAddr("2001:db8::1"), Port: 18444},
			Nonce:    0x0102030405060708, UserAgent: "/gg-node:0.3.0/", StartHeight: 101, Relay: true},
		&Empty{Cmd: CmdVerAck}, &Empty{Cmd: CmdSendHeaders}, &Empty{Cmd: CmdGetAddr}, &Empty{Cmd: CmdMempool},
		&Empty{Cmd: CmdWtxidRelay}, &Empty{Cmd: CmdSendAddrV2},
		&Ping{Nonce: 42}, &Pong{Nonce: 42}, &FeeFilter{Rate: 1000}, &SendCmpct{HighBandwidth: true, Version: 2},
		&Addr{List: []TimedAddress{{Time: 1, NetAddress: NetAddress{Services: 9, Addr: netip.MustParseAddr("10.0.0.1"), Port: 2000}}}},
		&AddrV2{List: []AddrV2Entry{{Time: 5, Services: 1<<63 | 9, Network: NetIPv4, Addr: []byte{10, 0, 0, 2}, Port: 2000},
			{Time: 6, Services: 1, Network: 77, Addr: []byte{1, 2, 3}, Port: 1}}},
		&Inv{Cmd: CmdInv, List: []InvVect{{InvWTx, chainhash.Hash{7}}, {InvBlock, chainhash.Hash{8}}}},
		&Inv{Cmd: CmdGetData, List: []InvVect{{InvWitnessTx, chainhash.Hash{7}}}},
		&Inv{Cmd: CmdNotFound, List: []InvVect{}},
		&GetHeaders{Cmd: CmdGetHeaders, Version: ProtocolVersion, Locator: []chainhash.Hash{{1}, {2}}},
		&GetHeaders{Cmd: CmdGetBlocks, Version: ProtocolVersion, Locator: []chainhash.Hash{}, Stop: chainhash.Hash{3}},
		&Headers{List: []wire.BlockHeader{hdr, hdr}},
		&Block{Block: blk},
		&Tx{Tx: sampleTx(4)}, &Tx{Tx: sampleWitnessTx()},
		&CmpctBlock{Header: hdr, Nonce: 99, ShortIDs: []uint64{1<<48 - 1, 5},
			Prefilled: []PrefilledTx{{Index: 0, Tx: sampleTx(1)}, {Index: 2, Tx: sampleWitnessTx()}}},
		&GetBlockTxn{Block: chainhash.Hash{5}, Indexes: []uint16{1, 2, 700, 0xffff}},
		&BlockTxn{Block: chainhash.Hash{5}, Txs: []*wire.MsgTx{sampleTx(2)}},
		&Offer{Terms: sampleTerms(), ASig: []byte{0x30, 1, 2}, Tx: sampleTx(3)},
		&Offer{Signed: true, Terms: sampleTerms(), ASig: []byte{0x30, 1, 2}, BSig: []byte{0x30, 3}, Tx: sampleWitnessTx()},
		&Withdraw{ID: chainhash.Hash{8}, Sig: []byte{0x30, 9}},
		&GetCFilters{Cmd: CmdGetCFilters, StartHeight: 7, Stop: chainhash.Hash{9}},
		&GetCFilters{Cmd: CmdGetCFHeaders, FilterType: 1, StartHeight: 1 << 31, Stop: chainhash.Hash{9}},
		&CFilter{Block: chainhash.Hash{10}, Filter: []byte{1, 2, 3}}, &CFilter{Block: chainhash.Hash{10}, Filter: []byte{}},
		&CFHeaders{Stop: chainhash.Hash{11}, PrevHeader: chainhash.Hash{12}, FilterHashes: []chainhash.Hash{{13}, {14}}},
		&GetCFCheckpt{Stop: chainhash.Hash{15}},
		&CFCheckpt{Stop: chainhash.Hash{15}, Headers: []chainhash.Hash{{16}}},
	}
}

// TestRoundTrip: every message frames, reads back equal, and its payload
// re-encodes to the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, m := range samples() {
		frame := Encode(testMagic, m)
		got, n, err := ReadMessage(bytes.NewReader(frame), testMagic)
		if err != nil {
			t.Fatalf("%s: %v", m.Command(), err)
		}
		if n != len(frame) {
			t.Errorf("%s: read %d of %d bytes", m.Command(), n, len(frame))
		}
		if !bytes.Equal(Payload(got), Payload(m)) {
			t.Errorf("%s: payload changed", m.Command())
		}
		switch m.(type) {
		case *Block, *Tx, *CmpctBlock, *BlockTxn, *Offer:
			continue // transactions: compared by their bytes above
		}
		if !reflect.DeepEqual(normalize(got), normalize(m)) {
			t.Errorf("%s: %+v, want %+v", m.Command(), got, m)
		}
		if len(Payload(m)) > MaxPayloadFor(m.Command()) {
			t.Errorf("%s: sample above its limit", m.Command())
		}
	}
}

// normalize maps nil and empty slices alike for comparison.
func normalize(m Message) Message {
	if inv, ok := m.(*Inv); ok && len(inv.List) == 0 {
		return &Inv{Cmd: inv.Cmd}
	}
	if g, ok := m.(*GetHeaders); ok && len(g.Locator) == 0 {
		c := *g
		c.Locator = nil
		return &c
	}
	return m
}

// TestFrameVectors pins the framing: verack's empty payload has Bitcoin's
// well-known checksum 5df6e0e2, and a ping's header.
func TestFrameVectors(t *testing.T) {
	if got := hex.EncodeToString(Encode(testMagic, &Empty{Cmd: CmdVerAck})); got != "fae9a2b776657261636b000000000000000000005df6e0e2" {
		t.Errorf("verack frame %s", got)
	}
	ping := Encode(testMagic, &Ping{Nonce: 1})
	if got := hex.EncodeToString(ping[:24]); !strings.HasPrefix(got, "fae9a2b770696e670000000000000000"+"08000000") {
		t.Errorf("ping header %s", got)
	}
}

func frame(magic uint32, cmd string, payload []byte) []byte {
	return append(AppendHeader(nil, magic, cmd, payload), payload...)
}

// TestReadMessageErrors: each refusal has its kind, and an oversized
// length is refused before the payload is read or allocated.
func TestReadMessageErrors(t *testing.T) {
	good := Encode(testMagic, &Ping{Nonce: 1})
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 1
	badCmd := append([]byte(nil), good...)
	copy(badCmd[4:16], "pi\x00g\x00\x00\x00\x00\x00\x00\x00\x00")
	lower := append([]byte(nil), good...)
	copy(lower[4:16], "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	bigHeaders := AppendHeader(nil, testMagic, CmdHeaders, nil)
	bigHeaders[16], bigHeaders[17], bigHeaders[18], bigHeaders[19] = 0xff, 0xff, 0xff, 0x7f
	bigPing := frame(testMagic, CmdPing, make([]byte, 9))
	cases := []struct {
		name string
		in   []byte
		kind error
	}{
		{"wrong magic", Encode(0xe1c6a7f3, &Ping{}), ErrBadMagic},
		{"bad checksum", badSum, ErrBadChecksum},
		{"NUL inside the command", badCmd, ErrBadCommand},
		{"empty command", lower, ErrBadCommand},
		{"headers length 2 GB", bigHeaders, ErrOversized},
		{"ping of 9 bytes", bigPing, ErrOversized},
		{"unknown command", frame(testMagic, "gossip", []byte{1, 2}), ErrUnknownCommand},
		{"trailing byte", frame(testMagic, CmdVerAck, nil)[:24], nil},
	}
	for _, c := range cases[:len(cases)-1] {
		_, _, err := ReadMessage(bytes.NewReader(c.in), testMagic)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
	// An unknown command's payload is consumed: the next message reads.
	r := bytes.NewReader(append(frame(testMagic, "gossip", []byte{1, 2}), good...))
	if _, _, err := ReadMessage(r, testMagic); !errors.Is(err, ErrUnknownCommand) {
		t.Fatal(err)
	}
	if m, _, err := ReadMessage(r, testMagic); err != nil || m.(*Ping).Nonce != 1 {
		t.Fatalf("after an unknown command: %v %v", m, err)
	}
	// A truncated payload is an unexpected EOF, not a decode error.
	if _, _, err := ReadMessage(bytes.NewReader(good[:len(good)-1]), testMagic); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %v", err)
	}
	// The oversized length is refused without reading further: a reader
	// that would fail on any read past the header proves it.
	if _, n, err := ReadMessage(io.MultiReader(bytes.NewReader(bigHeaders), failReader{}), testMagic); !errors.Is(err, ErrOversized) || n != HeaderSize {
		t.Errorf("oversized: read %d bytes, %v", n, err)
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("read past the header") }

// TestDecodeErrors: non-canonical and out-of-limit payloads of each kind.
func TestDecodeErrors(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			panic(err)
		}
		return b
	}
	hdr := wire.BlockHeader{Version: 4, Bits: 0x207fffff}
	headerWithCount := append(append([]byte{1}, hdr.Bytes()...), 1)
	inv50001 := append(wire.AppendCompactSize(nil, MaxInv+1), make([]byte, (MaxInv+1)*36)...)
	cases := []struct {
		cmd     string
		payload []byte
	}{
		{CmdVerAck, []byte{0}},
		{CmdPing, h("0100")},
		{CmdFeeFilter, h("ffffffffffffffff")},
		{CmdSendCmpct, h("02 0200000000000000")},
		{CmdVersion, append(Payload(&Version{UserAgent: "ok"}), 0)},                    // trailing byte
		{CmdVersion, bytes.Replace(Payload(&Version{UserAgent: "a\nb"}), nil, nil, 1)}, // control character
		{CmdVersion, Payload(&Version{UserAgent: strings.Repeat("a", MaxUserAgent+1)})},
		{CmdVersion, append(Payload(&Version{})[:len(Payload(&Version{}))-1], 2)}, // relay byte 2
		{CmdInv, h("fd0100")},                                                     // non-minimal count
		{CmdInv, h("02")},                                                         // count beyond the bytes
		{CmdInv, inv50001},
		{CmdHeaders, headerWithCount}, // tx count 1
		{CmdHeaders, append(wire.AppendCompactSize(nil, MaxHeaders+1), make([]byte, (MaxHeaders+1)*81)...)},
		{CmdGetHeaders, append(append([]byte{1, 0, 0, 0}, wire.AppendCompactSize(nil, MaxLocator+1)...), make([]byte, (MaxLocator+2)*32)...)},
		{CmdAddr, append(wire.AppendCompactSize(nil, MaxAddr+1), make([]byte, (MaxAddr+1)*30)...)},
		{CmdAddrV2, h("01 05000000 01 01 03 0a0000 d007")},       // IPv4 of 3 bytes
		{CmdAddrV2, h("01 05000000 fd0100 01 04 0a000001 d007")}, // non-minimal services
		{CmdGetBlockTxn, append(make([]byte, 32), h("02 ffff03 01")...)},
		{CmdCmpctBlock, append(append(hdr.Bytes(), make([]byte, 8)...), h("00 01 01")...)}, // prefilled index 1 of 1
		{CmdTx, append(Payload(&Tx{sampleTx(1)}), 0)},
		{CmdOffer, append([]byte{3}, Payload(&Offer{Terms: sampleTerms(), ASig: []byte{1}, Tx: sampleTx(1)})[1:]...)}, // state 3
		{CmdOffer, Payload(&Offer{Terms: sampleTerms(), ASig: []byte{1}, BSig: []byte{2}, Tx: sampleTx(1)})},          // published with b_sig
		{CmdOffer, Payload(&Offer{Signed: true, Terms: sampleTerms(), ASig: []byte{1}, Tx: sampleTx(1)})},             // signed without b_sig
		{CmdWithdraw, append(make([]byte, 32), 0)},                                                                    // empty signature
	}
	for i, c := range cases {
		if _, err := Decode(c.cmd, c.payload); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrOversized) {
			t.Errorf("case %d (%s %x…): %v, want a refusal", i, c.cmd, c.payload[:min(len(c.payload), 16)], err)
		}
	}
	if _, err := Decode("nosuch", nil); !errors.Is(err, ErrUnknownCommand) {
		t.Errorf("unknown: %v", err)
	}
}

// TestShortIDs: the nonce changes the keys, and a short id is 48 bits
// wide (lib/siphash checks SipHash-2-4 itself).
func TestShortIDs(t *testing.T) {
	hdr := wire.BlockHeader{Version: 4}
	a0, a1 := ShortIDKeys(&hdr, 1)
	b0, b1 := ShortIDKeys(&hdr, 2)
	if a0 == b0 && a1 == b1 {
		t.Error("the nonce does not change the keys")
	}
	if id := ShortID(a0, a1, chainhash.Hash{1}); id >= 1<<48 {
		t.Errorf("short id %x wider than 48 bits", id)
	}
}

// TestRawBlock: a stored block served raw frames exactly as the decoded
// block would, and decodes to it.
func TestRawBlock(t *testing.T) {
	hdr := wire.BlockHeader{Version: 2, Timestamp: 7, Bits: 0x207fffff}
	blk := &wire.MsgBlock{Header: hdr, Transactions: []*wire.MsgTx{sampleTx(1), sampleWitnessTx()}}
	raw := &RawBlock{Bytes: blk.Bytes()}
	if raw.Command() != CmdBlock || !bytes.Equal(Payload(raw), Payload(&Block{Block: blk})) {
		t.Fatal("a raw block's frame differs from the block's")
	}
	m, err := Decode(CmdBlock, Payload(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(*Block).Block.BlockHash(); got != blk.BlockHash() {
		t.Fatalf("decoded %v, want %v", got, blk.BlockHash())
	}
}

// TestReadMessageAdmitSteps: a payload's memory is admitted as its bytes
// arrive, doubling from ReadChunk: an announcement with nothing behind
// it is admitted one step, a refused step ends the read before the
// payload is read.
func TestReadMessageAdmitSteps(t *testing.T) {
	size := 3*ReadChunk + 5
	full := frame(testMagic, "gossip", make([]byte, size))
	cases := []struct {
		name   string
		stream []byte
		refuse int // the step refused (1-based), 0 none
		steps  []uint32
		err    error
	}{
		{"whole payload", full, 0, []uint32{ReadChunk, ReadChunk, uint32(size - 2*ReadChunk)}, ErrUnknownCommand},
		{"header only", full[:HeaderSize], 0, []uint32{ReadChunk}, io.ErrUnexpectedEOF},
		{"one step and a byte", full[:HeaderSize+ReadChunk+1], 0, []uint32{ReadChunk, ReadChunk}, io.ErrUnexpectedEOF},
		{"first step refused", full, 1, []uint32{ReadChunk}, ErrNotAdmitted},
		{"second step refused", full, 2, []uint32{ReadChunk, ReadChunk}, ErrNotAdmitted},
		{"empty payload", frame(testMagic, CmdVerAck, nil), 0, nil, nil},
	}
	for _, c := range cases {
		var steps []uint32
		_, n, err := ReadMessageAdmit(bytes.NewReader(c.stream), testMagic, func(k uint32) bool {
			steps = append(steps, k)
			return len(steps) != c.refuse
		})
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
		if !slices.Equal(steps, c.steps) {
			t.Errorf("%s: admitted %v, want %v", c.name, steps, c.steps)
		}
		if c.refuse > 0 {
			if want := HeaderSize + (c.refuse-1)*ReadChunk; n != want {
				t.Errorf("%s: read %d bytes, want %d", c.name, n, want)
			}
		}
	}
}
