package testscripts

import (
	"regexp"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/node"
	"github.com/gamegold/gg/lib/p2p"
)

// TestManPages: every binary's man page keeps its <datadir>-style
// placeholders (the markdown renderer took them for HTML tags and left
// "(/.cookie)") and has FILES, ENVIRONMENT, EXIT STATUS and SEE ALSO.
func TestManPages(t *testing.T) {
	for _, app := range apps() {
		d, err := cli.RenderDocs(app)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range []string{".SH FILES", ".SH ENVIRONMENT", ".SH EXIT STATUS", ".SH SEE ALSO"} {
			if strings.Count(d.Man, sec+"\n") != 1 {
				t.Errorf("%s: %d sections %q", app.Name, strings.Count(d.Man, sec+"\n"), sec)
			}
		}
		for _, bad := range []string{"(/", " /rpc.addr", "~/.gg/)", `\\<`} {
			if strings.Contains(d.Man, bad) {
				t.Errorf("%s: man page contains %q (a placeholder lost or mangled)", app.Name, bad)
			}
		}
		for _, want := range []string{"~/.gg/<network>", "<datadir>/.cookie", "GG_NETWORK", "GG_DATADIR"} {
			if !strings.Contains(d.Man, want) {
				t.Errorf("%s: man page lacks %q", app.Name, want)
			}
		}
		for _, other := range cli.Binaries {
			if other != app.Name && !strings.Contains(d.Man, `\fB`+other+`\fP(1)`) {
				t.Errorf("%s: SEE ALSO lacks %s", app.Name, other)
			}
		}
	}
}

// TestManPagesSettings: every man page names GG_RPC_PASS and the gg.toml
// files the clients read (the datadir's [client] section and
// ~/.gg/gg.toml); gg-node's names the P2P files of its datadir.
func TestManPagesSettings(t *testing.T) {
	for _, app := range apps() {
		d, err := cli.RenderDocs(app)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{`\fB` + cli.EnvRPCPass + `\fP`, "<datadir>/gg.toml", "~/.gg/gg.toml", "[client]"}
		if app.Name == "gg-node" {
			want = append(want, "<datadir>/"+p2p.AddrFile, "<datadir>/"+p2p.BanFile, "<datadir>/"+node.P2PAddrFile)
		}
		for _, w := range want {
			if !strings.Contains(d.Man, w) {
				t.Errorf("%s: man page lacks %q", app.Name, w)
			}
		}
	}
}

// TestManPagesExamplePipelines: in the examples of the help texts, a
// pipeline that names --network in one stage names it in every stage (or
// sets GG_NETWORK first): a stage left on the default network (main)
// refuses a regtest node's transaction or address.
func TestManPagesExamplePipelines(t *testing.T) {
	stage := regexp.MustCompile(`gg-[a-z]+`)
	for _, app := range apps() {
		var texts []string
		var walk func(cmds []*ucli.Command)
		walk = func(cmds []*ucli.Command) {
			for _, c := range cmds {
				texts = append(texts, c.UsageText, c.Description)
				walk(c.Subcommands)
			}
		}
		texts = append(texts, app.UsageText, app.Description)
		walk(app.Commands)
		for _, text := range texts {
			for _, line := range strings.Split(text, "\n") {
				if !strings.Contains(line, "| gg-") || !strings.Contains(line, "--network") || strings.Contains(line, "GG_NETWORK=") {
					continue
				}
				for _, st := range strings.Split(line, "|") {
					if stage.MatchString(st) && !strings.Contains(st, "--network") {
						t.Errorf("%s: %q: stage %q lacks --network", app.Name, strings.TrimSpace(line), strings.TrimSpace(st))
					}
				}
			}
		}
	}
}
