package cli

import (
	"errors"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/rpc"
)

// NodeClient finds the node the way every thin client does: --rpc-url
// (GG_RPC_URL) if given, else the datadir's rpc.addr and .cookie. A
// password in --rpc-url on the command line warns (GG_RPC_URL keeps it
// out of ps).
func NodeClient(c *ucli.Context) (*rpc.Client, error) {
	_, dir, err := NetworkDir(c)
	if err != nil {
		return nil, err
	}
	url := c.String(FlagRPCURL)
	if url != os.Getenv(envName(FlagRPCURL)) {
		WarnSecretURL(c, url, envName(FlagRPCURL))
	}
	client, err := rpc.Discover(url, dir)
	if err != nil {
		return nil, Unavailable(err, "start gg-node, or pass --rpc-url / --datadir")
	}
	return client, nil
}

// CallError turns an RPC call's error into a user error: an unreachable
// node exits 3 with a hint, a refused request (login backoff, node busy)
// exits 3; a JSON-RPC error keeps its message, prefixed
// by what (e.g. "transaction rejected"), with its code when verbose.
func CallError(err error, what string, withCode bool) error {
	var re *rpc.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		msg := re.Message
		if what != "" {
			msg = what + ": " + msg
		}
		if withCode {
			return Failf("%s (code %d)", msg, re.Code)
		}
		return Failf("%s", msg)
	case errors.Is(err, rpc.ErrNoNode):
		return Unavailable(err, "is gg-node running? (--rpc-url / --datadir)")
	case errors.Is(err, rpc.ErrRefused):
		return Unavailable(err, "")
	}
	return err
}

// WalletCaller makes the JSON-RPC calls of a thin client of the wallet the
// node hosts (gg-wallet, gg-prop, gg-contract) and words the node's errors
// in the house voice. The zero value words the errors every such client
// shares; its fields add a binary's own wording.
type WalletCaller struct {
	// Hints adds a hint, naming the fix, to the node's message for these
	// JSON-RPC error codes.
	Hints map[int]string
	// Rejected words a mempool rejection (rpc.CodeVerifyRejected) from the
	// node's message; nil keeps the message as other errors do.
	Rejected func(msg string) string
}

// Call makes one RPC call to the node (found by NodeClient) and returns
// its error as Error does.
func (w WalletCaller) Call(c *ucli.Context, method string, out any, params ...any) error {
	client, err := NodeClient(c)
	if err != nil {
		return err
	}
	return w.Error(client.Call(c.Context, method, out, params...))
}

// Error turns an RPC call's error into a user error. A locked or missing
// wallet gets the message and hint of every client; invalid parameters
// exit 2 (usage); other JSON-RPC errors keep the node's message, without
// its "(gg-wallet unlock)" tail, plus the hint Hints names for the code.
// Errors other than JSON-RPC errors go through CallError.
func (w WalletCaller) Error(err error) error {
	if err == nil {
		return nil
	}
	var re *rpc.Error
	if !errors.As(err, &re) {
		return CallError(err, "", false)
	}
	switch re.Code {
	case rpc.CodeWalletLocked:
		return WithHint(Failf("wallet is locked"), "unlock it first: gg-wallet unlock")
	case rpc.CodeWalletNotFound:
		return WithHint(Failf("no wallet loaded"), "create one: gg-wallet create (or gg-wallet restore)")
	case rpc.CodeVerifyRejected:
		if w.Rejected != nil {
			return Failf("%s", w.Rejected(re.Message))
		}
	}
	e := Failf("%s", strings.TrimSuffix(re.Message, " (gg-wallet unlock)"))
	if h, ok := w.Hints[re.Code]; ok {
		e = WithHint(e, h)
	}
	if re.Code == rpc.CodeInvalidParams {
		e.Code = ExitUsage
	}
	return e
}
