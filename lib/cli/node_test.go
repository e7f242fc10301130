package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

func TestWalletCallerError(t *testing.T) {
	prop := WalletCaller{
		Hints:    map[int]string{rpc.CodeInvalidAddress: "check the id"},
		Rejected: func(msg string) string { return "transaction rejected: " + msg },
	}
	for _, tc := range []struct {
		name   string
		caller WalletCaller
		err    error
		msg    string
		hints  []string
		code   int
	}{
		{"locked", WalletCaller{}, &rpc.Error{Code: rpc.CodeWalletLocked, Message: "wallet is locked (gg-wallet unlock)"},
			"wallet is locked", []string{"unlock it first: gg-wallet unlock"}, ExitError},
		{"no wallet", prop, &rpc.Error{Code: rpc.CodeWalletNotFound, Message: "no wallet"},
			"no wallet loaded", []string{"create one: gg-wallet create (or gg-wallet restore)"}, ExitError},
		{"rejected worded", prop, &rpc.Error{Code: rpc.CodeVerifyRejected, Message: "bad-fee: too low (gg-wallet unlock)"},
			"transaction rejected: bad-fee: too low (gg-wallet unlock)", nil, ExitError},
		{"rejected plain", WalletCaller{}, &rpc.Error{Code: rpc.CodeVerifyRejected, Message: "bad-fee: too low"},
			"bad-fee: too low", nil, ExitError},
		{"hint for the code", prop, &rpc.Error{Code: rpc.CodeInvalidAddress, Message: "unknown prop"},
			"unknown prop", []string{"check the id"}, ExitError},
		{"no hint for the code", WalletCaller{}, &rpc.Error{Code: rpc.CodeInvalidAddress, Message: "unknown prop"},
			"unknown prop", nil, ExitError},
		{"invalid params", prop, &rpc.Error{Code: rpc.CodeInvalidParams, Message: "bad account (gg-wallet unlock)"},
			"bad account", nil, ExitUsage},
		{"wrapped", WalletCaller{}, fmt.Errorf("call: %w", &rpc.Error{Code: rpc.CodeWallet, Message: "insufficient funds"}),
			"insufficient funds", nil, ExitError},
	} {
		err := tc.caller.Error(tc.err)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %T %v, want *Error", tc.name, err, err)
			continue
		}
		if e.Error() != tc.msg || strings.Join(e.Hints, "|") != strings.Join(tc.hints, "|") || e.Code != tc.code {
			t.Errorf("%s: %q hints %q code %d, want %q %q %d", tc.name, e.Error(), e.Hints, e.Code, tc.msg, tc.hints, tc.code)
		}
	}
}

func TestWalletCallerErrorOthers(t *testing.T) {
	if err := (WalletCaller{}).Error(nil); err != nil {
		t.Errorf("nil error: %v", err)
	}
	var e *Error
	if err := (WalletCaller{}).Error(fmt.Errorf("%w at x: refused", rpc.ErrNoNode)); !errors.As(err, &e) || e.Code != ExitUnavailable {
		t.Errorf("unreachable node: %v, want exit %d", err, ExitUnavailable)
	}
	if err := (WalletCaller{}).Error(fmt.Errorf("%w at x: node busy", rpc.ErrRefused)); !errors.As(err, &e) || e.Code != ExitUnavailable {
		t.Errorf("refused request: %v, want exit %d", err, ExitUnavailable)
	}
	other := errors.New("rpc: unauthorized")
	if err := (WalletCaller{}).Error(other); err != other {
		t.Errorf("other error: %v, want it unchanged", err)
	}
}
