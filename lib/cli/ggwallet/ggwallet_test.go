package ggwallet

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/cli"
)

// TestHistoryTable renders history in the one ASCII table style, with
// exact amounts.
func TestHistoryTable(t *testing.T) {
	raw := json.RawMessage(`[{"txid":"ab","status":"pending","category":"send","amount":-1.50000141,"fee":0.00000141,"confirmations":0,"time":0},
		{"txid":"cd","status":"confirmed","category":"receive","amount":50.00000000,"confirmations":3,"time":0}]`)
	h, rows, err := historyTable(raw)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := cli.PrintTable(&b, h, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"| CATEGORY", "-1.50000141", "0.00000141", "| 50.0 ", "+-"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestTablesErrors(t *testing.T) {
	for name, f := range map[string]func(json.RawMessage) ([]string, [][]string, error){
		"history": historyTable, "coins": coinsTable, "address": addressTable, "info": infoTable, "balance": balanceTable,
	} {
		if _, _, err := f(json.RawMessage(`"nope"`)); err == nil {
			t.Errorf("%s: no error for a string", name)
		}
	}
	var a cli.Amount // the tables' amounts: exact, eight decimals at most
	for _, in := range []string{`1e8`, `"x"`, `1.000000001`, `null`} {
		if err := a.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("amount %s accepted", in)
		}
	}
}

// TestBalanceTable prints amounts as every other table does (cli.FormatGG),
// not the JSON's eight decimals.
func TestBalanceTable(t *testing.T) {
	raw := json.RawMessage(`{"confirmed":50.00000000,"unconfirmed":0.00000000,"immature":1.50000141,"locked":0.00010000,
		"reserved":0.00000000,"total":51.50010141,"game":0.00000000}`)
	_, rows, err := balanceTable(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"confirmed", "50.0"}, {"unconfirmed", "0.0"}, {"immature", "1.50000141"}, {"locked", "0.0001"},
		{"reserved", "0.0"}, {"total", "51.50010141"}, {"game", "0.0"}}
	for i, r := range rows {
		if i >= len(want) || r[0] != want[i][0] || r[1] != want[i][1] {
			t.Errorf("row %d: %q, want %q", i, r, want[min(i, len(want)-1)])
		}
	}
	if _, _, err := balanceTable(json.RawMessage(`{"confirmed":"lots"}`)); err == nil {
		t.Error("a balance that is no amount was printed")
	}
}
