package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ucli "github.com/urfave/cli/v2"
)

// manyFlagsApp is an app with the common flags and n more of the kinds a
// daemon has (string, bool, int, duration, list; each with a GG_*
// variable) and a command "sub" that runs action.
func manyFlagsApp(n int, action ucli.ActionFunc) *ucli.App {
	app := NewApp("gg-test", "test app", IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	for i := range n {
		name := fmt.Sprintf("flag-%d", i)
		env := []string{envName(name)}
		switch i % 5 {
		case 0:
			app.Flags = append(app.Flags, &ucli.StringFlag{Name: name, Value: "default", EnvVars: env})
		case 1:
			app.Flags = append(app.Flags, &ucli.BoolFlag{Name: name, EnvVars: env})
		case 2:
			app.Flags = append(app.Flags, &ucli.IntFlag{Name: name, Value: 7, EnvVars: env})
		case 3:
			app.Flags = append(app.Flags, &ucli.DurationFlag{Name: name, Value: time.Second, EnvVars: env})
		case 4:
			app.Flags = append(app.Flags, &ucli.StringSliceFlag{Name: name, EnvVars: env})
		}
	}
	app.Action = action
	app.Commands = []*ucli.Command{{Name: "sub", Action: action}}
	return app
}

// TestFlagLookupLinear: a run's cost grows linearly with the app's flags.
// urfave/cli runs each set flag's action after parsing, asking IsSet of
// every flag, and IsSet looks an unset flag up among all the flags by
// Names() (a regexp per name): ~8,000 allocations for gg-node's 49 global
// flags, most of a client call's. Allocations per added flag, between 40
// and 160 flags, must stay those of parsing one flag: 492 with IsSet per
// flag, 38 with the set flags found in one pass, 22 with each flag's
// Names asked once per run (flagNames).
func TestFlagLookupLinear(t *testing.T) {
	allocs := func(n int) float64 {
		return testing.AllocsPerRun(5, func() {
			app := manyFlagsApp(n, func(c *ucli.Context) error {
				_, err := ApplyConfig(c, filepath.Join(os.TempDir(), "gg-no-such-dir", ConfigFile))
				return err
			})
			if code := Run(app, []string{"gg-test", "--network=regtest", "--flag-0=x", "sub"}); code != 0 {
				t.Fatalf("code %d", code)
			}
		})
	}
	small, large := allocs(40), allocs(160)
	perFlag := (large - small) / 120
	t.Logf("allocations per run: %.0f with 40 flags, %.0f with 160: %.1f per flag", small, large, perFlag)
	if perFlag > 30 {
		t.Fatalf("%.1f allocations per added flag (40 flags: %.0f, 160: %.0f): the flag lookups are not linear", perFlag, small, large)
	}
}

// TestCommonNames: commonNames (hoistFlags, the client configuration)
// are the names of CommonFlags, in order.
func TestCommonNames(t *testing.T) {
	var names []string
	for _, f := range CommonFlags() {
		names = append(names, f.Names()...)
	}
	if strings.Join(names, " ") != strings.Join(commonNames, " ") {
		t.Fatalf("commonNames %v, CommonFlags' names %v", commonNames, names)
	}
}

// TestConfigPrecedenceKinds pins flag > environment > config file >
// default for flags of each kind, given before or after the command, in
// an app of many flags.
func TestConfigPrecedenceKinds(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, ConfigFile)
	// flag-0 string, flag-1 bool, flag-2 int, flag-3 duration, flag-4 list.
	if err := os.WriteFile(cfg, []byte("flag-0 = \"file\"\nflag-1 = true\nflag-2 = 3\nflag-3 = \"3s\"\nflag-4 = [\"f1\", \"f2\"]\nlog-level = \"warn\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type vals struct {
		s       string
		b       bool
		i       int
		d       time.Duration
		l, lvl  string
		applied string
	}
	run := func(args ...string) vals {
		t.Helper()
		var v vals
		app := manyFlagsApp(40, func(c *ucli.Context) error {
			applied, err := ApplyConfig(c, cfg)
			if err != nil {
				return err
			}
			v = vals{c.String("flag-0"), c.Bool("flag-1"), c.Int("flag-2"), c.Duration("flag-3"),
				strings.Join(c.StringSlice("flag-4"), ","), c.String(FlagLogLevel), strings.Join(applied, ",")}
			return nil
		})
		if code := Run(app, append([]string{"gg-test"}, args...)); code != 0 {
			t.Fatalf("%v: code %d", args, code)
		}
		return v
	}
	all := "flag-0,flag-1,flag-2,flag-3,flag-4,log-level"
	fromFile := vals{"file", true, 3, 3 * time.Second, "f1,f2", "warn", all}
	for _, cmd := range [][]string{nil, {"sub"}} {
		if v := run(cmd...); v != fromFile {
			t.Fatalf("%v: config file: %+v, want %+v", cmd, v, fromFile)
		}
	}
	// Without the file: the defaults.
	os.Rename(cfg, cfg+".off")
	if v, want := run("sub"), (vals{"default", false, 7, time.Second, "", "info", ""}); v != want {
		t.Fatalf("defaults: %+v, want %+v", v, want)
	}
	os.Rename(cfg+".off", cfg)
	// The environment beats the file.
	t.Setenv("GG_FLAG_0", "env")
	t.Setenv("GG_FLAG_2", "5")
	t.Setenv("GG_FLAG_4", "e1,e2")
	t.Setenv("GG_LOG_LEVEL", "error")
	envWins := vals{"env", true, 5, 3 * time.Second, "e1,e2", "error", "flag-1,flag-3"}
	if v := run("sub"); v != envWins {
		t.Fatalf("environment: %+v, want %+v", v, envWins)
	}
	// A flag beats both, before the command or after it (common flags).
	flags := vals{"flag", false, 9, 4 * time.Second, "a", "debug", ""}
	if v := run("--flag-0=flag", "--flag-1=false", "--flag-2=9", "--flag-3=4s", "--flag-4=a", "--log-level=debug", "sub"); v != flags {
		t.Fatalf("flags: %+v, want %+v", v, flags)
	}
	if v := run("--flag-0=flag", "--flag-1=false", "--flag-2=9", "--flag-3=4s", "--flag-4=a", "sub", "--log-level=debug"); v != flags {
		t.Fatalf("flags after the command: %+v, want %+v", v, flags)
	}
}
