package stratum

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzStratumLine feeds arbitrary bytes through the line reader and the
// decoder, and a decoded message through the params parsers: nothing
// panics, no line exceeds the bound, and what parses re-encodes to the
// same value.
func FuzzStratumLine(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5.1"]}`,
		`{"id":2,"method":"mining.authorize","params":["w","p"]}`,
		`{"id":4,"method":"mining.submit","params":["w","1","00000000","5f5e1000","73613700"]}`,
		`{"id":4,"method":"mining.submit","params":["w","1","0000000000000000","5f5e1000","73613700","00002000"]}`,
		`{"id":null,"method":"mining.notify","params":["1","` + zeros64 + `","01","02",[],"20000000","207fffff","5f5e1000",true]}`,
		`{"id":1,"result":[[["mining.set_difficulty","a"],["mining.notify","a"]],"01020304",4],"error":null}`,
		`{"id":1,"result":null,"error":[21,"Job not found",null]}`,
		"{\"id\":1}\r\n\n{", `{"id":1,"method":"x","params":{}}`, "[]", "\x00\xff",
	} {
		f.Add([]byte(s + "\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lr := NewLineReader(bytes.NewReader(data), 256)
		for {
			line, err := lr.ReadLine()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrLineTooLong) {
					t.Fatalf("ReadLine: unexpected error %v", err)
				}
				return
			}
			if len(line) >= 256 {
				t.Fatalf("line of %d bytes under a 256-byte bound", len(line))
			}
			m, err := DecodeLine(line)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("DecodeLine: error %v does not wrap ErrMalformed", err)
				}
				continue
			}
			ps, err := m.ParamList()
			if err != nil {
				continue
			}
			if s, err := ParseSubmit(ps); err == nil {
				back, err := ParseSubmit(mustRaw(t, s.Params()))
				if err != nil || !bytes.Equal(back.Extranonce2, s.Extranonce2) || back.Nonce != s.Nonce ||
					back.Time != s.Time || back.VersionBits != s.VersionBits || back.JobID != s.JobID {
					t.Fatalf("submit round trip: %+v -> %+v, %v", s, back, err)
				}
			}
			if n, err := ParseNotify(m.Params); err == nil {
				back, err := ParseNotify(mustRawArray(t, n.Params()))
				if err != nil || back.PrevHash != n.PrevHash || back.Bits != n.Bits || !bytes.Equal(back.Coinb1, n.Coinb1) {
					t.Fatalf("notify round trip: %+v -> %+v, %v", n, back, err)
				}
			}
			if m.Result != nil {
				var sub Subscription
				_ = json.Unmarshal(m.Result, &sub)
			}
		}
	})
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"

func mustRaw(t *testing.T, p []any) []json.RawMessage {
	var out []json.RawMessage
	for _, v := range p {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func mustRawArray(t *testing.T, p []any) json.RawMessage {
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
