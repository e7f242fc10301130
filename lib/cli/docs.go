package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	ucli "github.com/urfave/cli/v2"
)

// manItem is one entry of a man page list: a term and what it means.
type manItem struct{ Term, Text string }

// manExtra is what a binary's man page says beyond its command tree:
// the files it reads or writes, its own exit codes (from 10) and the
// environment it reads apart from its flags.
type manExtra struct {
	Files []manItem
	Exit  []manItem
	Env   []manItem
}

// Binaries lists the gg binaries, for SEE ALSO.
var Binaries = []string{"gg-node", "gg-wallet", "gg-tx", "gg-prop", "gg-contract", "gg-miner"}

// clientFiles are the files every client of the node reads.
var clientFiles = []manItem{
	{"<datadir>", "~/.gg/<network> unless --datadir says otherwise"},
	{"<datadir>/rpc.addr", "the address of the node's RPC server, written by gg-node (unless --rpc-url)"},
	{"<datadir>/.cookie", "the node's RPC credentials, written by gg-node at each start, mode 0600 (unless --rpc-url)"},
	clientConfig, userConfig,
}

// The client settings files (ApplyClientConfig).
var (
	clientConfig = manItem{"<datadir>/gg.toml", "the node's settings; its [client] section (any common flag but --datadir) and its top-level " +
		"network, rpc-url and rpc-pass-file are defaults for the common flags. A flag or GG_* variable wins over this file, " +
		"this file over ~/.gg/gg.toml; relative paths are relative to the file"}
	userConfig = manItem{"~/.gg/gg.toml", "the user's client settings: common flags, --datadir included, at the top level or in [client]"}
)

// envRPCPass is the environment variable every client reads apart from
// its flags.
var envRPCPass = manItem{EnvRPCPass, "the node's RPC password (or user:password), for a --rpc-url without one, when --rpc-pass-file is not given"}

// manExtras are the binaries' FILES, own exit codes and environment.
var manExtras = map[string]manExtra{
	"gg-node": {Files: []manItem{
		{"<datadir>", "~/.gg/<network> unless --datadir says otherwise"},
		{"<datadir>/gg.toml", "settings: a flag wins over the environment, which wins over this file ('gg-node config' prints the effective ones); " +
			"its [client] section is for the clients (gg-node rpc and status among them), see gg-wallet(1)"},
		userConfig,
		{"<datadir>/chain.db", "blocks, the UTXO set, undo data and the game registries (bbolt)"},
		{"<datadir>/mempool.dat", "the mempool, saved every --mempool-save-every while it changes and on shutdown"},
		{"<datadir>/contracts.dat", "the contract book: published offers and their signatures"},
		{"<datadir>/wallet.db", "the hosted wallet (not with --no-wallet); see gg-wallet(1)"},
		{"<datadir>/rpc.addr", "the address the RPC server listens on, for clients; removed on shutdown"},
		{"<datadir>/.cookie", "fresh RPC credentials for clients at each start (mode 0600); removed on shutdown"},
		{"<datadir>/p2p.addr", "the addresses the node accepts peers on, one a line; removed on shutdown"},
		{"<datadir>/peers.json", "the address book: peers heard of and tried, saved every minute while it changes and on shutdown"},
		{"<datadir>/banlist.json", "banned peer addresses and until when"},
	}, Env: []manItem{
		{"GG_DB_NOSYNC", "1 skips fsync on database commits (tests only: a crash may lose data)"},
		{EnvRPCPass, "gg-node rpc and status: " + envRPCPass.Text},
	}},
	"gg-wallet": {Files: append(append([]manItem{}, clientFiles...),
		manItem{"<datadir>/wallet.db", "the wallet gg-node hosts (gg-wallet serve --wallet-dir DIR: DIR/wallet.db, with its own rpc.addr and .cookie)"},
		manItem{"--passphrase-file FILE", "the passphrase on its first line (keep it mode 0600); - reads it from stdin"}),
		Exit: []manItem{{"10", "sign left inputs unsigned (the partially signed hex is still printed)"}},
		Env: []manItem{
			envRPCPass,
			{"GG_PASSPHRASE", "the wallet passphrase, when --passphrase-file is not given"},
			{"GG_BACKUP_PASSPHRASE", "the backup passphrase, when --backup-passphrase-file is not given"},
			{"GG_DB_NOSYNC", "1 skips fsync in gg-wallet serve (tests only)"},
		}},
	"gg-tx": {Files: append(append([]manItem{}, clientFiles...),
		manItem{"--key-file FILE", "WIF private keys, one per line; 'key new --out FILE' writes one with mode 0600"}),
		Env: []manItem{envRPCPass}},
	"gg-prop":  {Files: clientFiles, Env: []manItem{envRPCPass}},
	"gg-miner": {Files: clientFiles, Env: []manItem{envRPCPass}},
	"gg-contract": {Files: append(append([]manItem{}, clientFiles...),
		manItem{"--new-secret FILE", "a new hash-lock secret in hex, mode 0600; a bare file name is refused inside a git work tree (give ./FILE)"},
		manItem{"--secret-file FILE", "a hash-lock secret in hex, to lock with or to claim"}),
		Env: []manItem{envRPCPass}},
}

