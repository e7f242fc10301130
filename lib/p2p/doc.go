// Package p2p is gg-node's peer layer: handshakes, keep-alives,
// misbehaviour scores and bans, the address book, and the decisions of
// which peers to keep and whom to dial. Block and transaction sync and
// relay sit on top of it (lib/netsync) as a Protocol.
//
// # Driven, not running
//
// The protocol logic is a state machine that never sleeps and starts no
// goroutine of its own: a Host is driven by four calls — Connected (a
// link is up), Received (a message arrived), Disconnected and Tick (time
// passed) — made one at a time, with the time taken from an injected
// Clock. Messages leave through each peer's Link, a message-level
// transport; new connections are asked of a Dialer. The socket adapter
// (NewTCP) turns real connections into those calls from a single event
// loop; a simulator can make the same calls with virtual time and a
// modelled network, and a test can drive a Host step by step.
//
// # Peers
//
// Each side sends version; the other answers verack; wtxidrelay and
// sendaddrv2 go between them, sendheaders, sendcmpct and feefilter after.
// A peer that does not complete the handshake within HandshakeTimeout, or
// does not answer a ping within PingTimeout, is dropped. A connection to
// ourselves (our own version nonce comes back) is closed.
//
// Misbehaviour adds to a peer's score (Misbehaving, with a reason);
// at BanScore the peer is disconnected and its address banned for
// BanDuration, in memory (a bounded set, the oldest dropped first).
// Bans made by setban persist in the datadir (banlist.json).
//
// # Outbound connections
//
// Without Connect, the Host keeps MaxOutbound automatic outbound peers,
// each in a network group (/16, /32 for IPv6) of its own, drawn from the
// address book's new and tried tables. Besides them:
//
//   - Anchors (Config.Anchors) are dialled first, once each: gg-node
//     saves up to MaxAnchors outbound peers (Host.Anchors, those
//     connected longest) to anchors.json at a clean shutdown and reads
//     (and deletes) it at start, so a node restarted while an attacker
//     fills its book still reaches peers it chose before.
//   - Feeler connections: once the slots are full, about every
//     FeelerInterval (exponential), a short connection to an address of
//     the new table; a completed handshake moves it to tried and the
//     connection is closed. One at a time; it takes no slot and the
//     Protocol never sees it.
//   - A stale tip: when the best height has not changed for
//     StaleTipAfter (three target block intervals), one outbound
//     connection beyond MaxOutbound is allowed. Every 45 s, while there
//     are more automatic outbound peers than MaxOutbound, the one that
//     gave a new block least recently is disconnected; so the extra
//     connection moves on while the tip stays stale and the count comes
//     back to MaxOutbound once it moves. A node cut off from the chain
//     the others extend (a partition that outlived its connections)
//     finds it so.
package p2p
