package cli

import (
	"bytes"
	"encoding/json"
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
