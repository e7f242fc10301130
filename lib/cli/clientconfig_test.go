package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// writeFile writes body to dir/rel, making its directory.
func writeFile(t *testing.T, dir, rel, body string) string {
	t.Helper()
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clientSettings runs a gg-test client with args and returns the common
// flags' values after Network (which applies the client configuration).
func clientSettings(t *testing.T, args ...string) (map[string]string, string, int) {
	t.Helper()
	got := map[string]string{}
	stderr, code := runClient(t, args, func(c *ucli.Context) error {
		if _, err := Network(c); err != nil {
			return err
		}
		for _, k := range []string{FlagNetwork, FlagDataDir, FlagRPCURL, FlagRPCPassFile, FlagLogLevel} {
			got[k] = c.String(k)
		}
		if c.Bool(FlagJSON) {
			got[FlagJSON] = "true"
		}
		return nil
	})
	return got, stderr, code
}

func TestClientConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	node := filepath.Join(home, "node")
	// The node's gg.toml: its network and URL are the clients', its
	// other settings are not; [client] beats its top level.
	writeFile(t, node, ConfigFile, "network = \"regtest\"\nrpc-url = \"127.0.0.1:1\"\nlog-level = \"debug\"\nrpc-listen = \"127.0.0.1:9\"\n"+
		"[client]\nrpc-url = \"127.0.0.1:2\"\nrpc-pass-file = \"pass\"\njson = true\n")
	got, stderr, code := clientSettings(t, "--datadir", node)
	want := map[string]string{FlagNetwork: "regtest", FlagDataDir: node, FlagRPCURL: "127.0.0.1:2",
		FlagRPCPassFile: filepath.Join(node, "pass"), FlagLogLevel: "info", FlagJSON: "true"}
	if code != 0 || !equalMaps(got, want) {
		t.Fatalf("datadir's gg.toml: %v (code %d %q), want %v", got, code, stderr, want)
	}
	// A flag and the environment beat it.
	t.Setenv("GG_RPC_URL", "127.0.0.1:3")
	got, _, _ = clientSettings(t, "--datadir", node, "--network=testnet")
	if got[FlagNetwork] != "testnet" || got[FlagRPCURL] != "127.0.0.1:3" {
		t.Errorf("flag and environment: %v", got)
	}
	os.Unsetenv("GG_RPC_URL")
	// ~/.gg/gg.toml names the datadir (relative to itself): no flags.
	writeFile(t, home, ".gg/"+ConfigFile, "log-level = \"warn\"\n[client]\ndatadir = \"../node\"\n")
	got, stderr, code = clientSettings(t)
	if code != 0 || got[FlagDataDir] != node || got[FlagNetwork] != "regtest" || got[FlagLogLevel] != "warn" || got[FlagRPCURL] != "127.0.0.1:2" {
		t.Errorf("user's gg.toml: %v (code %d %q)", got, code, stderr)
	}
	// The datadir's file beats the user's.
	writeFile(t, home, ".gg/"+ConfigFile, "network = \"testnet\"\ndatadir = \"../node\"\n")
	if got, _, _ = clientSettings(t); got[FlagNetwork] != "regtest" {
		t.Errorf("datadir's file must beat the user's: %v", got)
	}
	// Without a datadir anywhere: the network's default, ~/.gg/<network>.
	writeFile(t, home, ".gg/"+ConfigFile, "network = \"testnet\"\n")
	writeFile(t, home, ".gg/testnet/"+ConfigFile, "[client]\nrpc-url = \"127.0.0.1:4\"\n")
	if got, _, _ = clientSettings(t); got[FlagNetwork] != "testnet" || got[FlagRPCURL] != "127.0.0.1:4" {
		t.Errorf("default datadir of the user's network: %v", got)
	}
}

func TestClientConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct{ user, data, want string }{
		"unknown [client] key":      {"", "[client]\ncolour = \"blue\"\n", `unknown client setting "colour"`},
		"unknown user key":          {"colour = \"blue\"\n", "", `unknown client setting "colour"`},
		"datadir in a datadir":      {"", "[client]\ndatadir = \"x\"\n", `unknown client setting "datadir"`},
		"bad toml":                  {"network = \n", "", "config "},
		"a list for a client value": {"[client]\nnetwork = [\"a\", \"b\"]\n", "", "network: want one value"},
	} {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			node := filepath.Join(home, "node")
			writeFile(t, node, ConfigFile, tc.data)
			writeFile(t, home, ".gg/"+ConfigFile, tc.user)
			_, stderr, code := clientSettings(t, "--datadir", node)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("code %d stderr %q, want usage error %q", code, stderr, tc.want)
			}
		})
	}
	// The node's other settings, or a typo in them, are not the clients'.
	home := t.TempDir()
	t.Setenv("HOME", home)
	node := filepath.Join(home, "node")
	writeFile(t, node, ConfigFile, "mine-address = \"x\"\ncolour = 1\n")
	if _, stderr, code := clientSettings(t, "--datadir", node); code != 0 {
		t.Errorf("node settings refused by a client: %d %q", code, stderr)
	}
}

// TestClientConfigDaemon: a daemon's run (gg-node) takes no client
// settings, and the node's own reading of gg.toml skips [client].
func TestClientConfigDaemon(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	node := filepath.Join(home, "node")
	cfg := writeFile(t, node, ConfigFile, "network = \"regtest\"\n[client]\njson = true\nrpc-url = \"x:1\"\n")
	stderr, code := runClient(t, []string{"--datadir", node}, func(c *ucli.Context) error {
		SkipClientConfig(c)
		if _, err := Network(c); err != nil {
			return err
		}
		if c.String(FlagNetwork) != "main" || c.Bool(FlagJSON) {
			t.Errorf("client settings applied to a daemon: %s %v", c.String(FlagNetwork), c.Bool(FlagJSON))
		}
		applied, err := ApplyConfig(c, cfg)
		if err != nil {
			return err
		}
		if strings.Join(applied, ",") != FlagNetwork || c.Bool(FlagJSON) {
			t.Errorf("node applied %v, json %v", applied, c.Bool(FlagJSON))
		}
		return nil
	})
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
