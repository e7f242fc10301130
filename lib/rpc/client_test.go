package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// TestClientRefusals: a 429 (login backoff) and a 503 (too many
// connections) come back as ErrRefused with what to do.
func TestClientRefusals(t *testing.T) {
	alice, _ := NewUser("alice", "wonder")
	_, addr := echoServer(t, &Auth{Users: []User{alice}}, Limits{AuthFailures: 1, AuthBackoff: time.Minute}, nil)
	url := "http://" + addr
	if err := NewClient(url, "alice", "wrong").Call(context.Background(), "echo", nil, "x"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("wrong password: %v", err)
	}
	err := NewClient(url, "alice", "wonder").Call(context.Background(), "echo", nil, "x")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "too many failed logins from this address, retry in 60 s") {
		t.Fatalf("while backing off: %v", err)
	}
	_, addr = echoServer(t, allowAll{}, Limits{MaxConns: 1}, nil)
	c, br := rawConn(t, addr) // holds the one connection
	if resp, _ := roundTrip(t, c, br, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\n"+padded(32)); resp.StatusCode != 200 {
		t.Fatalf("first connection: %d", resp.StatusCode)
	}
	err = NewClient("http://"+addr, "", "").Call(context.Background(), "echo", nil, "x")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "node busy (too many connections), retry") {
		t.Fatalf("beyond the connections: %v", err)
	}
}
