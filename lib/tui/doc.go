// Package tui is gg-console's terminal user interface: a bubbletea model
// (Elm architecture: Init, Update, View) of the operator's pages —
// dashboard, blocks, mempool, peers, producers, props, auctions,
// contracts, wallet and the log — and the page data both
// the model and gg-console's --once snapshots read (Snapshot).
//
// The model does no I/O itself: every call to the node runs inside a
// tea.Cmd, through the Backend interface (JSON-RPC calls, which
// *rpc.Client serves, and an event feed, which the node's WebSocket
// subscription serves). Tests hand it a fixed data set instead of a node.
//
// Live data: the model follows the node's events (blocks, mempool,
// producers, props, contracts, peers) and reloads the pages they touch;
// a backend without events (ErrNoEvents) is polled instead. A lost
// connection shows a banner, is retried every second, and the feed
// resumes after the last block seen.
//
// The log page shows the node's log (node.log), followed live on the
// events' log topic when the backend is a LogFollower (on a feed of its
// own) and polled otherwise while it is shown; s shows instead the
// session's own log: its events, actions and connection changes.
//
// Safe actions: whatever changes state shows what will be broadcast —
// amounts, fee (from a dry run the node signs but does not send),
// recipient — and waits for "y". A locked wallet asks for its passphrase
// (masked, never logged); the console unlocks for the action only and
// locks again after it, unless the operator gives an unlock timeout.
//
// Colours come from the lipgloss renderer the caller passes (NO_COLOR:
// the Ascii profile); the selected row and the active tab are marked
// with characters as well, so nothing depends on colour.
package tui
