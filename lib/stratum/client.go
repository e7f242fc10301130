package stratum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Client errors.
var (
	// ErrRefused: the server answered mining.authorize with false or an
	// error (a wrong password, an unknown worker).
	ErrRefused = errors.New("stratum: worker refused")
	// ErrClosed: the connection is gone (closed by either side, or
	// client.reconnect asked for a new one).
	ErrClosed = errors.New("stratum: connection closed")
)

// ClientConfig is what Dial needs.
type ClientConfig struct {
	// URL is stratum+tcp://HOST:PORT (or tcp://, or a bare HOST:PORT).
	URL        string
	User, Pass string
	// Agent names the software in mining.subscribe ("gg-miner/VERSION").
	Agent string
	// VersionRolling asks for BIP310 version rolling with mining.configure;
	// a server that does not know the method is used without it.
	VersionRolling bool
	// Timeout bounds the dial and each request's answer (0: 30 s).
	Timeout time.Duration
	// Logger gets protocol events at debug level (nil: silent).
	Logger *slog.Logger
}

// Job is work from a mining.notify, with what the session adds to it: the
// extranonce1, the extranonce2 size, the share difficulty set before the
// notify, and the version-rolling mask (0: no rolling).
type Job struct {
	*Notify
	Extranonce1     []byte
	Extranonce2Size int
	Difficulty      float64
	VersionMask     uint32
}

// Client is one Stratum v1 connection, subscribed and authorized. It is
// safe for concurrent use: shares may be submitted from many goroutines.
// It does not reconnect; when Done closes, Dial again.
type Client struct {
	cfg  ClientConfig
	conn net.Conn
	log  *slog.Logger

	wmu    sync.Mutex // one line at a time on conn
	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]chan *Message
	sub     Subscription
	diff    float64 // applies to the next notify
	mask    uint32
	err     error

	jobs chan *Job // the latest job only (capacity 1)
	done chan struct{}
}

// ServerAddr returns HOST:PORT from a stratum URL: stratum+tcp://,
// tcp:// or none.
func ServerAddr(raw string) (string, error) {
	addr := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Errorf("stratum: url %q: %w", raw, err)
		}
		if u.Scheme != "stratum+tcp" && u.Scheme != "tcp" {
			return "", fmt.Errorf("stratum: url %q: scheme %q is not stratum+tcp", raw, u.Scheme)
		}
		addr = u.Host
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return "", fmt.Errorf("stratum: url %q: want stratum+tcp://HOST:PORT", raw)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return "", fmt.Errorf("stratum: url %q: bad port %q", raw, port)
	}
	return addr, nil
}

// Dial connects, subscribes and authorizes cfg.User. A refused worker is
// ErrRefused (wrapped with the server's message).
func Dial(ctx context.Context, cfg ClientConfig) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	addr, err := ServerAddr(cfg.URL)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("stratum: connect %s: %w", addr, err)
	}
	c := &Client{
		cfg: cfg, conn: conn, log: cfg.Logger,
		pending: map[uint64]chan *Message{},
		diff:    1,
		jobs:    make(chan *Job, 1),
		done:    make(chan struct{}),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	go c.readLoop()
	stop := context.AfterFunc(ctx, func() { c.fail(ctx.Err()) })
	defer stop()
	if err := c.handshake(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) handshake(ctx context.Context) error {
	if c.cfg.VersionRolling {
		var res map[string]json.RawMessage
		err := c.call(ctx, MethodConfigure, &res, []string{"version-rolling"},
			map[string]any{"version-rolling.mask": Hex32(DefaultVersionMask), "version-rolling.min-bit-count": 2})
		var ok bool
		var maskHex string
		if err == nil && json.Unmarshal(res["version-rolling"], &ok) == nil && ok &&
			json.Unmarshal(res["version-rolling.mask"], &maskHex) == nil {
			if m, err := ParseHex32(maskHex); err == nil {
				c.mu.Lock()
				c.mask = m
				c.mu.Unlock()
			}
		} else if err != nil && !isStratumError(err) {
			return err
		}
	}
	var sub Subscription
	if err := c.call(ctx, MethodSubscribe, &sub, c.cfg.Agent); err != nil {
		return fmt.Errorf("stratum: subscribe: %w", err)
	}
	c.mu.Lock()
	c.sub = sub
	c.mu.Unlock()
	var ok bool
	err := c.call(ctx, MethodAuthorize, &ok, c.cfg.User, c.cfg.Pass)
	var se *Error
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w: %s: %s", ErrRefused, c.cfg.User, se.Message)
	case err != nil:
		return fmt.Errorf("stratum: authorize: %w", err)
	case !ok:
		return fmt.Errorf("%w: %s", ErrRefused, c.cfg.User)
	}
	return nil
}

func isStratumError(err error) bool {
	var se *Error
	return errors.As(err, &se)
}

// Jobs delivers the latest job: when the miner is slow to take one, a
// newer job replaces it. The channel is not closed; watch Done.
func (c *Client) Jobs() <-chan *Job { return c.jobs }

// Done closes when the connection ends; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (nil while it is up).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Extranonce1 is the session's extranonce1.
func (c *Client) Extranonce1() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sub.Extranonce1
}

// Close ends the connection.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return nil
}

