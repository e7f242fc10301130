package stratum

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/sha256d"
)

// peer is the far end of a client under test: a real listener on
// 127.0.0.1 that answers the lines it reads as script says.
type peer struct {
	t    *testing.T
	ln   net.Listener
	conn chan net.Conn
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, ln: ln, conn: make(chan net.Conn, 4)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			p.conn <- c
		}
	}()
	return p
}

func (p *peer) url() string { return "stratum+tcp://" + p.ln.Addr().String() }

// serve answers subscribe and authorize (authorized says how), then
// sends the extra lines, then answers each submit with result. It
// returns the submits' params as they arrive.
func (p *peer) serve(authorized string, extra []string, submitReply string) <-chan []json.RawMessage {
	submits := make(chan []json.RawMessage, 16)
	go func() {
		c := <-p.conn
		r := bufio.NewScanner(c)
		for r.Scan() {
			m, err := DecodeLine(r.Bytes())
			if err != nil {
				p.t.Errorf("client sent %q: %v", r.Text(), err)
				return
			}
			id := string(m.ID)
			switch m.Method {
			case MethodSubscribe:
				c.Write([]byte(`{"id":` + id + `,"result":[[["mining.set_difficulty","s1"],["mining.notify","s1"]],"0a0b0c0d",4],"error":null}` + "\n"))
			case MethodAuthorize:
				c.Write([]byte(`{"id":` + id + `,` + authorized + "}\n"))
				for _, l := range extra {
					c.Write([]byte(l + "\n"))
				}
			case MethodSubmit:
				ps, _ := m.ParamList()
				submits <- ps
				c.Write([]byte(`{"id":` + id + `,` + submitReply + "}\n"))
			}
		}
	}()
	return submits
}

const testNotify = `{"id":null,"method":"mining.notify","params":["j1","00000000000000000000000000000000000000000000000000000000000000aa","01","02",[],"20000000","207fffff","5f000000",true]}`

func dialTest(t *testing.T, p *peer) (*Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Dial(ctx, ClientConfig{URL: p.url(), User: "w1", Pass: "pw", Agent: "test/1", Timeout: 30 * time.Second})
}

func TestClientJobAndSubmit(t *testing.T) {
	p := newPeer(t)
	submits := p.serve(`"result":true,"error":null`,
		[]string{`{"id":null,"method":"mining.set_difficulty","params":[0.5]}`, testNotify}, `"result":true,"error":null`)
	c, err := dialTest(t, p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var j *Job
	select {
	case j = <-c.Jobs():
	case <-c.Done():
		t.Fatalf("connection ended: %v", c.Err())
	}
	if j.JobID != "j1" || j.Difficulty != 0.5 || j.Extranonce2Size != 4 || string(j.Extranonce1) != "\x0a\x0b\x0c\x0d" ||
		j.Bits != 0x207fffff || j.Time != 0x5f000000 || !j.Clean {
		t.Fatalf("job %+v (notify %+v)", j, j.Notify)
	}
	s := &Submit{Worker: "w1", JobID: "j1", Extranonce2: []byte{1, 0, 0, 0}, Time: 0x5f000000, Nonce: 0x73613700}
	if err := c.Submit(context.Background(), s); err != nil {
		t.Fatalf("submit: %v", err)
	}
	got := <-submits
	want := `["w1","j1","01000000","5f000000","73613700"]`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("submit params %s, want %s", b, want)
	}
}

