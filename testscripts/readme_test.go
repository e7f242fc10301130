package testscripts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The README's convention: every fenced block whose info string is "sh"
// is run, in file order, by one bash from the repository root, so a
// variable or alias set in one block is there in the next. The first is
// the quick start and holds exactly `make run` and `make test`; the
// test does what `make run` does (the run target's recipe, with bin/
// holding the binaries) and leaves `make test` out, being part of it.
// Other blocks (```text, ``` ...) are not run.

// readmeBlocks returns the sh blocks of a markdown file: their lines and
// the line number each starts at.
func readmeBlocks(md []byte) (blocks [][]string, starts []int, err error) {
	sc := bufio.NewScanner(bytes.NewReader(md))
	in, sh, n := false, false, 0
	for sc.Scan() {
		n++
		line := sc.Text()
		fence, info, ok := strings.Cut(strings.TrimSpace(line), "```")
		if ok && fence == "" {
			switch {
			case !in:
				in, sh = true, strings.TrimSpace(info) == "sh"
				if sh {
					blocks = append(blocks, nil)
					starts = append(starts, n+1)
				}
			case info == "":
				in, sh = false, false
			}
			continue
		}
		if in && sh {
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], line)
		}
	}
	if in {
		return nil, nil, fmt.Errorf("unterminated code block")
	}
	return blocks, starts, sc.Err()
}

// commands returns a block's commands without comments and blank lines.
func commands(block []string) []string {
	var out []string
	for _, l := range block {
		if c, _, _ := strings.Cut(l, "#"); strings.TrimSpace(c) != "" {
			out = append(out, strings.TrimSpace(c))
		}
	}
	return out
}

// makeRecipe returns the recipe lines of target in a Makefile, with the
// variables bin and datadir substituted for $(BIN) and $(DATADIR), make's
// echo-suppressing @ removed and $$ unescaped. Any other make variable is
// an error: the test would no longer run what make runs.
// makeVar matches a make variable left in a recipe line ($((...)) is
// shell arithmetic, not one).
var makeVar = regexp.MustCompile(`\$\([A-Za-z_][A-Za-z0-9_]*\)`)

func makeRecipe(mk []byte, target, bin, datadir string) ([]string, error) {
	var out []string
	in := false
	for _, l := range strings.Split(string(mk), "\n") {
		if strings.HasPrefix(l, target+":") {
			in = true
			continue
		}
		if !in {
			continue
		}
		if !strings.HasPrefix(l, "\t") {
			break
		}
		l = strings.TrimPrefix(strings.TrimPrefix(l, "\t"), "@")
		l = strings.NewReplacer("$(BIN)", bin, "$(DATADIR)", datadir, "$$", "$").Replace(l)
		if makeVar.MatchString(l) {
			return nil, fmt.Errorf("make %s: recipe line %q uses a variable the test does not know", target, l)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("make %s: no recipe", target)
	}
	return out, nil
}

// TestReadmeBlocks checks the extraction the README test relies on.
func TestReadmeBlocks(t *testing.T) {
	md := "x\n```sh\na   # one\n\n# only a comment\nb\n```\n```text\nnot run\n```\n  ```sh\nc\n  ```\n"
	blocks, starts, err := readmeBlocks([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || strings.Join(commands(blocks[0]), ",") != "a,b" || strings.Join(commands(blocks[1]), ",") != "c" ||
		starts[0] != 3 || starts[1] != 12 {
		t.Fatalf("blocks %q starts %v", blocks, starts)
	}
	if _, _, err := readmeBlocks([]byte("```sh\na\n")); err == nil {
		t.Fatal("unterminated block accepted")
	}
	mk := "run: build ## r\n\t@mkdir -p $(DATADIR)\n\t$(BIN)/gg-node --datadir=$(DATADIR) $$X\n\nnext:\n\techo\n"
	r, err := makeRecipe([]byte(mk), "run", "bin", "/d")
	if err != nil || strings.Join(r, "|") != "mkdir -p /d|bin/gg-node --datadir=/d $X" {
		t.Fatalf("recipe %q, %v", r, err)
	}
	if _, err := makeRecipe([]byte("run:\n\t$(GO) build\n"), "run", "bin", "/d"); err == nil {
		t.Fatal("unknown make variable accepted")
	}
}

// TestReadme runs the README's sh blocks verbatim against a node started
// as `make run` starts it, in a scratch copy of the repository root: bin/
// holds every binary (this test binary under their names, each
// running the same lib/cli Main its cmd/gg-*/main.go calls), and .regtest
// the node's datadir. The node's RPC port is made ephemeral through
// GG_RPC_LISTEN, so the command line stays the Makefile's.
func TestReadme(t *testing.T) {
	for _, tool := range []string{"bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's walkthrough needs %s: %v", tool, err)
		}
	}
	md, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	blocks, starts, err := readmeBlocks(md)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d sh blocks; want the quick start and the walkthrough", len(blocks))
	}
	if got := commands(blocks[0]); strings.Join(got, "\n") != "make run\nmake test" {
		t.Fatalf("README.md:%d: the quick start must be exactly `make run` and `make test`, got %q", starts[0], got)
	}

	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Every bin/gg-* the README names must be a binary of cmd/.
	for _, name := range regexp.MustCompile(`bin/(gg-[a-z]+)`).FindAllStringSubmatch(string(md), -1) {
		if _, err := os.Stat(filepath.Join("..", "cmd", name[1])); err != nil {
			t.Fatalf("README.md names bin/%s, which cmd/ does not build", name[1])
		}
	}
	for name := range binaries {
		if _, err := os.Stat(filepath.Join("..", "cmd", name)); err != nil {
			t.Fatalf("%s: no cmd/%s", name, name)
		}
		exe, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	datadir := filepath.Join(root, ".regtest")
	recipe, err := makeRecipe(mk, "run", "bin", datadir)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env := readmeEnv(root)
	shell := func(script string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, "bash", "-c", script)
		cmd.Dir, cmd.Env = root, env
		return cmd
	}

	// make run: its recipe, the last line (the node) in the background
	for _, l := range recipe[:len(recipe)-1] {
		if out, err := shell(l).CombinedOutput(); err != nil {
			t.Fatalf("make run: %s: %v\n%s", l, err, out)
		}
	}
	node := shell("exec " + recipe[len(recipe)-1])
	node.Env = append(node.Env, "GG_RPC_LISTEN=127.0.0.1:0", "GG_LISTEN=127.0.0.1:0")
	nodeLog := &lockedBuffer{}
	node.Stdout, node.Stderr = nodeLog, nodeLog
	if err := node.Start(); err != nil {
		t.Fatalf("make run: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = node.Process.Signal(syscall.SIGINT)
		if err := node.Wait(); err != nil {
			t.Errorf("gg-node: %v\n%s", err, nodeLog.String())
		}
	}
	defer stop()
	waitForFile(t, filepath.Join(datadir, "rpc.addr"), 30*time.Second, nodeLog)

	// the walkthrough: every other sh block, verbatim, in one bash
	var script strings.Builder
	script.WriteString("set -euo pipefail\nshopt -s expand_aliases\n")
	for i, b := range blocks[1:] {
		fmt.Fprintf(&script, "# README.md:%d\n%s\n", starts[i+1], strings.Join(b, "\n"))
	}
	path := filepath.Join(root, "readme.sh")
	if err := os.WriteFile(path, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runWalkthrough(ctx, root, append(env, `PS4=+ readme.sh:${LINENO}: `), path)
	if err != nil {
		t.Fatalf("the README's walkthrough failed: %v\n%s\n--- readme.sh (lines as in the trace) ---\n%s", err, tail(out, 60), numbered(script.String()))
	}
	t.Logf("%d sh blocks run", len(blocks))
	stop()
}

// runWalkthrough runs the script at path with bash -x in dir and returns
// its output. The script runs in a process group of its own, killed
// when it ends or ctx is done, so a process it left in the background
// (the README's second node, after a failed step) dies with it. The
// output goes to a file, not a pipe: such a process holding the pipe
// would keep Wait from returning.
func runWalkthrough(ctx context.Context, dir string, env []string, path string) ([]byte, error) {
	out, err := os.CreateTemp(dir, "walkthrough-*.log")
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, "bash", "-x", path)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	err = cmd.Wait()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	b, rerr := os.ReadFile(out.Name())
	return b, errors.Join(err, rerr)
}

// readmeEnv is a new user's environment: PATH and the like kept, HOME in
// root, no GG_* settings of the caller's (GG_DB_NOSYNC, as every script
// here, spares the disk).
func readmeEnv(root string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GG_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+root, "GG_DB_NOSYNC=1")
}

