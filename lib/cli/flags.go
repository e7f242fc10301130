package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Where flags may go. urfave/cli v2 parses the app's flags only before the
// command, and a command's flags only between its name and its first
// argument. The gg binaries take the global flags (CommonFlags) anywhere
// on the line, and a command's own flags after its arguments too, as gh,
// git and bitcoin-cli users expect: Run rewrites the arguments before
// urfave parses them (hoistFlags). "--" ends the flags: what follows it,
// and "-" (stdin), stay arguments. A word after the arguments that looks
// like a flag but names none of the command's stays an argument too.

// hoistFlags returns args with every global flag moved after the binary's
// name (after the global flags already there, so that a later one still
// wins) and, in the command that runs, every flag of its own moved before
// its arguments. Commands that skip flag parsing, and lines ending in
// urfave's --generate-bash-completion, are left alone.
func hoistFlags(app *ucli.App, args []string) []string {
	if len(args) < 2 || args[len(args)-1] == "--generate-bash-completion" {
		return args
	}
	rootFlags := flagIndex(app, app.Flags)
	common := commonFlagIndex(rootFlags)
	rest := args[1:]
	i := 0
	for i < len(rest) {
		name, ok := flagName(rest[i])
		if !ok {
			break
		}
		i += flagWidth(rest[i:], name, rootFlags)
	}
	if i == len(rest) || rest[i] == "--" {
		return args
	}
	root := rest[:i]
	var hoisted, tail []string
	cmds := app.Commands
	for {
		cmd := findCommand(cmds, rest[i])
		if cmd == nil || cmd.SkipFlagParsing {
			tail = append(tail, rest[i:]...)
			break
		}
		tail = append(tail, rest[i])
		i++
		own := flagIndex(app, cmd.Flags)
		own["help"], own["h"] = false, false
		var ownArgs, pos []string
		var next bool
	scan:
		for i < len(rest) {
			a := rest[i]
			name, isFlag := flagName(a)
			switch {
			case a == "--":
				pos = append(pos, rest[i:]...)
				i = len(rest)
			case isFlag && has(own, name):
				n := flagWidth(rest[i:], name, own)
				ownArgs = append(ownArgs, rest[i:i+n]...)
				i += n
			case isFlag && has(common, name):
				n := flagWidth(rest[i:], name, common)
				hoisted = append(hoisted, rest[i:i+n]...)
				i += n
			case isFlag && len(pos) == 0:
				ownArgs = append(ownArgs, a) // unknown: urfave reports it
				i++
			case !isFlag && len(pos) == 0 && findCommand(cmd.Subcommands, a) != nil:
				next = true
				break scan
			default:
				pos = append(pos, a)
				i++
			}
		}
		tail = append(tail, ownArgs...)
		if !next {
			tail = append(tail, pos...)
			break
		}
		cmds = cmd.Subcommands
	}
	out := make([]string, 0, len(args))
	out = append(out, args[0])
	out = append(out, root...)
	out = append(out, hoisted...)
	return append(out, tail...)
}

// flagName returns the name of a flag word (-x, --name, --name=value);
// "-", "--" and negative numbers are no flags.
func flagName(a string) (string, bool) {
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return "", false
	}
	s := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	name, _, _ := strings.Cut(s, "=")
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return "", false
	}
	return name, true
}

// flagWidth is how many words the flag at args[0] takes: two when it
// needs a value given as the next word.
func flagWidth(args []string, name string, idx map[string]bool) int {
	if idx[name] && !strings.Contains(args[0], "=") && len(args) > 1 {
		return 2
	}
	return 1
}

func has(m map[string]bool, k string) bool { _, ok := m[k]; return ok }

// flagIndex maps every name and alias of flags (app's, or its commands')
// to whether it takes a value.
func flagIndex(app *ucli.App, flags []ucli.Flag) map[string]bool {
	idx := map[string]bool{}
	for _, f := range flags {
		tv := false
		if d, ok := f.(ucli.DocGenerationFlag); ok {
			tv = d.TakesValue()
		}
		for _, n := range flagNames(app, f) {
			idx[n] = tv
		}
	}
	return idx
}

// commonNames are the names of the common flags.
var commonNames = []string{FlagNetwork, FlagDataDir, FlagRPCURL, FlagRPCPassFile, FlagJSON, FlagLogLevel, FlagJQ, FlagFields, FlagWide}

// commonFlagIndex is the part of rootFlags (flagIndex of an app's flags)
// that names common flags.
func commonFlagIndex(rootFlags map[string]bool) map[string]bool {
	idx := map[string]bool{}
	for _, n := range commonNames {
		if tv, ok := rootFlags[n]; ok {
			idx[n] = tv
		}
	}
	return idx
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
