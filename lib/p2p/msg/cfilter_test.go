package msg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// TestCFilterDecodeErrors: BIP157 payloads that are short, long, over
// their counts' limits or claim more than they carry are refused before
// anything is allocated for them.
func TestCFilterDecodeErrors(t *testing.T) {
	hashes := func(n int) []byte { return bytes.Repeat([]byte{0xab}, 32*n) }
	get := Payload(&GetCFilters{Cmd: CmdGetCFilters, StartHeight: 1, Stop: chainhash.Hash{1}})
	cases := []struct {
		name, cmd string
		payload   []byte
	}{
		{"getcfilters short", CmdGetCFilters, get[:36]},
		{"getcfilters long", CmdGetCFilters, append(append([]byte(nil), get...), 0)},
		{"getcfheaders empty", CmdGetCFHeaders, nil},
		{"getcfcheckpt short", CmdGetCFCheckpt, make([]byte, 32)},
		{"cfilter length beyond the bytes", CmdCFilter, append(append([]byte{0}, hashes(1)...), 0xfd, 0xff, 0x00, 1, 2)},
		{"cfilter non-minimal length", CmdCFilter, append(append([]byte{0}, hashes(1)...), 0xfd, 0x01, 0x00, 7)},
		{"cfilter trailing", CmdCFilter, append(append([]byte{0}, hashes(1)...), 0x01, 7, 8)},
		{"cfheaders count beyond the bytes", CmdCFHeaders, append(append([]byte{0}, hashes(2)...), append(wire.AppendCompactSize(nil, 3), hashes(2)...)...)},
		{"cfheaders over 2000", CmdCFHeaders, append(append([]byte{0}, hashes(2)...), append(wire.AppendCompactSize(nil, MaxCFHeaders+1), hashes(MaxCFHeaders+1)...)...)},
		{"cfcheckpt huge count", CmdCFCheckpt, append(append([]byte{0}, hashes(1)...), 0xfe, 0xff, 0xff, 0xff, 0x01)},
	}
	for _, c := range cases {
		if _, err := Decode(c.cmd, c.payload); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrOversized) {
			t.Errorf("%s: %v, want a refusal", c.name, err)
		}
	}
	if MaxPayloadFor(CmdGetCFilters) != 37 || MaxPayloadFor(CmdGetCFCheckpt) != 33 {
		t.Errorf("request limits %d, %d", MaxPayloadFor(CmdGetCFilters), MaxPayloadFor(CmdGetCFCheckpt))
	}
}
