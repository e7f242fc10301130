package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

func TestPrintTable(t *testing.T) {
	var b bytes.Buffer
	if err := PrintTable(&b, []string{"KIND", "id"}, [][]string{{"tx", "ab"}, {"prop", "cd"}}); err != nil {
		t.Fatal(err)
	}
	want := "+------+----+\n| KIND | id |\n+------+----+\n| tx   | ab |\n| prop | cd |\n+------+----+\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPrintResult(t *testing.T) {
	table := func(json.RawMessage) ([]string, [][]string, error) { return []string{"A"}, [][]string{{"1"}}, nil }
	for _, args := range [][]string{{"gg-test"}, {"gg-test", "--json"}} {
		app, out, errb := testApp(func(c *ucli.Context) error {
			return PrintResult(c, json.RawMessage(`{"a":1}`), table)
		})
		if code := Run(app, args); code != 0 {
			t.Fatalf("%v: code %d: %s", args, code, errb)
		}
		if out.String() != "{\n  \"a\": 1\n}\n" { // not a terminal: JSON
			t.Errorf("%v: stdout %q", args, out)
		}
	}
}

func TestWantArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{{[]string{"gg-test", "a"}, true}, {[]string{"gg-test"}, false}, {[]string{"gg-test", "a", "b"}, false}} {
		app, _, errb := testApp(func(c *ucli.Context) error { return WantArgs(c, 1, "ID") })
		code := Run(app, tc.args)
		if tc.ok && code != ExitOK || !tc.ok && code != ExitUsage {
			t.Errorf("%v: code %d", tc.args, code)
		}
		if !tc.ok && !strings.Contains(errb.String(), "want ID, got") {
			t.Errorf("%v: stderr %q", tc.args, errb)
		}
	}
}

func TestCheckID(t *testing.T) {
	if err := CheckID(strings.Repeat("ab", 32), "prop"); err != nil {
		t.Errorf("good id: %v", err)
	}
	for _, s := range []string{"", "ab", strings.Repeat("zz", 32), strings.Repeat("ab", 33)} {
		err := CheckID(s, "prop")
		if e, ok := err.(*Error); !ok || e.Code != ExitUsage || !strings.Contains(e.Error(), "bad prop") {
			t.Errorf("%q: %v, want a usage error", s, err)
		}
	}
}

func TestTableOf(t *testing.T) {
	table := TableOf(func(r struct {
		N []int `json:"n"`
	}) ([]string, [][]string, error) {
		return []string{"N"}, [][]string{{strings.Repeat("x", len(r.N))}}, nil
	})
	h, rows, err := table(json.RawMessage(`{"n":[1,2,3]}`))
	if err != nil || len(h) != 1 || len(rows) != 1 || rows[0][0] != "xxx" {
		t.Errorf("table %v %v %v", h, rows, err)
	}
	if _, _, err := table(json.RawMessage(`"not an object"`)); err == nil {
		t.Error("a string decoded into a struct")
	}
}

// TestPrintTableFits: ids are shortened around an ellipsis and long cells
// cut in the middle so that a table fits TableWidth columns; the wide
// table keeps every cell whole.
func TestPrintTableFits(t *testing.T) {
	txid := "3f2a" + strings.Repeat("0", 56) + "9c1d"
	addr := "rg1q2vfxp232rx0z9rzn0hay9jptagk8c86d8vuzf6"
	header := []string{"OUTPOINT", "GG", "CONFS", "ACCOUNT", "ADDRESS", "MEMO"}
	rows := [][]string{{txid + ":1", "50.0", "101", "default", addr, strings.Repeat("a sword in game ", 6)}}
	var b bytes.Buffer
	if err := PrintTable(&b, header, rows); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if n := len([]rune(line)); n > TableWidth {
			t.Errorf("line of %d columns:\n%s", n, b.String())
		}
	}
	if !strings.Contains(b.String(), "| 3f2a…9c1d:1 |") || strings.Contains(b.String(), txid) {
		t.Errorf("id not shortened:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "| 50.0 |") || !strings.Contains(b.String(), "| default |") {
		t.Errorf("short cells cut:\n%s", b.String())
	}
	b.Reset()
	if err := PrintWideTable(&b, header, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), txid+":1") || !strings.Contains(b.String(), addr) {
		t.Errorf("wide table cut a cell:\n%s", b.String())
	}
	// numbers, and words with numbers, are never cut: such a table stays
	// wider rather than lie
	b.Reset()
	gives := "20999999.99999999 GG + 1000 props"
	PrintTable(&b, []string{"A GIVES", "B GIVES", "GG", "MEMO"},
		[][]string{{gives, gives, "20999999.99999999", "pay " + strings.Repeat("1", 40)}})
	if strings.Count(b.String(), gives) != 2 || !strings.Contains(b.String(), "| 20999999.99999999 |") || !strings.Contains(b.String(), strings.Repeat("1", 40)) {
		t.Errorf("a number was cut:\n%s", b.String())
	}
	// a table that fits is left as it is
	b.Reset()
	PrintTable(&b, []string{"A", "B"}, [][]string{{"x", "some text"}})
	if !strings.Contains(b.String(), "| x | some text |") {
		t.Errorf("a narrow table changed:\n%s", b.String())
	}
}

