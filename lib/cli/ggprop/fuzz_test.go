package ggprop

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/game"
)

// FuzzParsePropFile feeds arbitrary files to the --from-file parser: no
// panic; what it accepts is 1 to game.MaxBatch props that pass the
// client checks, on lines of the file in order (JSON objects may share
// one); written back as CSV
// (with a header) or as JSON lines, they parse to the same props.
func FuzzParsePropFile(f *testing.F) {
	for _, s := range []string{
		"oid,gold,address\nsword,0.001\nshield, 0.0002 ,rg1qxyz\n",
		"sword,0.001\nshield,0.0002,rg1qxyz\n",
		"\ufeffoid,gold\n\"a,b\",1\n\" lead\",0.0001\n",
		"{\"oid\":\"sword\",\"gold\":\"0.001\"}\n{\"oid\":\"shield\",\"gold\":0.0002,\"address\":\"rg1qxyz\"}\n",
		"{\"oid\":\"a\",\n \"gold\":\"1\"}\n\n{\"oid\":\"\",\"gold\":\"21000000\"}",
		"oid,gold\n",
		"{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := parsePropFile(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(items) == 0 || len(items) > game.MaxBatch {
			t.Fatalf("accepted %d props", len(items))
		}
		lines := 1 + bytes.Count(b, []byte{'\n'})
		for i, it := range items {
			if checkAddressText(it.Address) != nil || strings.TrimSpace(it.Address) != it.Address {
				t.Fatalf("accepted address %q", it.Address)
			}
			if checkOID(it.OID, "oid") != nil {
				t.Fatalf("accepted oid %q", it.OID)
			}
			if _, err := parseGold(it.Gold, "gold"); err != nil {
				t.Fatalf("accepted gold %q", it.Gold)
			}
			if it.line < 1 || it.line > lines || (i > 0 && it.line < items[i-1].line) {
				t.Fatalf("prop %d on line %d (previous %d, %d lines)", i, it.line, items[max(i-1, 0)].line, lines)
			}
		}
		var c bytes.Buffer
		w := csv.NewWriter(&c)
		_ = w.Write([]string{"oid", "gold", "address"})
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		for _, it := range items {
			_ = w.Write([]string{it.OID, it.Gold, it.Address})
			_ = enc.Encode(it)
		}
		w.Flush()
		for form, text := range map[string][]byte{"csv": c.Bytes(), "json": j.Bytes()} {
			again, err := parsePropFile(bytes.NewReader(text))
			if err != nil || len(again) != len(items) {
				t.Fatalf("%s form %q of %q: %d props, %v", form, text, b, len(again), err)
			}
			for i := range items {
				x, y := items[i], again[i]
				if x.OID != y.OID || x.Gold != y.Gold || x.Address != y.Address {
					t.Fatalf("%s form of %q: prop %d %+v came back as %+v", form, b, i, x, y)
				}
			}
		}
	})
}
