package testscripts

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gamegold/gg/lib/cli/ggtx"
)

// binaries maps each command name to its in-process main.
var binaries = map[string]func(){
	"gg-tx": ggtx.Main,
}

func TestMain(m *testing.M) { testscript.Main(m, binaries) }

// TestScripts runs every testscripts/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 ".",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("GG_DB_NOSYNC", "1")
			return os.MkdirAll(home, 0o700)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile": cmdWaitFile,
		},
	})
}

// waitfile PATH [SECONDS]: wait until PATH exists (a daemon's readiness
// marker such as rpc.addr), failing after the timeout (default 30 s).
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: waitfile PATH [SECONDS]")
	}
	limit := 30 * time.Second
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil {
			ts.Fatalf("waitfile: bad seconds %q", args[1])
		}
		limit = time.Duration(n) * time.Second
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitfile: %s did not appear within %s", path, fmt.Sprint(limit))
}
