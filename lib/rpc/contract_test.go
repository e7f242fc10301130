package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// publishContract is a contract backend with a wallet that records what
// contract.publish asks for.
type publishContract struct {
	ContractBackend
	got *ContractPublishSpec
}

func (publishContract) WalletLoaded() bool { return true }

func (b publishContract) Publish(_ context.Context, _ GameOptions, spec ContractPublishSpec) (*ContractActionJSON, error) {
	*b.got = spec
	return &ContractActionJSON{}, nil
}

// TestContractPublishAmounts: agold and bgold are exact GG amounts; left
// out, null or 0 mean none, while an empty string or any other text that
// is not an amount is a params error (bgold "" used to pass as 0).
func TestContractPublishAmounts(t *testing.T) {
	var got ContractPublishSpec
	var publish Handler
	for _, m := range (&ContractService{Backend: publishContract{got: &got}}).Methods() {
		if m.Name == "contract.publish" {
			publish = m.Handler
		}
	}
	bkey := "02" + strings.Repeat("11", 32)
	call := func(params ...any) error {
		b, _ := json.Marshal(params)
		got = ContractPublishSpec{}
		_, err := publish(context.Background(), b)
		return err
	}
	for _, c := range []struct {
		name         string
		params       []any
		agold, bgold int64
	}{
		{"bgold left out", []any{bkey, 100, "1"}, 1_0000_0000, 0},
		{"bgold null", []any{bkey, 100, "1", nil, nil}, 1_0000_0000, 0},
		{"bgold 0", []any{bkey, 100, "1", nil, 0}, 1_0000_0000, 0},
		{"bgold \"0\"", []any{bkey, 100, "1", nil, "0"}, 1_0000_0000, 0},
		{"bgold \"0.5\"", []any{bkey, 100, 2, nil, "0.5"}, 2_0000_0000, 5000_0000},
	} {
		if err := call(c.params...); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.AGold != c.agold || got.BGold != c.bgold {
			t.Errorf("%s: agold %d bgold %d, want %d %d", c.name, got.AGold, got.BGold, c.agold, c.bgold)
		}
	}
	for _, c := range []struct {
		name   string
		params []any
	}{
		{"bgold empty string", []any{bkey, 100, "1", nil, ""}},
		{"bgold blank string", []any{bkey, 100, "1", nil, " "}},
		{"bgold \"null\"", []any{bkey, 100, "1", nil, "null"}},
		{"bgold \"0e0\"", []any{bkey, 100, "1", nil, "0e0"}},
		{"bgold true", []any{bkey, 100, "1", nil, true}},
		{"agold empty string", []any{bkey, 100, "", nil, "1"}},
		{"bgold negative", []any{bkey, 100, "1", nil, "-1"}},
	} {
		err := call(c.params...)
		var re *Error
		if !errors.As(err, &re) || re.Code != CodeInvalidParams {
			t.Errorf("%s: %v, want code %d", c.name, err, CodeInvalidParams)
		}
	}
}
