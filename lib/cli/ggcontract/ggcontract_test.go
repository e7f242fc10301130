package ggcontract

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func TestClientChecks(t *testing.T) {
	if err := checkKey("02" + strings.Repeat("ab", 32)); err != nil {
		t.Errorf("good key: %v", err)
	}
	for _, k := range []string{"04" + strings.Repeat("ab", 32), "02ab", "zz"} {
		if checkKey(k) == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	if _, err := parseGG("0.00001", "--stake"); err == nil || !strings.Contains(err.Error(), "0 or at least 0.0001 GG") {
		t.Errorf("dust stake: %v", err)
	}
	if a, err := parseGG("0", "--pay"); err != nil || a != 0 {
		t.Errorf("zero pay: %v", err)
	}
	if got := rejection("game-contract-expired: wallet: execute contract: broadcast ab: game-contract-expired: claim at 110"); got != "game-contract-expired: claim at 110" {
		t.Errorf("rejection %q", got)
	}
}

func TestSecretFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.txt")
	s, err := newSecret(p)
	if err != nil || len(s) != 32 {
		t.Fatal(s, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	if _, err := newSecret(p); err == nil {
		t.Fatal("overwrote a secret file")
	}
	got, err := readSecretIn(p, "")
	if err != nil || !bytes.Equal(got, s) {
		t.Fatalf("read back %x %v", got, err)
	}
	os.WriteFile(p, []byte("not hex\n"), 0o600)
	if _, err := readSecretIn(p, ""); err == nil {
		t.Fatal("non-hex secret accepted")
	}
	// A hash lock's secret is exactly 32 bytes (the escrow script's rule).
	for _, n := range []int{1, 31, 33, 520} {
		os.WriteFile(p, []byte(strings.Repeat("ab", n)+"\n"), 0o600)
		if _, err := readSecretIn(p, ""); err == nil {
			t.Errorf("secret of %d bytes accepted", n)
		}
	}
}

// TestSecretFileStdin: --secret-file - reads the secret from stdin, as
// every gg-* secret flag does; a missing file is the user's to fix.
func TestSecretFileStdin(t *testing.T) {
	hx := strings.Repeat("ab", 32)
	got, err := readSecretIn("-", hx+"\n")
	if err != nil || hex.EncodeToString(got) != hx {
		t.Fatalf("secret on stdin: %x %v", got, err)
	}
	var ce *cli.Error
	_, err = readSecretIn("-", "ab\n")
	if !errors.As(err, &ce) || ce.Code != cli.ExitUsage || err.Error() != "secret on stdin: want the secret in hex (32 bytes, 64 hex digits)" {
		t.Errorf("short secret on stdin: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "nosuch")
	_, err = readSecretIn(missing, "")
	if !errors.As(err, &ce) || ce.Code != cli.ExitUsage || err.Error() != "secret file "+missing+" does not exist" {
		t.Errorf("missing secret file: %v", err)
	}
}

// readSecretIn runs readSecret(path) in a command whose stdin holds stdin.
func readSecretIn(path, stdin string) ([]byte, error) {
	var got []byte
	app := cli.NewApp("gg-contract", "test", cli.IO{In: strings.NewReader(stdin), Out: io.Discard, Err: io.Discard})
	app.Action = func(c *ucli.Context) error {
		var err error
		got, err = readSecret(c, path)
		return err
	}
	err := app.Run([]string{"gg-contract"})
	return got, err
}

func TestTables(t *testing.T) {
	raw := json.RawMessage(`[{"id":"ab","state":"signed","role":"B","account":"bob","terms":{"a_gold":2.00000000,"a_props":["cd"],
		"b_gold":0.50000000,"b_props":[],"memo":"sword","hash":"","expiry":120,"mode":"escrow"}}]`)
	var cs []contractJSON
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	h, rows, _ := contractTable(cs, true)
	var b bytes.Buffer
	if err := cli.PrintTable(&b, h, rows); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| CONTRACT", "| 2.0 GG + 1 props", "| 0.5 GG ", "signed", "bob"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestNewSecretGitWorkTree: --new-secret refuses a bare file name when
// the current directory is inside a git work tree (the secret would sit
// next to tracked files, one `git add .` from publication), with a hint;
// an explicit path (absolute, or with a directory separator) is written.
func TestNewSecretGitWorkTree(t *testing.T) {
	repo := t.TempDir()
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	_, err := newSecret("s.txt")
	var ce *cli.Error
	if !errors.As(err, &ce) || ce.Code != cli.ExitUsage || !strings.Contains(err.Error(), "git work tree") ||
		len(ce.Hints) == 0 || !strings.Contains(ce.Hints[0], "./s.txt") {
		t.Fatalf("bare name in a git work tree: %v (%+v)", err, ce)
	}
	if _, err := os.Stat("s.txt"); !os.IsNotExist(err) {
		t.Fatal("refused secret file was written")
	}
	for _, p := range []string{"./s1.txt", filepath.Join(sub, "s2.txt"), filepath.Join("..", "s3.txt")} {
		if _, err := newSecret(p); err != nil {
			t.Errorf("explicit path %s: %v", p, err)
		}
	}
	// A worktree's .git is a file; outside any work tree a bare name is fine.
	wt := t.TempDir()
	if err := os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: /elsewhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wt)
	if _, err := newSecret("s.txt"); err == nil {
		t.Error("bare name in a linked worktree accepted")
	}
	t.Chdir(t.TempDir())
	if _, err := newSecret("s.txt"); err != nil {
		t.Errorf("bare name outside a work tree: %v", err)
	}
}

// TestNewSecretRemovedOnFailure: a secret file that cannot be written
// whole (a full disk; here a file size limit) is not left behind, where
// it would pass for the secret of a contract.
func TestNewSecretRemovedOnFailure(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.txt")
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("no RLIMIT_FSIZE: %v", err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 10, Max: old.Max}); err != nil {
		t.Skipf("cannot limit file sizes: %v", err)
	}
	_, err := newSecret(p)
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	if err == nil {
		t.Fatal("a secret beyond the file size limit was written")
	}
	if _, serr := os.Stat(p); !os.IsNotExist(serr) {
		t.Errorf("a half-written secret is left: %v (error %v)", serr, err)
	}
}
