package mempool

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/game"
)

// reasoned is an error with a Reason, as the chain's game rejections
// are ("transaction <txid>: <code>: <message>", reason <code>).
type reasoned struct{ reason, text string }

func (r reasoned) Error() string  { return r.text }
func (r reasoned) Reason() string { return r.reason }

func TestRejectMessage(t *testing.T) {
	taken := gameRuleError("game-name-taken", `the name "starfall" is taken`)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"game rule", taken, `game-name-taken: the name "starfall" is taken`},
		{"game rule wrapped by the wallet", fmt.Errorf("wallet: register producer: broadcast ab: %w", taken), `game-name-taken: the name "starfall" is taken`},
		{"policy", ruleError(ErrInsufficientFee, "replacement pays 100, needs 200"), "insufficient fee: replacement pays 100, needs 200"},
		{"policy without description", ruleError(ErrDust, ""), "dust: output below the dust threshold"},
		{"chain game rule", reasoned{"game-name-taken", "transaction ab: game-name-taken: taken"}, "game-name-taken: transaction ab: taken"},
		{"text is the reason", reasoned{"high-hash", "high-hash"}, "high-hash"},
		{"consensus", fmt.Errorf("check: %w", chain.RuleError{Kind: chain.ErrMissingTxOut, Description: "output ab:0 missing"}), "bad-txns-inputs-missingorspent: output ab:0 missing"},
	}
	for _, c := range cases {
		if got := RejectMessage(c.err); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestRejectMessageErrors(t *testing.T) {
	// Errors without a reason pass through; a game cause alone (no
	// pool RuleError) keeps its own "<code>: <message>".
	plain := errors.New("disk full")
	if got := RejectMessage(plain); got != "disk full" {
		t.Errorf("plain: %q", got)
	}
	g := &game.RuleError{Code: "game-x", Message: "m"}
	if got := RejectMessage(g); got != "game-x: m" {
		t.Errorf("bare game error: %q", got)
	}
}