// sharedExit are the exit codes of every binary (exit.go), 130 last.
var sharedExit = []manItem{
	{"0", "success"},
	{"1", "the operation failed (rejected, not found, ...)"},
	{"2", "bad flags or arguments"},
	{"3", "the node or datadir could not be reached or opened, or the node turned the request away for now (busy, or backing off after failed logins)"},
	{"130", "interrupted"},
}

// placeholder matches <datadir>-style placeholders, which the markdown
// renderer would otherwise take for HTML tags and drop.
var placeholder = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9 _-]*)>`)

// escapeMarkdown keeps placeholders literal outside fenced code blocks
// (inside them markdown is literal already).
func escapeMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced {
			lines[i] = placeholder.ReplaceAllString(l, `\<$1\>`)
		}
	}
	return strings.Join(lines, "\n")
}

// manSections renders FILES, ENVIRONMENT, EXIT STATUS and SEE ALSO for
// app: the environment from every flag's GG_* variable (global flags
// first, then each command's), the rest from manExtras.
func manSections(app *ucli.App) string {
	extra := manExtras[app.Name]
	var b strings.Builder
	list := func(title string, items []manItem) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n# %s\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "\n**%s**\n: %s\n", escapeMarkdown(it.Term), escapeMarkdown(it.Text))
		}
	}
	list("FILES", extra.Files)

	var env []manItem
	seen := map[string]bool{}
	addFlags := func(flags []ucli.Flag, where string) {
		for _, f := range flags {
			ev, ok := f.(interface{ GetEnvVars() []string })
			if !ok {
				continue
			}
			for _, v := range ev.GetEnvVars() {
				if seen[v] {
					continue
				}
				seen[v] = true
				env = append(env, manItem{v, "--" + f.Names()[0] + where})
			}
		}
	}
	addFlags(app.VisibleFlags(), "")
	var walk func(cmds []*ucli.Command, path string)
	walk = func(cmds []*ucli.Command, path string) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			addFlags(c.VisibleFlags(), " ("+path+c.Name+")")
			walk(c.Subcommands, path+c.Name+" ")
		}
	}
	walk(app.Commands, "")
	for _, e := range extra.Env {
		if !seen[e.Term] {
			env = append(env, e)
		}
	}
	b.WriteString("\n# ENVIRONMENT\n\nA flag given on the command line wins over its environment variable:\n")
	for _, e := range env {
		fmt.Fprintf(&b, "\n**%s**\n: %s\n", e.Term, escapeMarkdown(e.Text))
	}

	exit := append(append([]manItem{}, sharedExit[:len(sharedExit)-1]...), extra.Exit...)
	list("EXIT STATUS", append(exit, sharedExit[len(sharedExit)-1])) // 130 last

	var see []string
	for _, n := range Binaries {
		if n != app.Name {
			see = append(see, "**"+n+"**(1)")
		}
	}
	fmt.Fprintf(&b, "\n# SEE ALSO\n\n%s\n\ndocs/rpc.md (the node's RPC methods) and docs/protocol.md in the source tree\n", strings.Join(see, ", "))
	return b.String()
}

// usageSection tells where flags go and what --json, --fields, --jq and
// --wide print, as every gg binary does it.
const usageSection = `
# FLAGS AND OUTPUT

