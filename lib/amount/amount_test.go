package amount

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Amount
	}{
		{"1", DustPerGG},
		{"1.5", 150_000_000},
		{"0.00000001", 1},
		{".5", 50_000_000},
		{"21000000", MaxMoney},
		{"0", 0},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in  string
		err error
	}{
		{"", ErrSyntax}, {".", ErrSyntax}, {"1.", ErrSyntax}, {"-1", ErrSyntax},
		{"1e8", ErrSyntax}, {"1.000000001", ErrPrecison}, {"21000000.00000001", ErrRange},
		{"9999999999", ErrRange}, {" 1", ErrSyntax}, {"0x10", ErrSyntax},
	}
	for _, c := range cases {
		if _, err := Parse(c.in); !errors.Is(err, c.err) {
			t.Errorf("Parse(%q) err = %v, want %v", c.in, err, c.err)
		}
	}
}

func TestString(t *testing.T) {
	cases := map[Amount]string{0: "0.0", 1: "0.00000001", 150_000_000: "1.5", -DustPerGG: "-1.0", 5000000000: "50.0"}
	for a, want := range cases {
		if got := a.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(a), got, want)
		}
	}
	if got := Amount(1).Format(); got != "0.00000001" {
		t.Errorf("Format = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "1.5", "0.00000001", "21000000", ".1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if !a.Valid() {
			t.Fatalf("Parse(%q) = %d out of range", s, a)
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip %q -> %s -> %d, %v", s, a, b, err)
		}
	})
}

func TestParseSigned(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Amount
		err  error
	}{
		{"1.5", 150000000, nil},
		{"-1.5", -150000000, nil},
		{"-0.00000001", -1, nil},
		{"--1", 0, ErrSyntax},
		{"-", 0, ErrSyntax},
		{"+1", 0, ErrSyntax},
		{"-1.000000001", 0, ErrPrecison},
	} {
		got, err := ParseSigned(c.in)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("ParseSigned(%q) = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
		}
	}
}
