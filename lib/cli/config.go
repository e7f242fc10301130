package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
// A [client] section is the clients' (ApplyClientConfig) and is skipped.
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
	set := setFlagNames(c)
	keys := md.Keys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		name := k.String()
		if _, table := raw[clientSection].(map[string]any); table && k[0] == clientSection {
			continue // the clients' settings (ApplyClientConfig)
		}
		if len(k) != 1 || !known[name] {
			return nil, WithHint(Usagef("config %s: unknown setting %q", path, name),
				"settings are the long flag names, e.g. network = \"regtest\"")
		}
		if set[name] {
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

// Client configuration: the clients (gg-wallet, gg-prop, gg-contract,
// gg-tx, gg-node rpc and status) read gg.toml too, so --network,
// --datadir and --rpc-url need not be repeated. Two files, in order of
// precedence after flags and GG_* variables:
//
//   - the datadir's gg.toml (the node's own): its [client] section (any
//     common flag but datadir), and at its top level the keys that find
//     the node (network, rpc-url, rpc-pass-file); the node's other keys
//     are not the clients'.
//   - ~/.gg/gg.toml, the user's: common flags at its top level or in
//     [client]; it may name the datadir.
//
// In each file [client] beats the top level. Relative paths (datadir,
// rpc-pass-file) are relative to the file that names them. Unknown client
// settings are usage errors.

// clientSection is the name of the clients' section of gg.toml.
const clientSection = "client"

// nodeKeys are the top-level keys of a datadir's gg.toml that clients
// take: those that find the node.
var nodeKeys = map[string]bool{FlagNetwork: true, FlagRPCURL: true, FlagRPCPassFile: true}

// pathKeys are the settings holding paths, relative to their file.
var pathKeys = map[string]bool{FlagDataDir: true, FlagRPCPassFile: true}

// Keys of App.Metadata the client configuration uses.
const (
	metaClientConfig = "cli.clientconfig" // map[string]bool: settings applied from a file
	metaDaemon       = "cli.daemon"       // a daemon's run: no client configuration
)

// UserConfigPath is ~/.gg/gg.toml, the user's client settings.
func UserConfigPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".gg", ConfigFile), nil
}

// SkipClientConfig marks the run as a daemon's (gg-node itself, gg-node
// config), which reads its datadir's gg.toml as its own configuration,
// not as a client's.
func SkipClientConfig(c *ucli.Context) { setMeta(c, metaDaemon, true) }

// fromConfig reports whether a client setting came from a config file.
func fromConfig(c *ucli.Context, name string) bool {
	m, _ := c.App.Metadata[metaClientConfig].(map[string]bool)
	return m[name]
}

// ApplyClientConfig applies the client settings of the datadir's gg.toml
// and ~/.gg/gg.toml to the common flags neither the command line nor the
// environment set, once per run (Network calls it; a daemon's run skips
// it). It returns the settings it applied.
func ApplyClientConfig(c *ucli.Context) ([]string, error) {
	if c.App.Metadata[metaDaemon] == true {
		return nil, nil
	}
	if m, done := c.App.Metadata[metaClientConfig].(map[string]bool); done {
		return sortedKeys(m), nil
	}
	applied := map[string]bool{}
	setMeta(c, metaClientConfig, applied)
	common := map[string]bool{}
	for _, n := range commonNames {
		common[n] = true
	}
	var user map[string]string
	userPath, err := UserConfigPath()
	if err == nil {
		if user, err = readClientConfig(userPath, true, func(k string, top bool) bool { return common[k] }); err != nil {
			return nil, err
		}
	}
	// The datadir: given, else the user's, else the network's default.
	set := setFlagNames(c) // the command line's and the environment's
	dir := ""
	if set[FlagDataDir] {
		dir = c.String(FlagDataDir)
	} else if d, ok := user[FlagDataDir]; ok {
		dir = d
	} else {
		network := user[FlagNetwork]
		if set[FlagNetwork] || network == "" {
			network = c.String(FlagNetwork)
		}
		if home, err := os.UserHomeDir(); err == nil && network != "" {
			dir = filepath.Join(home, ".gg", network)
		}
	}
	var data map[string]string
	if dir != "" {
		if data, err = readClientConfig(ConfigPath(dir), false, func(k string, top bool) bool {
			if top {
				return nodeKeys[k]
			}
			return common[k] && k != FlagDataDir
		}); err != nil {
			return nil, err
		}
	}
	for _, file := range []map[string]string{data, user} {
		for _, k := range sortedKeys(file) {
			if set[k] {
				continue // the command line, the environment or the datadir's file (first) said
			}
			if err := setFlag(c, k, file[k]); err != nil {
				return nil, Usagef("config: %s: %v", k, err)
			}
			applied[k], set[k] = true, true
		}
	}
	return sortedKeys(applied), nil
}

// readClientConfig reads the client settings of the gg.toml at path: its
// top-level keys that take(key, true) accepts (the others are skipped,
// or refused when strict), overridden by its [client] section, whose keys
// take(key, false) must accept. Relative paths are made relative to
// path's directory. A missing file has no settings.
func readClientConfig(path string, strict bool, take func(key string, top bool) bool) (map[string]string, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, Usagef("config %s: %v", path, err)
	}
	out := map[string]string{}
	put := func(k string, v any) error {
		vs := flatten(v)
		if len(vs) != 1 {
			return Usagef("config %s: %s: want one value", path, k)
		}
		s := vs[0]
		if pathKeys[k] && s != "" && s != "-" && !filepath.IsAbs(s) {
			s = filepath.Join(filepath.Dir(path), s)
		}
		out[k] = s
		return nil
	}
	for _, k := range sortedKeys(raw) {
		if _, table := raw[k].(map[string]any); table || k == clientSection {
			continue
		}
		switch {
		case take(k, true):
			if err := put(k, raw[k]); err != nil {
				return nil, err
			}
		case strict:
			return nil, unknownClientSetting(path, k)
		}
	}
	if sec, ok := raw[clientSection].(map[string]any); ok {
		for _, k := range sortedKeys(sec) {
			if !take(k, false) {
				return nil, unknownClientSetting(path, k)
			}
			if err := put(k, sec[k]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func unknownClientSetting(path, key string) error {
	return WithHint(Usagef("config %s: unknown client setting %q", path, key),
		"client settings are the common flags: network, datadir (not in a datadir's gg.toml), rpc-url, rpc-pass-file, json, log-level")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
