// Package msg is the peer-to-peer wire protocol of gg-node: Bitcoin's
// message framing and messages with each network's own magic, plus
// GameGold's gossip of contract-book offers.
//
// # Framing
//
// A message is a 24-byte header — magic (u32 LE), command (12 bytes of
// ASCII, NUL-padded), payload length (u32 LE), checksum (the first four
// bytes of sha256d(payload)) — followed by the payload. ReadMessage checks
// the magic, the command's form and the length against the command's own
// limit (MaxPayloadFor) before it allocates, then the checksum, then
// decodes. Unknown commands are skipped (ErrUnknownCommand, with their
// bounded payload consumed), as Bitcoin Core ignores them.
//
// # Messages
//
// Every message type has one canonical encoding: Decode accepts exactly
// the bytes AppendPayload produces (minimal CompactSize, counts within
// their limits and the bytes present, no trailing bytes, booleans 0 or 1,
// zero transaction counts in headers, bounded strings), and the fuzz
// targets check that whatever decodes re-encodes to the same bytes. Counts
// are checked against the bytes remaining before anything is allocated.
//
// The messages and their limits are documented in docs/protocol.md
// ("Peer-to-peer protocol").
package msg
