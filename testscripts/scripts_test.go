package testscripts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gamegold/gg/lib/cli/ggconsole"
	"github.com/gamegold/gg/lib/cli/ggcontract"
	"github.com/gamegold/gg/lib/cli/ggminer"
	"github.com/gamegold/gg/lib/cli/ggnode"
	"github.com/gamegold/gg/lib/cli/ggprop"
	"github.com/gamegold/gg/lib/cli/ggtx"
	"github.com/gamegold/gg/lib/cli/ggwallet"
)

// binaries maps each command name to its in-process main.
var binaries = map[string]func(){
	"gg-tx":       ggtx.Main,
	"gg-node":     ggnode.Main,
	"gg-prop":     ggprop.Main,
	"gg-wallet":   ggwallet.Main,
	"gg-contract": ggcontract.Main,
	"gg-miner":    ggminer.Main,
	"gg-console":  ggconsole.Main,
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
			env.Setenv("GG_LISTEN", "127.0.0.1:0") // P2P on an ephemeral port, as RPC
			return os.MkdirAll(home, 0o700)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile":   cmdWaitFile,
			"stdout2env": cmdStdoutToEnv,
			"jsonenv":    cmdJSONEnv,
			"hexreplace": cmdHexReplace,
			"waitstdout": cmdWaitStdout,
			"exits":      cmdExits,
			"onejson":    cmdOneJSON,
			"gbtblock":   cmdGBTBlock,
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

// waitstdout REGEXP PROG [ARGS...]: run PROG until its stdout matches
// REGEXP (a service that catches up by polling), failing after 30 s.
func cmdWaitStdout(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: waitstdout REGEXP PROG [ARGS...]")
	}
	re, err := regexp.Compile(args[0])
	if err != nil {
		ts.Fatalf("waitstdout: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := ts.Exec(args[1], args[2:]...)
		if err == nil && re.MatchString(ts.ReadFile("stdout")) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitstdout: %s never printed %q (last error %v)", args[1], args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exits CODE PROG [ARGS...]: run PROG, which must exit with status CODE
// (0 included); stdout and stderr are kept for the next assertions.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exits: %s exited with %d, want %d", args[1], got, want)
	}
}

// onejson object|array [FILE]: stdout (or FILE) holds exactly one JSON
// value, an object or an array of objects, and nothing else.
func cmdOneJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 || (args[0] != "object" && args[0] != "array") {
		ts.Fatalf("usage: onejson object|array [FILE]")
	}
	body := ts.ReadFile("stdout")
	if len(args) == 2 {
		body = ts.ReadFile(args[1])
	}
	dec := json.NewDecoder(strings.NewReader(body))
	var v any
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("onejson: not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		ts.Fatalf("onejson: more than one JSON value")
	}
	switch t := v.(type) {
	case map[string]any:
		if args[0] != "object" {
			ts.Fatalf("onejson: an object, want an array")
		}
	case []any:
		if args[0] != "array" {
			ts.Fatalf("onejson: an array, want an object")
		}
		for i, e := range t {
			if _, ok := e.(map[string]any); !ok {
				ts.Fatalf("onejson: element %d is not an object", i)
			}
		}
	default:
		ts.Fatalf("onejson: a bare %T, want an %s", v, args[0])
	}
}

// stdout2env VAR: set VAR to the previous command's stdout, trimmed.
func cmdStdoutToEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdout2env VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// jsonenv VAR PATH: set VAR to the value at PATH (dot-separated keys and
// array indexes, e.g. tx.0 or scriptPubKey.hex) of the previous command's
// JSON stdout. Numbers keep their JSON spelling.
func cmdJSONEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: jsonenv VAR PATH")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("jsonenv: stdout is not JSON: %v", err)
	}
	for _, k := range strings.Split(args[1], ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(t) {
				ts.Fatalf("jsonenv: bad index %q", k)
			}
			v = t[i]
		default:
			ts.Fatalf("jsonenv: %q: not an object or array", k)
		}
	}
	if v == nil {
		ts.Fatalf("jsonenv: %s not found", args[1])
	}
	ts.Setenv(args[0], fmt.Sprint(v))
}

// hexreplace FILE OLD NEW: replace the single occurrence of hex string OLD
// in FILE with NEW (to tamper with a signed transaction).
func cmdHexReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: hexreplace FILE OLD NEW")
	}
	body := ts.ReadFile(args[0])
	if n := strings.Count(body, args[1]); n != 1 {
		ts.Fatalf("hexreplace: %q occurs %d times in %s", args[1], n, args[0])
	}
	path := ts.MkAbs(args[0])
	if err := os.WriteFile(path, []byte(strings.Replace(body, args[1], args[2], 1)), 0o644); err != nil {
		ts.Fatalf("hexreplace: %v", err)
	}
}
