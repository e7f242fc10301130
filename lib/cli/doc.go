// Package cli is the shared plumbing of the gg-* binaries on urfave/cli v2:
// the app constructor with the common flags (--network, --datadir,
// --rpc-url, --json, --log-level) and their GG_* environment variables,
// one voice for messages ("gg-x: error: ...", "gg-x: hint: ..."), named exit
// codes, and usage errors that never write to stdout.
package cli
