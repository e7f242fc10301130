package msg

import (
	"bytes"
	"sort"
	"testing"
)

func commands() []string {
	var out []string
	for c := range kinds {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// FuzzDecode: no panic on any payload of any command, and whatever
// decodes is canonical (re-encodes to the same bytes) and within the
// command's limit.
func FuzzDecode(f *testing.F) {
	cmds := commands()
	idx := map[string]byte{}
	for i, c := range cmds {
		idx[c] = byte(i)
	}
	for _, m := range samples() {
		f.Add(idx[m.Command()], Payload(m))
	}
	f.Fuzz(func(t *testing.T, which byte, payload []byte) {
		cmd := cmds[int(which)%len(cmds)]
		m, err := Decode(cmd, payload)
		if err != nil {
			return
		}
		if m.Command() != cmd {
			t.Fatalf("decoded %s as %s", cmd, m.Command())
		}
		if out := Payload(m); !bytes.Equal(out, payload) {
			t.Fatalf("%s not canonical:\n in  %x\n out %x", cmd, payload, out)
		}
	})
}

// FuzzReadMessage: the stream reader never panics, and a message it
// returns re-frames to exactly the bytes it consumed.
func FuzzReadMessage(f *testing.F) {
	for _, m := range samples() {
		f.Add(Encode(testMagic, m))
	}
	f.Add(frame(testMagic, "gossip", []byte{1}))
	f.Fuzz(func(t *testing.T, stream []byte) {
		m, n, err := ReadMessage(bytes.NewReader(stream), testMagic)
		if n > len(stream) {
			t.Fatalf("read %d of %d bytes", n, len(stream))
		}
		if err != nil {
			return
		}
		if out := Encode(testMagic, m); !bytes.Equal(out, stream[:n]) {
			t.Fatalf("%s re-frames differently", m.Command())
		}
	})
}
