package testscripts

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/cli/ggconsole"
	"github.com/gamegold/gg/lib/cli/ggcontract"
	"github.com/gamegold/gg/lib/cli/ggminer"
	"github.com/gamegold/gg/lib/cli/ggnode"
	"github.com/gamegold/gg/lib/cli/ggprop"
	"github.com/gamegold/gg/lib/cli/ggtx"
	"github.com/gamegold/gg/lib/cli/ggwallet"
)

// apps lists every binary's command tree.
func apps() []*ucli.App {
	stdio := cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}
	return []*ucli.App{ggconsole.NewApp(stdio), ggcontract.NewApp(stdio), ggminer.NewApp(stdio), ggnode.NewApp(stdio), ggprop.NewApp(stdio), ggtx.NewApp(stdio), ggwallet.NewApp(stdio)}
}

// TestGeneratedDocs regenerates man pages and completions and fails on any
// drift from the committed files. GG_UPDATE=1 rewrites them.
func TestGeneratedDocs(t *testing.T) {
	root := ".."
	for _, app := range apps() {
		d, err := cli.RenderDocs(app)
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("GG_UPDATE") == "1" {
			if err := cli.WriteDocs(root, app.Name, d); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for rel, want := range d.Files(app.Name) {
			got, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Errorf("%s: %v (run GG_UPDATE=1 go test ./testscripts -run GeneratedDocs)", rel, err)
				continue
			}
			if string(got) != want {
				t.Errorf("%s is out of date (run GG_UPDATE=1 go test ./testscripts -run GeneratedDocs)", rel)
			}
		}
	}
}
