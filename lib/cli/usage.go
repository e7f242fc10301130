package cli

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"
)

// Usage errors. urfave/cli prints "Incorrect Usage" and the whole help on
// stdout for a bad flag, help for a missing required flag, and exits 3
// ("No help topic") for an unknown command. prepare replaces all three in
// every command of the tree: a usage error (exit 2) in the house voice,
// with a suggestion by edit distance where one is close and a hint naming
// the command's --help; nothing goes to stdout. Help asked for (--help,
// help, a group without its subcommand) still prints on stdout.

const metaPrepared = "cli.prepared"

// prepare installs the usage handling in app's command tree, once.
func prepare(app *ucli.App) {
	if app.Metadata == nil {
		app.Metadata = map[string]any{}
	}
	if app.Metadata[metaPrepared] != nil {
		return
	}
	app.Metadata[metaPrepared] = true
	app.OnUsageError = onUsageError(app.Name, app.Flags)
	app.Before = rootBefore(app.Before)
	if app.Action == nil {
		app.Action = groupAction(app.Name, func() []*ucli.Command { return app.Commands }, true)
	} else {
		app.Action = rootAction(app, app.Action)
	}
	for _, cmd := range app.Commands {
		prepareCommand(app.Name+" "+cmd.Name, cmd)
	}
}

func prepareCommand(path string, cmd *ucli.Command) {
	if cmd.OnUsageError == nil {
		cmd.OnUsageError = onUsageError(path, cmd.Flags)
	}
	cmd.Before = commandBefore(cmd.Before)
	required := takeRequired(cmd.Flags)
	switch {
	case cmd.Action != nil:
		action := cmd.Action
		cmd.Action = func(c *ucli.Context) error {
			defer noteOutput(c)
			if err := checkRequired(c, path, required); err != nil {
				return err
			}
			return helpHint(action(c), path)
		}
	case len(cmd.Subcommands) > 0:
		cmd.Action = groupAction(path, func() []*ucli.Command { return cmd.Subcommands }, false)
	}
	for _, sub := range cmd.Subcommands {
		prepareCommand(path+" "+sub.Name, sub)
	}
}

// seeHelp is the hint that names a command's help.
func seeHelp(path string) string { return "see '" + path + " --help'" }

// helpHint adds the --help hint to a usage error that has no hint.
func helpHint(err error, path string) error {
	var e *Error
	if errors.As(err, &e) && e.Code == ExitUsage && len(e.Hints) == 0 {
		e.Hints = append(e.Hints, seeHelp(path))
	}
	return err
}

// groupAction runs a command that only groups others (or an app without
// an action of its own): without an argument it shows the help; with one,
// that is an unknown command.
func groupAction(path string, cmds func() []*ucli.Command, root bool) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		restoreRootFlags(c)
		defer noteOutput(c)
		if c.NArg() == 0 {
			if root {
				return ucli.ShowAppHelp(c)
			}
			return ucli.ShowSubcommandHelp(c)
		}
		return unknownCommand(path, c.Args().First(), cmds())
	}
}

// rootAction wraps the action of an app that runs without a command
// (gg-node): a first argument close to a command's name is taken for a
// mistyped command.
func rootAction(app *ucli.App, action ucli.ActionFunc) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		restoreRootFlags(c)
		defer noteOutput(c)
		if c.NArg() > 0 {
			if s := suggest(c.Args().First(), commandNames(app.Commands)); s != "" {
				return unknownCommand(app.Name, c.Args().First(), app.Commands)
			}
		}
		return helpHint(action(c), app.Name)
	}
}

func unknownCommand(path, name string, cmds []*ucli.Command) error {
	e := Usagef("unknown command %q", name)
	if s := suggest(name, commandNames(cmds)); s != "" {
		e.Hints = append(e.Hints, fmt.Sprintf("did you mean '%s'?", s))
	}
	e.Hints = append(e.Hints, seeHelp(path))
	return e
}

func commandNames(cmds []*ucli.Command) []string {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	return names
}

// The wordings of the flag package's errors, compiled on the first usage
// error (not in every run's init).
var (
	reUndefinedFlag = lazyRegexp(`^flag provided but not defined: -+(.*)$`)
	reBadValue      = lazyRegexp(`^invalid value "(.*)" for flag -+([^:]*)(?::.*)?$`)
	reNeedsValue    = lazyRegexp(`^flag needs an argument: -+(.*)$`)
	reNoBoolValue   = lazyRegexp(`^invalid boolean flag (.*): .*$`)
)

// lazyRegexp returns a func that compiles expr on its first call and
// returns the same *regexp.Regexp on each: a package-level pattern that
// costs nothing at init, for the paths few runs take.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// onUsageError words urfave's flag parsing errors of the command at path
// (flags are its own) as usage errors.
func onUsageError(path string, flags []ucli.Flag) ucli.OnUsageErrorFunc {
	return func(c *ucli.Context, err error, isSubcommand bool) error {
		if isSubcommand { // the global flags before it were parsed
			noteOutput(c)
		}
		msg := err.Error()
		e := Usagef("%s", msg)
		if m := reUndefinedFlag().FindStringSubmatch(msg); m != nil {
			e = Usagef("unknown flag --%s", m[1])
			var names []string
			for _, f := range append(append([]ucli.Flag{}, flags...), CommonFlags()...) {
				for _, n := range f.Names() {
					if len(n) > 1 {
						names = append(names, n)
					}
				}
			}
			if s := suggest(m[1], names); s != "" {
				e.Hints = append(e.Hints, "did you mean --"+s+"?")
			}
		} else if m := reBadValue().FindStringSubmatch(msg); m != nil {
			e = Usagef("bad value %q for --%s", m[1], m[2])
		} else if m := reNeedsValue().FindStringSubmatch(msg); m != nil {
			e = Usagef("--%s needs a value", m[1])
		} else if m := reNoBoolValue().FindStringSubmatch(msg); m != nil {
			e = Usagef("--%s takes no value (or =true, =false)", m[1])
		}
		e.Hints = append(e.Hints, seeHelp(path))
		return e
	}
}

// takeRequired clears the Required mark of flags (urfave prints the help
// on stdout when one is missing) and returns their names, for
// checkRequired.
func takeRequired(flags []ucli.Flag) []string {
	var names []string
	for _, f := range flags {
		rf, ok := f.(ucli.RequiredFlag)
		if !ok || !rf.IsRequired() {
			continue
		}
		v := reflect.ValueOf(f)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		if r := v.Elem().FieldByName("Required"); r.IsValid() && r.CanSet() && r.Kind() == reflect.Bool {
			r.SetBool(false)
			names = append(names, f.Names()[0])
		}
	}
	return names
}

// checkRequired refuses a command line without a required flag.
func checkRequired(c *ucli.Context, path string, names []string) error {
	var missing []string
	for _, n := range names {
		if !c.IsSet(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return WithHint(Usagef("missing %s", strings.Join(missing, ", ")), seeHelp(path))
}

// suggest returns the candidate closest to s by edit distance (adjacent
// transpositions count one), if it is close: at most 2 edits, fewer than
// half of s's length. Ties go to the first candidate.
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == s {
			return ""
		}
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD && 2*d < len(s) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
