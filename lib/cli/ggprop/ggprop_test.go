package ggprop

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/cli"
)

func TestParsePropList(t *testing.T) {
	for name, in := range map[string]string{
		"csv":        "oid,gold,address\nsword,0.001\nshield, 0.0002 ,rg1qxyz\n",
		"csv-nohead": "sword,0.001\nshield,0.0002,rg1qxyz\n",
		"jsonl":      "{\"oid\":\"sword\",\"gold\":\"0.001\"}\n{\"oid\":\"shield\",\"gold\":0.0002,\"address\":\"rg1qxyz\"}\n",
	} {
		items, err := parsePropList(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []propItem{{OID: "sword", Gold: "0.001"}, {OID: "shield", Gold: "0.0002", Address: "rg1qxyz"}}
		for i := range items {
			items[i].line = 0 // TestCreateFromFileLines checks them
		}
		if len(items) != 2 || items[0] != want[0] || items[1] != want[1] {
			t.Errorf("%s: %+v", name, items)
		}
	}
}

func TestParsePropListErrors(t *testing.T) {
	for name, in := range map[string]string{
		"one field":     "sword\n",
		"four fields":   "a,1,b,c\n",
		"bad json":      "{\"oid\":1}\n",
		"unknown field": "{\"oid\":\"a\",\"gold\":\"1\",\"x\":1}\n",
		"no gold":       "{\"oid\":\"a\"}\n",
	} {
		if _, err := parsePropList(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestClientChecks(t *testing.T) {
	if _, err := parseShare("50"); err == nil {
		t.Error("share 50 accepted")
	}
	if s, err := parseShare("49"); err != nil || s != 49 {
		t.Errorf("share 49: %v", err)
	}
	if _, err := parseGold("0.00009999", "gold"); err == nil || !strings.Contains(err.Error(), "below the minimum gold of 0.0001 GG") {
		t.Errorf("low gold: %v", err)
	}
	if err := checkProducerRef("a b"); err == nil {
		t.Error("bad producer name accepted")
	}
}

func TestTables(t *testing.T) {
	raw := json.RawMessage(`[{"id":"ab","oid":"sword","gold":0.00100000,"owner":"rg1q","status":"live","confirmed":true,
		"auction":{"buynow":2.00000000,"bid":1.50000000,"end":120}}]`)
	var ps []propJSON
	if err := json.Unmarshal(raw, &ps); err != nil {
		t.Fatal(err)
	}
	h, rows, _ := propTable(ps)
	var b bytes.Buffer
	if err := cli.PrintTable(&b, h, rows); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| PROP", "0.001", "bid 1.5 / buy-now 2.0, end 120"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if _, _, err := historyTable(json.RawMessage(`"x"`)); err == nil {
		t.Error("history of a string")
	}
}
