package ggnode

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestBlockBar: no bar off a terminal; on one (a pseudo-terminal), the
// bar carries its name, follows a growing total and starts again after
// it finished.
func TestBlockBar(t *testing.T) {
	if reindexBar(&bytes.Buffer{}) != nil || syncBar(&bytes.Buffer{}) != nil {
		t.Fatal("a bar on a writer that is not a terminal")
	}
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	defer m.Close()
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlock pty: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("pty number: %v", e)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	out := make(chan string, 1)
	go func() { b, _ := io.ReadAll(m); out <- string(b) }() // until the terminal closes
	bar := blockBar(tty, "sync", time.Nanosecond)
	if bar == nil {
		t.Fatal("no bar on a terminal")
	}
	bar(1, 10)
	bar(10, 20) // more headers came
	bar(20, 20) // finished: cleared
	bar(3, 30)  // a new bar
	tty.Close()
	got := <-out
	if !strings.Contains(got, "sync") || !strings.Contains(got, "/20") || !strings.Contains(got, "3/30") {
		t.Errorf("terminal output %q", got)
	}
}
