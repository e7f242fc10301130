package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	ucli "github.com/urfave/cli/v2"
)

// ConfigFile is the name of the TOML config file in a datadir.
const ConfigFile = "gg.toml"

// ApplyConfig reads path (a TOML file of flag-name = value pairs) and sets
// every flag of c that neither the command line nor the environment set,
// so precedence is flag > environment > config file > default. A missing
// file is not an error; unknown keys and values of the wrong type are.
// It returns the keys it applied.
func ApplyConfig(c *ucli.Context, path string) ([]string, error) {
	var raw map[string]any
	md, err := toml.DecodeFile(path, &raw)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, Usagef("config %s: %v", path, err)
	}
	known := map[string]bool{}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			known[n] = true
		}
	}
	for _, f := range c.App.Flags {
		for _, n := range f.Names() {
			known[n] = true
		}
	}
	var applied []string
	keys := md.Keys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		name := k.String()
		if len(k) != 1 || !known[name] {
			return nil, WithHint(Usagef("config %s: unknown setting %q", path, name),
				"settings are the long flag names, e.g. network = \"regtest\"")
		}
		if isSetByUser(c, name) {
			continue
		}
		for _, v := range flatten(raw[name]) {
			if err := setFlag(c, name, v); err != nil {
				return nil, Usagef("config %s: %s: %v", path, name, err)
			}
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// isSetByUser reports a flag set on the command line or via GG_* env.
func isSetByUser(c *ucli.Context, name string) bool {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return true
		}
	}
	return false
}

func setFlag(c *ucli.Context, name, value string) error {
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil || ctx.App != nil {
			if err := ctx.Set(name, value); err == nil {
				return nil
			} else if !strings.Contains(err.Error(), "no such flag") {
				return err
			}
		}
	}
	return fmt.Errorf("no such flag")
}

func flatten(v any) []string {
	switch t := v.(type) {
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return []string{fmt.Sprint(t)}
	}
}

// ConfigPath returns datadir/gg.toml.
func ConfigPath(datadir string) string { return filepath.Join(datadir, ConfigFile) }

// WriteEffectiveConfig prints the effective value of every flag that has
// a name, as TOML, for "print the effective configuration".
func WriteEffectiveConfig(c *ucli.Context, w io.Writer) error {
	enc := toml.NewEncoder(w)
	vals := map[string]any{}
	for _, f := range append(append([]ucli.Flag{}, c.App.Flags...), c.Command.Flags...) {
		n := f.Names()[0]
		switch _, isSlice := f.(*ucli.StringSliceFlag); {
		case n == "help" || n == "version" || n == "generate-bash-completion":
		case isSlice:
			vals[n] = append([]string{}, c.StringSlice(n)...)
		default:
			if g, ok := f.(ucli.DocGenerationFlag); ok && g.TakesValue() {
				vals[n] = c.Value(n)
			} else {
				vals[n] = c.Bool(n)
			}
		}
	}
	return enc.Encode(vals)
}
