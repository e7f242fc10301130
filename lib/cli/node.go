package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/rpc"
)

// NodeClient finds the node the way every thin client does: --rpc-url
// (GG_RPC_URL) if given, else the datadir's rpc.addr and .cookie.
func NodeClient(c *ucli.Context) (*rpc.Client, error) {
	_, dir, err := NetworkDir(c)
	if err != nil {
		return nil, err
	}
	client, err := rpc.Discover(c.String(FlagRPCURL), dir)
	if err != nil {
		return nil, Unavailable(err, "start gg-node, or pass --rpc-url / --datadir")
	}
	return client, nil
}

// CallError turns an RPC call's error into a user error: an unreachable
// node exits 3 with a hint; a JSON-RPC error keeps its message, prefixed
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
	}
	return err
}
