package rpc

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseParamsExactKeys: an object param decoded into a struct takes
// its keys exactly as the json tags spell them: a key that matches one
// only case-insensitively ({"Account": ...}, which encoding/json would
// fold onto account, and with both present let the later win) is refused
// with -32602 naming it, at any depth; exact keys decode.
func TestParseParamsExactKeys(t *testing.T) {
	type move struct {
		Address string `json:"address"`
		Prop    string `json:"prop"`
	}
	bad := []struct {
		name, raw string
		dst       func() any
		key       string
	}{
		{"both spellings", `["00",{"account":"a","Account":"b"}]`, func() any { return new(FundOptions) }, `"Account"`},
		{"other case alone", `["00",{"FEERATE":1}]`, func() any { return new(FundOptions) }, `"FEERATE"`},
		{"in a list", `["00",[{"address":"x","Prop":"y"}]]`, func() any { return new([]move) }, `"Prop"`},
		{"Unicode folding", `["00",[{"addreſſ":"x","prop":"y"}]]`, func() any { return new([]move) }, `"addreſſ"`},
		{"named", `{"hexstring":"00","options":{"MaxFeeRate":1}}`, func() any { return new(FundOptions) }, `"MaxFeeRate"`},
	}
	for _, b := range bad {
		var hs string
		err := ParseParams(json.RawMessage(b.raw), []string{"hexstring", "options"}, 1, &hs, b.dst())
		re, ok := err.(*Error)
		if !ok || re.Code != CodeInvalidParams || !strings.Contains(re.Message, b.key) || !strings.Contains(re.Message, "case") {
			t.Errorf("%s: %v, want -32602 naming %s", b.name, err, b.key)
		}
	}
	var hs string
	var opts FundOptions
	if err := ParseParams(json.RawMessage(`["00",{"account":"a","feeRate":"0.1","maxfeerate":0}]`), []string{"hexstring", "options"}, 1, &hs, &opts); err != nil ||
		opts.Account != "a" || string(opts.FeeRate) != `"0.1"` || string(opts.MaxFeeRate) != "0" {
		t.Errorf("exact keys: %+v %v", opts, err)
	}
	var moves []move
	if err := ParseParams(json.RawMessage(`[[{"address":"x","prop":"y"}]]`), []string{"moves"}, 1, &moves); err != nil || len(moves) != 1 || moves[0].Prop != "y" {
		t.Errorf("a list of moves: %+v %v", moves, err)
	}
	// getblocktemplate's request object too.
	if _, err := parseTemplateRequest(json.RawMessage(`[{"Mode":"proposal"}]`)); err == nil || !strings.Contains(err.Error(), `"Mode"`) {
		t.Errorf("template request with Mode: %v", err)
	}
	if r, err := parseTemplateRequest(json.RawMessage(`[{"mode":"template","other":1}]`)); err != nil || r.Mode != "template" {
		t.Errorf("template request: %+v %v", r, err)
	}
}
