// Package stratum speaks Stratum v1, the line-delimited JSON protocol
// between mining software and a pool, as the common CPU, GPU and ASIC
// miners speak it (docs/stratum.md).
//
// proto.go holds what both sides share: line framing with a size bound
// (LineReader, MaxLineBytes), the message shapes (Message, DecodeLine,
// Encode*), the error codes 20–25 (*Error), the hex forms of the header
// fields (PrevHashHex, Hex32), difficulty ⇄ target, the typed notify and
// submit params, and the reconstruction of the 80-byte header from a job
// and a share (Coinbase, MerkleRootFromBranch, Notify.Header).
//
// Server (server.go) serves jobs built from the node's block templates to
// miners: per-connection extranonce1, vardiff, share checking and
// accounting, and hands a share that meets the block target to the
// chain. It sees the node through the small interfaces in interface.go
// and logs only through an injected *slog.Logger (silent by default).
package stratum
