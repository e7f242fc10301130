package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// manTemplate extends urfave's man page with the exit status section that
// every gg binary shares.
const exitStatusSection = `
# EXIT STATUS

**0**
: success

**1**
: the operation failed (rejected, not found, ...)

**2**
: bad flags or arguments

**3**
: the node or datadir could not be reached or opened, or the node turned the request away for now (busy, or backing off after failed logins)

**130**
: interrupted

# ENVIRONMENT

Every global flag can be set from the environment as **GG_<FLAG>**, for
example **GG_NETWORK=regtest** or **GG_DATADIR=/srv/gg**. A flag on the command
line wins over the environment.
`

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

// RenderDocs produces the generated documentation of app.
func RenderDocs(app *ucli.App) (Docs, error) {
	saved := ucli.MarkdownDocTemplate
	ucli.MarkdownDocTemplate = saved + exitStatusSection + usageSection
	man, err := app.ToManWithSection(1)
	ucli.MarkdownDocTemplate = saved
	if err != nil {
		return Docs{}, fmt.Errorf("man page for %s: %w", app.Name, err)
	}
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
