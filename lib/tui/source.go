package tui

import (
	"context"
	"errors"
	"net"

	"github.com/gamegold/gg/lib/rpc"
)

// Caller makes the node's JSON-RPC calls; *rpc.Client satisfies it.
type Caller interface {
	Call(ctx context.Context, method string, out any, params ...any) error
}

// Feed is a stream of the node's events, as an *rpc.Subscription gives
// them; Close ends it and its connection.
type Feed interface {
	Next(ctx context.Context) (rpc.Notification, error)
	Close() error
}

// Backend is what the console reads and acts through: the node's calls
// and its events.
type Backend interface {
	Caller
	// Subscribe follows the node's events after block since ("": from
	// now). A node without events answers an error matching
	// ErrNoEvents: the console polls it instead.
	Subscribe(ctx context.Context, since string) (Feed, error)
}

// LogFollower is a Backend that also follows the node's log records
// live (the events' log topic), apart from the other events so that a
// burst of records cannot hold them up. A backend without it, or whose
// FollowLog fails, has the log page poll node.log.
type LogFollower interface {
	FollowLog(ctx context.Context) (Feed, error)
}

// ErrNoEvents means the backend has no event feed: poll.
var ErrNoEvents = errors.New("tui: the node serves no events")

// Topics are the event topics the console follows.
var Topics = []string{"blocks", "mempool", "producers", "props", "contracts", "peers"}

// rpcCode is err's JSON-RPC error code, or 0 when err is not one (a
// connection failure, a timeout).
func rpcCode(err error) int {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re.Code
	}
	return 0
}

// rpcMessage is the node's message of a JSON-RPC error, else err's text.
func rpcMessage(err error) string {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}

// connectionError reports an error of the connection, not of the call:
// the node is gone (or refuses us), so the console shows it and retries.
// A JSON-RPC error, or an answer that does not decode, is the call's.
func connectionError(err error) bool {
	var ne net.Error
	return errors.Is(err, rpc.ErrNoNode) || errors.Is(err, rpc.ErrUnauthorized) || errors.Is(err, rpc.ErrRefused) ||
		errors.Is(err, rpc.ErrWSClosed) || errors.As(err, &ne)
}
