// Package cli is the shared plumbing of the gg-* binaries on urfave/cli v2:
// the app constructor with the common flags (--network, --datadir,
// --rpc-url, --json, --log-level) and their GG_* environment variables,
// one voice for messages ("gg-x: error: ...", "gg-x: hint: ..."), named exit
// codes, and usage errors that never write to stdout: one line and a hint
// on stderr, exit 2, with a suggestion for a mistyped command or flag
// (usage.go). The global flags work before and after the command, and a
// command's flags after its arguments (flags.go). Under --json every
// command prints one JSON value, --fields and --jq (gojq) select from it,
// and errors are JSON on stderr (json.go); tables fit 100 columns unless
// --wide, and amounts read the same in every table and message
// (output.go). Library jargon in errors is translated at the edge, once,
// with the original under --log-level=debug (errors.go). The thin clients of
// the node's wallet share its output (a table on a terminal, JSON when
// piped or with --json), its wording of the node's errors (WalletCaller)
// and their --account and --dry-run flags. A client checks the node's
// network on first contact (NodeClient); its first call of a method that
// only reads rides with that check in one request (NodeCall, node.go). Secrets (keys, passphrases,
// mnemonics) come from files, stdin or a prompt without echo (ReadSecret),
// never only from arguments, which ps shows to every user; one still taken
// from the command line warns, once (WarnSecretArg, WarnSecretURL). A file
// holding a key, a secret or a backup is written whole, synced, with mode
// 0600, or not at all (WriteNewFile, ReplaceFile).
package cli
