package msg

import (
	"bytes"
	"io"
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
// returns re-frames to exactly the bytes it consumed. Read through
// ReadMessageAdmit, in reads of any size, the same stream gives the same
// result, and the payload bytes admitted are at most ReadChunk or twice
// those read, and all of the payload once it is read.
func FuzzReadMessage(f *testing.F) {
	for _, m := range samples() {
		f.Add(Encode(testMagic, m), uint16(0))
	}
	f.Add(frame(testMagic, "gossip", []byte{1}), uint16(1))
	big := frame(testMagic, "gossip", make([]byte, 3*ReadChunk+5))
	f.Add(big, uint16(1000))
	f.Add(big[:HeaderSize+ReadChunk+1], uint16(7))
	f.Fuzz(func(t *testing.T, stream []byte, step uint16) {
		m, n, err := ReadMessage(bytes.NewReader(stream), testMagic)
		if n > len(stream) {
			t.Fatalf("read %d of %d bytes", n, len(stream))
		}
		var r io.Reader = bytes.NewReader(stream)
		if step > 0 {
			r = &stepReader{b: stream, step: int(step)}
		}
		admitted := 0
		m2, n2, err2 := ReadMessageAdmit(r, testMagic, func(k uint32) bool {
			admitted += int(k)
			return true
		})
		if n2 != n || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("admitting: %d bytes, %v; without: %d bytes, %v", n2, err2, n, err)
		}
		if read := max(n-HeaderSize, 0); admitted > max(ReadChunk, 2*read) {
			t.Fatalf("admitted %d payload bytes, %d read", admitted, read)
		}
		if err != nil {
			return
		}
		if admitted != n-HeaderSize {
			t.Fatalf("admitted %d bytes of a %d-byte payload", admitted, n-HeaderSize)
		}
		if out := Encode(testMagic, m); !bytes.Equal(out, stream[:n]) {
			t.Fatalf("%s re-frames differently", m.Command())
		}
		if out := Encode(testMagic, m2); !bytes.Equal(out, stream[:n]) {
			t.Fatalf("%s re-frames differently read in steps of %d", m2.Command(), step)
		}
	})
}

// stepReader returns at most step bytes a read.
type stepReader struct {
	b    []byte
	step int
}

func (s *stepReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), s.step)], s.b)
	s.b = s.b[k:]
	return k, nil
}
