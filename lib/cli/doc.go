// Package cli is the shared plumbing of the gg-* binaries on urfave/cli v2:
// the app constructor with the common flags (--network, --datadir,
// --rpc-url, --json, --log-level) and their GG_* environment variables,
// one voice for messages ("gg-x: error: ...", "gg-x: hint: ..."), named exit
// codes, and usage errors that never write to stdout. The thin clients of
// the node's wallet share its output (a table on a terminal, JSON when
// piped or with --json), its wording of the node's errors (WalletCaller)
// and their --account and --dry-run flags. Secrets (keys, passphrases,
// mnemonics) come from files, stdin or a prompt without echo (ReadSecret),
// never only from arguments, which ps shows to every user; one still taken
// from the command line warns, once (WarnSecretArg, WarnSecretURL).
package cli
