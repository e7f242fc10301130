package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	ucli "github.com/urfave/cli/v2"
)

// openPTY returns the two ends of a new pseudo-terminal, or skips.
func openPTY(t *testing.T) (master *os.File, slavePath string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("pty number: %v", e)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// TestPromptSecretTTY: with stdin taken by data (not a terminal),
// PromptSecret asks on the controlling terminal, prompts there too, and
// leaves stdin unclaimed; a second secret may be asked for in the same
// run (a backup's passphrase, then the wallet's).
func TestPromptSecretTTY(t *testing.T) {
	master, slave := openPTY(t)
	defer func(p string) { ttyPath = p }(ttyPath)
	ttyPath = slave
	if _, err := master.WriteString("s3cret\rs3cret\rother\r"); err != nil {
		t.Fatal(err)
	}
	var got []string
	stderr, err := runWith("data on stdin", nil, func(c *ucli.Context) error {
		s, err := PromptSecret(c, "passphrase", true)
		if err != nil {
			return err
		}
		got = append(got, s)
		if s, err = PromptSecret(c, "backup passphrase", false); err != nil {
			return err
		}
		got = append(got, s)
		s, err = ReadStdin(c, "mnemonic")
		got = append(got, s)
		return err
	})
	if err != nil || strings.Join(got, "|") != "s3cret|other|data on stdin" || stderr != "" {
		t.Fatalf("got %q, err %v, stderr %q", got, err, stderr)
	}
	r := bufio.NewReader(master)
	var prompts string
	for !strings.Contains(prompts, "backup passphrase: ") {
		line, err := r.ReadString(' ')
		if err != nil {
			t.Fatalf("prompts %q: %v", prompts, err)
		}
		prompts += line
	}
	if !strings.Contains(prompts, "passphrase: ") || !strings.Contains(prompts, "passphrase again: ") {
		t.Errorf("prompts on the terminal %q", prompts)
	}
}
