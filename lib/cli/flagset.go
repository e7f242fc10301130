package cli

import (
	"reflect"

	ucli "github.com/urfave/cli/v2"
)

// Linear flag lookups. urfave/cli v2 runs the actions of the set flags
// after parsing a command's flags (runFlagActions), asking IsSet of every
// flag; IsSet looks a flag that is not set up among all the command's
// flags by Names(), which runs a regexp per name. That is quadratic in the
// flags: ~8,000 allocations and ~0.6 ms for gg-node's 49 global flags, in
// every client call. prepare installs rootBefore, which finds the set
// flags visiting each flag once, runs their actions itself and hands
// urfave's pass an empty list; the root command's flags are put back as
// soon as a command or the app's action starts (restoreRootFlags).
// Meanwhile urfave finds the global flags through App.Flags, the same
// list. The global flags are the quadratic part: a command's own flags
// are few and found among its own first.

const (
	metaRootFlags = "cli.rootflags"
	metaFlagNames = "cli.flagnames"
)

// flagNames returns f.Names(), asked once per app: urfave's Names runs a
// regexp per name at each call, and a run asks each flag's names several
// times (hoistFlags, setFlagNames).
func flagNames(app *ucli.App, f ucli.Flag) []string {
	if app == nil || app.Metadata == nil || reflect.ValueOf(f).Kind() != reflect.Pointer {
		return f.Names()
	}
	cache, _ := app.Metadata[metaFlagNames].(map[ucli.Flag][]string)
	if cache == nil {
		cache = map[ucli.Flag][]string{}
		app.Metadata[metaFlagNames] = cache
	}
	names, ok := cache[f]
	if !ok {
		names = f.Names()
		cache[f] = names
	}
	return names
}

// rootBefore wraps the app's Before (next, may be nil).
func rootBefore(next ucli.BeforeFunc) ucli.BeforeFunc {
	return func(c *ucli.Context) error {
		if next != nil {
			if err := next(c); err != nil {
				return err
			}
		}
		if c.Command == nil {
			return nil
		}
		flags := c.Command.Flags
		set := setFlagNames(c)
		for _, f := range flags {
			if af, ok := f.(ucli.ActionableFlag); ok && set[flagNames(c.App, f)[0]] {
				if err := af.RunAction(c); err != nil {
					return err
				}
			}
		}
		c.App.Metadata[metaRootFlags] = flags
		c.Command.Flags = nil
		return nil
	}
}

// restoreRootFlags puts back the root command's flags rootBefore took
// out of urfave's pass.
func restoreRootFlags(c *ucli.Context) {
	if c == nil || c.App == nil {
		return
	}
	flags, ok := c.App.Metadata[metaRootFlags].([]ucli.Flag)
	if !ok {
		return
	}
	delete(c.App.Metadata, metaRootFlags)
	if root := rootContext(c); root != nil {
		root.Command.Flags = flags
	}
}

// commandBefore wraps a command's Before (next, may be nil): the root's
// flags are back before the command's own pass and action.
func commandBefore(next ucli.BeforeFunc) ucli.BeforeFunc {
	return func(c *ucli.Context) error {
		restoreRootFlags(c)
		if next != nil {
			return next(c)
		}
		return nil
	}
}

// rootContext is the context of c's lineage that runs the root command:
// the last with a command.
func rootContext(c *ucli.Context) *ucli.Context {
	var root *ucli.Context
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil {
			root = ctx
		}
	}
	return root
}

// setFlagNames returns every name (aliases too) of the flags of c's
// lineage and the app that the command line or the environment set, or
// that were set since (ApplyConfig): each context's parsed flags visited
// once, each flag's names asked once.
func setFlagNames(c *ucli.Context) map[string]bool {
	set := map[string]bool{}
	var flags []ucli.Flag
	for _, ctx := range c.Lineage() {
		if ctx.Command == nil {
			continue // the app's outer context: nothing parsed
		}
		for _, n := range ctx.LocalFlagNames() {
			set[n] = true
		}
		flags = append(flags, ctx.Command.Flags...)
	}
	for _, f := range flags {
		names := flagNames(c.App, f)
		is := f.IsSet()
		for _, n := range names {
			is = is || set[n]
		}
		if is {
			for _, n := range names {
				set[n] = true
			}
		}
	}
	return set
}