The global flags may be given before or after the command, and a command's
flags after its arguments: **{{ .App.Name }} COMMAND --json** is **{{ .App.Name }} --json COMMAND**.
Given twice, the later flag wins; **--** ends the flags. **--jq** and **--fields**
have no environment variable.

A usage error (a bad flag or argument, an unknown command) prints one line and
a hint on stderr, nothing on stdout, and exits 2; a near miss of a command or
flag is named ("did you mean ...?").

With **--json** every command prints exactly one JSON value on stdout: an object
with named fields, or a list of objects (**gg-node rpc** prints the method's
result as it is). **--fields a,b** keeps those top-level keys of the object, or of
each object of the list; **--jq EXPR** prints what the jq expression yields
(gojq), strings raw. Both imply **--json**. Under **--json** an error is one JSON
object on stderr, **{"error": "...", "hint": "...", "code": N}**, N being the exit
status; **--log-level=debug** adds the original wording of an error (a debug line,
or "detail").

Without **--json**, piped output is JSON for records and lists and one line for a
single value (hex, an address, a txid). On a terminal, tables fit 100 columns:
ids show as 3f2a…9c1d and long cells are cut in the middle, unless **--wide**.
Tables and messages give amounts in GG with the zeros after the first decimal
trimmed (50.0, 1.5, 0.00000294); JSON gives eight decimals.
`

// Docs renders an app's man page (section 1) and shell completions.
type Docs struct {
	Man, Bash, Zsh, Fish string
}

// RenderDocs produces the generated documentation of app: the man page
// is urfave's markdown of the command tree with <placeholders> kept,
// followed by FILES, ENVIRONMENT, EXIT STATUS and SEE ALSO.
func RenderDocs(app *ucli.App) (Docs, error) {
	md, err := app.ToMarkdown()
	if err != nil {
		return Docs{}, fmt.Errorf("man page for %s: %w", app.Name, err)
	}
	md = "% " + app.Name + " 1\n\n" + escapeMarkdown(md) + strings.ReplaceAll(usageSection, "{{ .App.Name }}", app.Name) + manSections(app)
	man := string(md2man.Render([]byte(md)))
	fish, err := app.ToFishCompletion()
	if err != nil {
		return Docs{}, fmt.Errorf("fish completion for %s: %w", app.Name, err)
	}
	return Docs{Man: man, Bash: bashCompletion(app.Name), Zsh: zshCompletion(app.Name), Fish: fish}, nil
}

// Files maps paths relative to the repository root to their content.
func (d Docs) Files(name string) map[string]string {
	return map[string]string{
		filepath.Join("man", name+".1"):            d.Man,
		filepath.Join("completions", name+".bash"): d.Bash,
		filepath.Join("completions", "_"+name):     d.Zsh,
		filepath.Join("completions", name+".fish"): d.Fish,
	}
}

// WriteDocs writes the generated files under root.
func WriteDocs(root, name string, d Docs) error {
	for rel, body := range d.Files(name) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// bashCompletion asks the binary itself for candidates through urfave's
// hidden --generate-bash-completion flag.
func bashCompletion(name string) string {
	fn := "_" + strings.ReplaceAll(name, "-", "_") + "_complete"
	return fmt.Sprintf(`# bash completion for %[1]s (generated; do not edit)
%[2]s() {
  local cur opts
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == "-"* ]]; then
    opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  return 0
}
complete -o bashdefault -o default -F %[2]s %[1]s
`, name, fn)
}

func zshCompletion(name string) string {
	return fmt.Sprintf(`#compdef %[1]s
# zsh completion for %[1]s (generated; do not edit)
_%[2]s() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _%[2]s %[1]s
`, name, strings.ReplaceAll(name, "-", "_"))
}
