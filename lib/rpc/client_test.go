package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestClientDiscover(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c})
	u, _ := url.Parse(ts.URL)
	if err := os.WriteFile(filepath.Join(dir, AddrFile), []byte(u.Host+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cl, err := Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := cl.Call(context.Background(), "echo", &got, "hello"); err != nil || got != "hello" {
		t.Fatalf("echo: %q %v", got, err)
	}
	var raw json.RawMessage
	if err := cl.Call(context.Background(), "echo", &raw, "x"); err != nil || string(raw) != `"x"` {
		t.Fatalf("raw: %s %v", raw, err)
	}
	err = cl.Call(context.Background(), "nope", nil)
	var re *Error
	if !errors.As(err, &re) || re.Code != CodeMethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	// Explicit URL with credentials.
	_, pass, _ := ReadCookie(dir)
	cl2, _ := Discover("http://"+CookieUser+":"+pass+"@"+u.Host, "")
	if err := cl2.Call(context.Background(), "echo", &got, "y"); err != nil || got != "y" {
		t.Fatalf("explicit url: %v", err)
	}
	// Bad credentials.
	cl3, _ := Discover("http://x:y@"+u.Host, "")
	if err := cl3.Call(context.Background(), "echo", &got, "y"); err == nil {
		t.Fatal("bad credentials accepted")
	}
}

func TestClientNoNode(t *testing.T) {
	if _, err := Discover("", t.TempDir()); !errors.Is(err, ErrNoNode) {
		t.Fatalf("missing addr file: %v", err)
	}
	cl := NewClient("http://127.0.0.1:1", "", "")
	if err := cl.Call(context.Background(), "x", nil); !errors.Is(err, ErrNoNode) {
		t.Fatalf("unreachable: %v", err)
	}
}
