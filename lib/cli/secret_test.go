package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// runWith runs action in an app reading stdin, with args after the
// binary's name; it returns stderr and the action's error.
func runWith(stdin string, args []string, action ucli.ActionFunc) (string, error) {
	var errb bytes.Buffer
	app := NewApp("gg-test", "test app", IO{In: strings.NewReader(stdin), Out: &bytes.Buffer{}, Err: &errb})
	app.Action = action
	err := app.Run(append([]string{"gg-test"}, args...))
	return errb.String(), err
}

func TestWarnSecretArg(t *testing.T) {
	stderr, err := runWith("", nil, func(c *ucli.Context) error {
		WarnSecretArg(c, "a key", "--key-file")
		WarnSecretArg(c, "a key", "--key-file")
		WarnSecretArg(c, "a passphrase", "--passphrase-file")
		return nil
	})
	want := "gg-test: warning: a key on the command line is visible to other users (ps); use --key-file\n" +
		"gg-test: warning: a passphrase on the command line is visible to other users (ps); use --passphrase-file\n"
	if err != nil || stderr != want {
		t.Fatalf("stderr %q, err %v; want %q", stderr, err, want)
	}
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(path, []byte(" pass word \r\nnext\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got string
	stderr, err := runWith("from stdin\n", nil, func(c *ucli.Context) error {
		s, err := ReadSecret(c, path, "passphrase", false)
		if err != nil {
			return err
		}
		got = FirstLine(s)
		s, err = ReadSecret(c, "-", "key file", false)
		got += "|" + strings.Join(SecretLines(s), ",")
		return err
	})
	if err != nil || got != " pass word |from stdin" || stderr != "" {
		t.Fatalf("got %q, err %v, stderr %q", got, err, stderr)
	}
	if l := SecretLines("# c\n\n  k1 \r\n#k\nk2"); strings.Join(l, ",") != "k1,k2" {
		t.Fatalf("SecretLines %q", l)
	}
}

func TestReadSecretErrors(t *testing.T) {
	dir := t.TempDir()
	notTTY := filepath.Join(dir, "not-a-tty") // no terminal, even under a developer's shell
	if err := os.WriteFile(notTTY, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func(p string) { ttyPath = p }(ttyPath)
	ttyPath = notTTY
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("k"), maxSecret+1), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		action ucli.ActionFunc
		want   string
		code   int
	}{
		{"missing file", func(c *ucli.Context) error {
			_, err := ReadSecret(c, filepath.Join(dir, "nosuch"), "passphrase", false)
			return err
		}, "passphrase file " + filepath.Join(dir, "nosuch") + " does not exist", ExitUsage}, // the user's to fix
		{"oversized file", func(c *ucli.Context) error {
			_, err := ReadSecret(c, big, "key file", false)
			return err
		}, "key file " + big + " exceeds 1048576 bytes", ExitUsage},
		{"stdin twice", func(c *ucli.Context) error {
			if _, err := ReadSecret(c, "-", "key file", false); err != nil {
				return err
			}
			_, err := ReadStdin(c, "transaction")
			return err
		}, "key file and transaction both come from stdin", ExitUsage},
		{"no terminal to ask on", func(c *ucli.Context) error {
			_, err := PromptSecret(c, "passphrase", true)
			return err
		}, "no passphrase given and no terminal to ask on", ExitUsage},
		{"no terminal at all", func(c *ucli.Context) error {
			ttyPath = filepath.Join(dir, "nosuch")
			_, err := PromptSecret(c, "passphrase", false)
			if !errors.Is(err, ErrNoTerminal) {
				return errors.New("not ErrNoTerminal")
			}
			return err
		}, "no passphrase given and no terminal to ask on", ExitUsage},
	}
	for _, tt := range tests {
		_, err := runWith("k\n", nil, tt.action)
		var e *Error
		if err == nil || err.Error() != tt.want || !errors.As(err, &e) || e.Code != tt.code {
			t.Errorf("%s: error %v, want %q (exit %d)", tt.name, err, tt.want, tt.code)
		}
	}
}

func TestNodeClientWarnsRPCPassword(t *testing.T) {
	const warn = "gg-test: warning: an RPC password on the command line is visible to other users (ps); use GG_RPC_URL\n"
	for _, tt := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"password in the flag", "", []string{"--rpc-url", "http://u:secret@127.0.0.1:1"}, warn},
		{"without scheme", "", []string{"--rpc-url", "u:secret@127.0.0.1:1"}, warn},
		{"password in the environment", "http://u:secret@127.0.0.1:1", nil, ""},
		{"no password", "", []string{"--rpc-url", "http://127.0.0.1:1"}, ""},
		{"user only", "", []string{"--rpc-url", "http://u@127.0.0.1:1"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GG_RPC_URL", tt.env)
			stderr, err := runWith("", append([]string{"--datadir", t.TempDir()}, tt.args...), func(c *ucli.Context) error {
				_, err := NodeClient(c)
				return err
			})
			var e *Error // no node there: the warning comes before contact
			if !errors.As(err, &e) || e.Code != ExitUnavailable || stderr != tt.want {
				t.Fatalf("stderr %q, err %v; want %q", stderr, err, tt.want)
			}
		})
	}
}