func waitForFile(t *testing.T, path string, limit time.Duration, log *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %s\n%s", path, limit, log.String())
}

// lockedBuffer collects a background process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// TestReadmeWalkthroughCleansUp: a walkthrough that fails while a process
// it started in the background still runs (the README's second node)
// makes runWalkthrough return the failure, not wait on the process's
// hold of the output, and the process is killed.
func TestReadmeWalkthroughCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.sh")
	if err := os.WriteFile(path, []byte("sleep 600 &\necho $! > bg.pid\nexit 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := runWalkthrough(context.Background(), dir, os.Environ(), path)
		done <- err
	}()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Errorf("error %v, want exit status 3", err)
		}
	case <-time.After(60 * time.Second): // a guard against the hang, far above the few seconds needed
		t.Fatal("runWalkthrough waits on the background process")
	}
	b, err := os.ReadFile(filepath.Join(dir, "bg.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Killed: gone, or a zombie until init reaps it.
	for deadline := time.Now().Add(10 * time.Second); running(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the background process %d outlived the walkthrough", pid)
		}
	}
}

// running reports whether process pid exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// TestReadmeWaitLoopFails: the README's wait for the second node to catch
// up fails the walkthrough when it never does, instead of going on after
// its last try (ggn and ggn2 stubbed: heights 5 and 3, or 5 and 5).
func TestReadmeWaitLoopFails(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	md, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, _, err := readmeBlocks(md)
	if err != nil {
		t.Fatal(err)
	}
	var wait []string
	for _, b := range blocks {
		for i, l := range b {
			if strings.Contains(l, "$(seq ") && strings.Contains(l, "ggn2") {
				wait = b[i:]
			}
		}
	}
	if wait == nil {
		t.Fatal("README.md has no wait loop for the second node ($(seq ...) with ggn2)")
	}
	for _, tc := range []struct {
		height2 string
		ok      bool
	}{{"3", false}, {"5", true}} {
		script := "set -euo pipefail\nsleep() { :; }\njq() { :; }\n" +
			"ggn() { echo 5; }\nggn2() { if [ \"$*\" = 'rpc getblockcount' ]; then echo " + tc.height2 + "; fi; }\n" +
			strings.Join(wait, "\n") + "\n"
		err := exec.Command("bash", "-c", script).Run()
		if tc.ok != (err == nil) {
			t.Errorf("second node at height %s (the first at 5): walkthrough error %v", tc.height2, err)
		}
	}
}
