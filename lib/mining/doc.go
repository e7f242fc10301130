// Package mining assembles block templates from the transaction pool and
// solves them on the CPU.
//
// Generator.NewBlockTemplate picks pool transactions by ancestor package
// fee rate (a transaction is judged together with its unconfirmed
// ancestors, which always precede it in the block), skips transactions
// that are not final at the new height and median time past, and stops at
// the block weight and signature-operation cost limits less what the
// coinbase reserves. The coinbase carries the BIP34 height and an 8-byte
// extra nonce, pays the subsidy plus all fees to the caller's script, and
// holds the BIP141 witness commitment whenever a selected transaction has
// witness data. The template is checked with the chain's
// CheckConnectBlockTemplate before it is returned.
//
// SolveBlock searches the header nonce space; when it is exhausted the
// caller bumps the extra nonce (UpdateExtraNonce) and searches again.
// CPUMiner.Generate strings these together for regtest's generate call.
//
// The package sees the chain and the pool through the small interfaces in
// interface.go, logs only through an injected *slog.Logger (silent by
// default), and reports failures as *Error values whose Kind works with
// errors.Is.
package mining
