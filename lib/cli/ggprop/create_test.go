package ggprop

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/cli"
)

// runCreateFile runs "gg-prop create --from-file" on content, against a
// node URL nothing listens on: a file that passes the checks gets as far
// as the call (exit 3), one that does not is a usage error (exit 2).
func runCreateFile(t *testing.T, content string) (*cli.Error, string) {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "items")
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	app := NewApp(cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	err := app.Run([]string{"gg-prop", "--network=regtest", "--datadir", dir, "--rpc-url", "http://127.0.0.1:1",
		"create", "--producer", "acme", "--from-file", f})
	var ce *cli.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *cli.Error", err)
	}
	return ce, ce.Error()
}

// TestCreateFromFileLines: an error in a prop file names the line it is
// on, counting the header and blank lines (the old check counted props,
// so with a header it named the line before the bad one).
func TestCreateFromFileLines(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"csv after a header": {"oid,gold\nsword,0.001\nbad\x01oid,0.001\n", "line 3: oid"},
		"csv gold":           {"oid,gold,address\n\nsword,0.001\nshield,lots\n", "line 4: bad gold"},
		"json after a blank": {"{\"oid\":\"a\",\"gold\":\"0.001\"}\n\n{\"oid\":\"b\\u0001\",\"gold\":\"0.001\"}\n", "line 3: oid"},
		"json multi-line":    {"{\"oid\":\"a\",\n \"gold\":\"0.001\"}\n{\"oid\":\"b\",\n\"gold\":1e-9}\n", "line 3: bad gold"},
		"json syntax":        {"{\"oid\":\"a\",\"gold\":\"0.001\"}\n{\"oid\":\"b\",\"gold\":}\n", "line 2:"},
		"csv field count":    {"sword,0.001\nshield\n", "line 2: want oid,gold[,address]"},
		"too many props":     {strings.Repeat("sword,0.001\n", 1001), "more than 1000 props"},
		"no props":           {"oid,gold\n", "no props"},
	} {
		t.Run(name, func(t *testing.T) {
			ce, msg := runCreateFile(t, c.in)
			if ce.Code != cli.ExitUsage || !strings.Contains(msg, c.want) {
				t.Fatalf("exit %d %q, want exit 2 and %q", ce.Code, msg, c.want)
			}
		})
	}
}

// TestCreateFromFileBOM: a CSV file that starts with a UTF-8 byte order
// mark (as spreadsheet exports do) is read like one without it (the old
// parser took the marked header for a prop and refused its gold).
func TestCreateFromFileBOM(t *testing.T) {
	ce, msg := runCreateFile(t, "\ufeffoid,gold,address\nsword,0.001\n")
	if ce.Code != cli.ExitUnavailable {
		t.Fatalf("exit %d %q, want the file accepted and the node unreachable (exit 3)", ce.Code, msg)
	}
	items, err := parsePropFile(strings.NewReader("\ufeff{\"oid\":\"a\",\"gold\":\"0.001\"}\n"))
	if err != nil || len(items) != 1 || items[0].OID != "a" {
		t.Fatalf("JSON lines after a BOM: %+v, %v", items, err)
	}
}

// TestCreateFromFileAddress: an address that cannot be one (white space
// inside, other characters, more than 90 characters) is refused with its
// line before anything is sent (the old parser passed it to the node);
// white space around one is dropped in both formats.
func TestCreateFromFileAddress(t *testing.T) {
	for name, in := range map[string]string{
		"csv space inside": "sword,0.001,rg1q xyz\n",
		"json non-ascii":   "{\"oid\":\"a\",\"gold\":\"1\",\"address\":\"rg1q\\u00e9\"}\n",
		"csv invalid utf8": "oid,gold,address\n,1,\xef\n",
		"too long":         "a,1," + strings.Repeat("q", 91) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			ce, msg := runCreateFile(t, in)
			if ce.Code != cli.ExitUsage || !strings.Contains(msg, "address") || !strings.Contains(msg, "line ") {
				t.Fatalf("exit %d %q, want exit 2 naming the line and the address", ce.Code, msg)
			}
		})
	}
	items, err := parsePropFile(strings.NewReader("{\"oid\":\"a\",\"gold\":\"1\",\"address\":\" rg1qxyz \"}\n"))
	if err != nil || items[0].Address != "rg1qxyz" {
		t.Fatalf("JSON address with spaces around it: %+v, %v", items, err)
	}
}