// Submit sends a share and waits for the verdict: nil when accepted, an
// *Error when the server rejects it, another error when the connection
// fails.
func (c *Client) Submit(ctx context.Context, s *Submit) error {
	var ok bool
	if err := c.call(ctx, MethodSubmit, &ok, s.Params()...); err != nil {
		return err
	}
	if !ok {
		return Errorf(CodeOther, "share not accepted")
	}
	return nil
}

// call sends one request and decodes the result into out.
func (c *Client) call(ctx context.Context, method string, out any, params ...any) error {
	id := c.nextID.Add(1)
	line, err := EncodeRequest(id, method, params...)
	if err != nil {
		return err
	}
	ch := make(chan *Message, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return err
	}
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.write(line); err != nil {
		return err
	}
	t := time.NewTimer(c.cfg.Timeout)
	defer t.Stop()
	select {
	case m := <-ch:
		if m.Error != nil {
			return m.Error
		}
		if out != nil {
			if err := json.Unmarshal(m.Result, out); err != nil {
				return fmt.Errorf("stratum: %s: result %s: %w", method, m.Result, ErrMalformed)
			}
		}
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		err := fmt.Errorf("stratum: %s: no answer within %s", method, c.cfg.Timeout)
		c.fail(err)
		return err
	}
}

func (c *Client) write(line []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(c.cfg.Timeout))
	if _, err := c.conn.Write(line); err != nil {
		c.fail(fmt.Errorf("stratum: write: %w", err))
		return c.Err()
	}
	return nil
}

// fail ends the connection with err (the first reason wins).
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	c.mu.Unlock()
	c.conn.Close()
	close(c.done)
}

func (c *Client) readLoop() {
	lr := NewLineReader(c.conn, 0)
	for {
		line, err := lr.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w by the server", ErrClosed)
			} else {
				err = fmt.Errorf("stratum: read: %w", err)
			}
			c.fail(err)
			return
		}
		m, err := DecodeLine(line)
		if err != nil {
			c.fail(err)
			return
		}
		if m.IsResponse() {
			id, ok := m.IDInt()
			c.mu.Lock()
			ch := c.pending[uint64(id)]
			c.mu.Unlock()
			if ok && ch != nil {
				select { // a second reply to one id (a hostile pool) must not block the reader
				case ch <- m:
				default:
				}
			}
			continue
		}
		if err := c.handle(m); err != nil {
			c.fail(err)
			return
		}
	}
}

// handle acts on a server request or notification.
func (c *Client) handle(m *Message) error {
	ps, err := m.ParamList()
	if err != nil {
		return err
	}
	switch m.Method {
	case MethodSetDifficulty:
		var d float64
		if len(ps) < 1 || json.Unmarshal(ps[0], &d) != nil || !(d > 0) {
			return fmt.Errorf("%w: mining.set_difficulty %s", ErrBadParams, m.Params)
		}
		c.mu.Lock()
		c.diff = d
		c.mu.Unlock()
		c.log.Debug("stratum: difficulty", "difficulty", d)
	case MethodNotify:
		n, err := ParseNotify(m.Params)
		if err != nil {
			return err
		}
		c.mu.Lock()
		j := &Job{Notify: n, Extranonce1: c.sub.Extranonce1, Extranonce2Size: c.sub.Extranonce2Size,
			Difficulty: c.diff, VersionMask: c.mask}
		c.mu.Unlock()
		c.log.Debug("stratum: job", "job", n.JobID, "clean", n.Clean)
		select { // the latest job only
		case <-c.jobs:
		default:
		}
		c.jobs <- j
	case MethodSetExtranonce:
		var en1 string
		var size int
		if len(ps) < 2 || json.Unmarshal(ps[0], &en1) != nil || json.Unmarshal(ps[1], &size) != nil {
			return fmt.Errorf("%w: mining.set_extranonce %s", ErrBadParams, m.Params)
		}
		var sub Subscription
		raw, _ := json.Marshal([]any{[]any{}, en1, size})
		if err := sub.UnmarshalJSON(raw); err != nil {
			return err
		}
		c.mu.Lock()
		c.sub.Extranonce1, c.sub.Extranonce2Size = sub.Extranonce1, sub.Extranonce2Size
		c.mu.Unlock()
	case MethodSetVersionMask:
		var s string
		if len(ps) < 1 || json.Unmarshal(ps[0], &s) != nil {
			return fmt.Errorf("%w: mining.set_version_mask %s", ErrBadParams, m.Params)
		}
		mask, err := ParseHex32(s)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.mask = mask
		c.mu.Unlock()
	case MethodReconnect:
		return fmt.Errorf("%w: the server asked for a reconnect", ErrClosed)
	case MethodShowMessage:
		var s string
		if len(ps) > 0 {
			json.Unmarshal(ps[0], &s)
		}
		c.log.Info("stratum: message from the server", "message", s)
	case MethodGetVersion:
		if !m.IsNotification() {
			line, err := EncodeResponse(m.ID, c.cfg.Agent, nil)
			if err != nil {
				return err
			}
			return c.write(line)
		}
	default:
		c.log.Debug("stratum: unknown method", "method", m.Method)
		if !m.IsNotification() {
			line, err := EncodeResponse(m.ID, nil, Errorf(CodeOther, "unknown method %s", m.Method))
			if err != nil {
				return err
			}
			return c.write(line)
		}
	}
	return nil
}
