package ggminer

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/stratum"
)

// fakePool accepts connections on 127.0.0.1, answers subscribe and
// authorize (accepting the worker when ok), and hangs up after authorize
// when drop is set. Every accepted connection is announced on conns.
func fakePool(t *testing.T, ok, drop bool) (addr string, conns <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ch <- struct{}{}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					m, err := stratum.DecodeLine(sc.Bytes())
					if err != nil {
						return
					}
					switch m.Method {
					case stratum.MethodSubscribe:
						c.Write([]byte(`{"id":` + string(m.ID) + `,"result":[[],"01020304",4],"error":null}` + "\n"))
					case stratum.MethodAuthorize:
						res := "true"
						if !ok {
							res = "false"
						}
						c.Write([]byte(`{"id":` + string(m.ID) + `,"result":` + res + `,"error":null}` + "\n"))
						if drop {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), ch
}

func testReporter(eng *engine) *reporter {
	return &reporter{out: io.Discard, errw: io.Discard, log: slog.New(slog.DiscardHandler), eng: eng, start: time.Now(), lastT: time.Now()}
}

// TestStratumSessionsReconnect: a server that hangs up is dialled again
// (after the first pause), and a canceled context ends the loop without
// an error.
func TestStratumSessionsReconnect(t *testing.T) {
	addr, conns := fakePool(t, true, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng := newEngine(1)
	done := make(chan error, 1)
	go func() {
		done <- stratumSessions(ctx, stratum.ClientConfig{URL: addr, User: "w", Timeout: 10 * time.Second}, eng, testReporter(eng), time.Second)
	}()
	for i := range 2 {
		select {
		case <-conns:
		case <-time.After(30 * time.Second):
			t.Fatalf("connection %d never came", i+1)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stratumSessions after cancel: %v", err)
	}
}

// TestStratumSessionsRefused: a refused worker ends the loop with
// ErrRefused, without dialling again.
func TestStratumSessionsRefused(t *testing.T) {
	addr, conns := fakePool(t, false, false)
	eng := newEngine(1)
	err := stratumSessions(context.Background(), stratum.ClientConfig{URL: addr, User: "w", Timeout: 10 * time.Second}, eng, testReporter(eng), time.Second)
	if !errors.Is(err, stratum.ErrRefused) {
		t.Fatalf("err %v, want ErrRefused", err)
	}
	if n := len(conns); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

// TestExtranonce2 checks the extranonce2 bytes a thread's counter gives:
// little-endian, cut to the size, and the work refusing counters past it.
func TestExtranonce2(t *testing.T) {
	if got := extranonce2(0x0102, 4); string(got) != "\x02\x01\x00\x00" {
		t.Errorf("extranonce2(0x0102, 4) = %x", got)
	}
	if got := extranonce2(5, 1); string(got) != "\x05" {
		t.Errorf("extranonce2(5, 1) = %x", got)
	}
	n := &stratum.Notify{JobID: "j", Bits: 0x207fffff, Version: 0x20000000}
	w, err := stratumWorkOf(&stratum.Job{Notify: n, Extranonce2Size: 1, Difficulty: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.header(255); !ok {
		t.Error("extranonce2 255 of a 1-byte size refused")
	}
	if _, ok := w.header(256); ok {
		t.Error("extranonce2 256 of a 1-byte size accepted")
	}
}