// TestPrintResultWide: on a terminal a result is a fitted table, whole
// with --wide, and JSON (ids whole) with --json.
func TestPrintResultWide(t *testing.T) {
	saved := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	defer func() { isTerminal = saved }()
	txid := strings.Repeat("ab", 32)
	table := func(json.RawMessage) ([]string, [][]string, error) { return []string{"TXID"}, [][]string{{txid}}, nil }
	for _, tt := range []struct {
		args      []string
		want, not string
	}{
		{[]string{"gg-test"}, "| abab…abab |", txid},
		{[]string{"gg-test", "--wide"}, "| " + txid + " |", "…"},
		{[]string{"gg-test", "--json"}, `"txid": "` + txid + `"`, "…"},
	} {
		app, out, errb := testApp(func(c *ucli.Context) error {
			return PrintResult(c, json.RawMessage(`{"txid":"`+txid+`"}`), table)
		})
		if code := Run(app, tt.args); code != 0 {
			t.Fatalf("%v: code %d: %s", tt.args, code, errb)
		}
		if !strings.Contains(out.String(), tt.want) || strings.Contains(out.String(), tt.not) {
			t.Errorf("%v: stdout %q, want %q without %q", tt.args, out, tt.want, tt.not)
		}
	}
}

func TestFormatGG(t *testing.T) {
	for _, tt := range []struct {
		json, want string
	}{{"50.00000000", "50.0"}, {"-1.50000141", "-1.50000141"}, {"0.00000294", "0.00000294"}, {`"0.1"`, "0.1"}, {"0", "0.0"}} {
		var a Amount
		if err := json.Unmarshal([]byte(tt.json), &a); err != nil || a.String() != tt.want {
			t.Errorf("%s: %q %v, want %q", tt.json, a.String(), err, tt.want)
		}
	}
	for _, bad := range []string{"1e8", "1.000000001", `"x"`, "null"} {
		var a Amount
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestWriteJSONSelectors: --fields keeps top-level keys of an object or
// of each object of a list; --jq prints what gojq yields, strings raw;
// bad names and expressions are usage errors.
func TestWriteJSONSelectors(t *testing.T) {
	run := func(v any, args ...string) (string, string, int) {
		app, out, errb := testApp(func(c *ucli.Context) error { return WriteJSON(c, v) })
		code := Run(app, append([]string{"gg-test"}, args...))
		return out.String(), errb.String(), code
	}
	obj := json.RawMessage(`{"txid":"ab","amount":1.50000000,"fee":0.00000141}`)
	list := json.RawMessage(`[{"txid":"ab","vout":0},{"txid":"cd","vout":1}]`)
	for _, tt := range []struct {
		v         any
		args      []string
		want      string
		code      int
		errSubstr string
	}{
		{obj, nil, "{\n  \"txid\": \"ab\",\n  \"amount\": 1.50000000,\n  \"fee\": 0.00000141\n}\n", 0, ""},
		{obj, []string{"--fields", "amount, txid"}, "{\n  \"amount\": 1.50000000,\n  \"txid\": \"ab\"\n}\n", 0, ""},
		{list, []string{"--fields=vout"}, "[\n  {\n    \"vout\": 0\n  },\n  {\n    \"vout\": 1\n  }\n]\n", 0, ""},
		{json.RawMessage(`[]`), []string{"--fields=vout"}, "[]\n", 0, ""},
		{obj, []string{"--jq", ".txid"}, "ab\n", 0, ""},
		{obj, []string{"--jq", ".amount"}, "1.50000000\n", 0, ""},
		{list, []string{"--jq", ".[].txid"}, "ab\ncd\n", 0, ""},
		{list, []string{"--fields", "txid", "--jq", ".[0]"}, "{\n  \"txid\": \"ab\"\n}\n", 0, ""},
		{obj, []string{"--fields", "nope"}, "", 2, `unknown field \"nope\" in --fields","hint":"the fields are: amount, fee, txid"`},
		{obj, []string{"--fields", ","}, "", 2, "empty --fields"},
		{json.RawMessage(`"ab"`), []string{"--fields", "x"}, "", 2, "--fields needs objects; this result is a string"},
		{obj, []string{"--jq", ".["}, "", 2, "bad --jq expression"},
		{obj, []string{"--jq", "nosuchfunc"}, "", 2, "bad --jq expression"},
		{obj, []string{"--jq", `error("boom")`}, "", 1, "--jq: error: boom"},
	} {
		out, errs, code := run(tt.v, tt.args...)
		if code != tt.code || out != tt.want || !strings.Contains(errs, tt.errSubstr) {
			t.Errorf("%v: code %d stdout %q stderr %q; want %d %q %q", tt.args, code, out, errs, tt.code, tt.want, tt.errSubstr)
		}
	}
}

// TestPrintValue: a single value is a line, or an object under --json.
func TestPrintValue(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{{[]string{"gg-test"}, "ab\n"}, {[]string{"gg-test", "--json"}, "{\n  \"txid\": \"ab\"\n}\n"}, {[]string{"gg-test", "--jq", ".txid"}, "ab\n"}} {
		app, out, _ := testApp(func(c *ucli.Context) error { return PrintValue(c, "txid", "ab") })
		if code := Run(app, tt.args); code != 0 || out.String() != tt.want {
			t.Errorf("%v: code %d stdout %q, want %q", tt.args, code, out, tt.want)
		}
	}
}

// TestCommandsUseWriteJSON keeps --fields and --jq working for every
// command: the command trees print JSON through WriteJSON, PrintResult or
// PrintValue, never through PrintJSON on their own.
func TestCommandsUseWriteJSON(t *testing.T) {
	files, err := filepath.Glob("gg*/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no command files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "cli.PrintJSON(") {
			t.Errorf("%s calls cli.PrintJSON: use cli.WriteJSON(c, v) so --fields and --jq apply", f)
		}
	}
}