func TestClientErrors(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		p := newPeer(t)
		p.serve(`"result":false,"error":null`, nil, "")
		if _, err := dialTest(t, p); !errors.Is(err, ErrRefused) {
			t.Fatalf("dial: %v, want ErrRefused", err)
		}
	})
	t.Run("authorize error", func(t *testing.T) {
		p := newPeer(t)
		p.serve(`"result":null,"error":[24,"unauthorized worker",null]`, nil, "")
		_, err := dialTest(t, p)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "unauthorized worker") {
			t.Fatalf("dial: %v, want ErrRefused with the server's message", err)
		}
	})
	t.Run("rejected share", func(t *testing.T) {
		p := newPeer(t)
		p.serve(`"result":true,"error":null`, []string{testNotify}, `"result":null,"error":[23,"Low difficulty share",null]`)
		c, err := dialTest(t, p)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Submit(context.Background(), &Submit{Worker: "w1", JobID: "j1", Extranonce2: make([]byte, 4)})
		if !errors.Is(err, &Error{Code: CodeLowDifficulty}) {
			t.Fatalf("submit: %v, want code 23", err)
		}
	})
	for _, tc := range []struct {
		name, line string
		want       error
	}{
		{"reconnect request", `{"id":null,"method":"client.reconnect","params":[]}`, ErrClosed},
		{"malformed line", `{"id":null,"method":`, ErrMalformed},
		{"bad notify", `{"id":null,"method":"mining.notify","params":["j1"]}`, ErrBadParams},
		{"bad difficulty", `{"id":null,"method":"mining.set_difficulty","params":[-1]}`, ErrBadParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t)
			p.serve(`"result":true,"error":null`, []string{tc.line}, "")
			c, err := dialTest(t, p)
			if err != nil {
				t.Fatal(err)
			}
			<-c.Done()
			if !errors.Is(c.Err(), tc.want) {
				t.Fatalf("connection ended with %v, want %v", c.Err(), tc.want)
			}
		})
	}
}

func TestServerAddr(t *testing.T) {
	good := map[string]string{
		"stratum+tcp://127.0.0.1:3333": "127.0.0.1:3333",
		"tcp://pool.example:3333":      "pool.example:3333",
		"[::1]:3333":                   "[::1]:3333",
	}
	for in, want := range good {
		if got, err := ServerAddr(in); err != nil || got != want {
			t.Errorf("ServerAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"http://127.0.0.1:3333", "stratum+tcp://127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", ":3333", "stratum+tcp://%zz"} {
		if got, err := ServerAddr(in); err == nil {
			t.Errorf("ServerAddr(%q) = %q, want an error", in, got)
		}
	}
}

// TestClientAgainstServer runs the client against this package's server
// on a real chain: a refused password, a block found with the job's
// header as the client builds it (the server's tip is that header), the
// same share again refused, and the clean job on the new tip.
func TestClientAgainstServer(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Open = false
		c.Authorize = func(w, p string) bool { return w == "miner1" && p == "pw" }
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := Dial(ctx, ClientConfig{URL: e.addr, User: "miner1", Pass: "nope"}); !errors.Is(err, ErrRefused) {
		t.Fatalf("wrong password: %v, want ErrRefused", err)
	}
	c, err := Dial(ctx, ClientConfig{URL: "stratum+tcp://" + e.addr, User: "miner1", Pass: "pw", Agent: "gg-test/1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	j := nextJob(t, c)
	en2 := make([]byte, j.Extranonce2Size)
	en2[0] = 7
	h := j.Header(j.Extranonce1, en2, j.Time, 0, j.Version)
	var hdr [sha256d.HeaderSize]byte
	h.AppendTo(hdr[:0])
	target := sha256d.Target(chaincfg.CompactToBig(j.Bits))
	nonce, ok := sha256d.NewJob(&hdr, &target).Search(0, 1<<20)
	if !ok {
		t.Fatal("no nonce meets the regtest target")
	}
	s := &Submit{Worker: "miner1", JobID: j.JobID, Extranonce2: en2, Time: j.Time, Nonce: nonce}
	if err := c.Submit(ctx, s); err != nil {
		t.Fatalf("block share: %v", err)
	}
	h.Nonce = nonce
	if tip := e.tip(); tip != h.BlockHash() {
		t.Fatalf("tip %s, want the share's header %s", tip, h.BlockHash())
	}
	next := nextJob(t, c)
	if !next.Clean || next.PrevHash != e.tip() {
		t.Fatalf("after the block: job clean=%v on %s, tip %s", next.Clean, next.PrevHash, e.tip())
	}
	if err := c.Submit(ctx, s); !errors.Is(err, &Error{Code: CodeJobNotFound}) && !errors.Is(err, &Error{Code: CodeDuplicate}) {
		t.Fatalf("the same share again: %v, want a stale-job or duplicate error", err)
	}
}

// nextJob waits for the client's next job.
func nextJob(t *testing.T, c *Client) *Job {
	t.Helper()
	select {
	case j := <-c.Jobs():
		return j
	case <-c.Done():
		t.Fatalf("connection ended: %v", c.Err())
	case <-time.After(20 * time.Second):
		t.Fatal("no job within 20 s")
	}
	return nil
}
