package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

func TestApplyConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, ConfigFile)
	if err := os.WriteFile(cfg, []byte("network = \"testnet\"\nlog-level = \"debug\"\njson = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (net, lvl string, js bool) {
		app, _, errb := testApp(func(c *ucli.Context) error {
			if _, err := ApplyConfig(c, cfg); err != nil {
				return err
			}
			net, lvl, js = c.String(FlagNetwork), c.String(FlagLogLevel), c.Bool(FlagJSON)
			return nil
		})
		if code := Run(app, append([]string{"gg-test"}, args...)); code != 0 {
			t.Fatalf("code %d: %s", code, errb)
		}
		return
	}
	if net, lvl, js := run(); net != "testnet" || lvl != "debug" || !js {
		t.Fatalf("config not applied: %s %s %v", net, lvl, js)
	}
	if net, _, _ := run("--network=regtest"); net != "regtest" {
		t.Fatalf("flag must beat config: %s", net)
	}
	t.Setenv("GG_NETWORK", "main")
	if net, _, _ := run(); net != "main" {
		t.Fatalf("env must beat config: %s", net)
	}
}

func TestApplyConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"unknown key": "colour = \"blue\"\n",
		"bad toml":    "network = \n",
		"nested":      "[network]\nx = 1\n",
		"bad bool":    "json = \"maybe\"\n",
	}
	for name, body := range cases {
		cfg := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".toml")
		os.WriteFile(cfg, []byte(body), 0o644)
		app, _, errb := testApp(func(c *ucli.Context) error { _, err := ApplyConfig(c, cfg); return err })
		if code := Run(app, []string{"gg-test"}); code != ExitUsage || !strings.Contains(errb.String(), "config") {
			t.Errorf("%s: code %d stderr %q", name, code, errb)
		}
	}
	// A missing file is fine.
	app, _, _ := testApp(func(c *ucli.Context) error { _, err := ApplyConfig(c, filepath.Join(dir, "none.toml")); return err })
	if code := Run(app, []string{"gg-test"}); code != 0 {
		t.Fatalf("missing config file: code %d", code)
	}
}
