package ggnode

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/cli"
	ucli "github.com/urfave/cli/v2"
)

// TestPublicListenUsage: --public-listen's usage names what the listener
// serves and does not call it read-only without naming the write
// --public-broadcast turns on.
func TestPublicListenUsage(t *testing.T) {
	app := NewApp(cli.IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	for _, f := range app.Flags {
		sf, ok := f.(*ucli.StringFlag)
		if !ok || sf.Name != "public-listen" {
			continue
		}
		u := sf.Usage
		for _, want := range []string{"REST", "events", "explorer", "wallet", "--public-broadcast"} {
			if !strings.Contains(u, want) {
				t.Errorf("--public-listen usage %q lacks %q", u, want)
			}
		}
		return
	}
	t.Fatal("no --public-listen flag")
}
