package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// socks5Dialer returns a DialContext that connects through the SOCKS5
// proxy at proxy (RFC 1928, no authentication): outbound peers through
// Tor or any SOCKS5 relay.
func socks5Dialer(proxy string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", proxy)
		if err != nil {
			return nil, fmt.Errorf("socks5 proxy %s: %w", proxy, err)
		}
		if dl, ok := ctx.Deadline(); ok {
			c.SetDeadline(dl)
		}
		if err := socks5Connect(c, addr); err != nil {
			c.Close()
			return nil, fmt.Errorf("socks5 proxy %s: %w", proxy, err)
		}
		c.SetDeadline(timeZero)
		return c, nil
	}
}

var timeZero = netZeroTime()

// socks5Connect asks the proxy on c to connect to addr.
func socks5Connect(c net.Conn, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return err
	}
	if _, err := c.Write([]byte{5, 1, 0}); err != nil { // version 5, one method: no authentication
		return err
	}
	var rep [2]byte
	if _, err := io.ReadFull(c, rep[:]); err != nil {
		return err
	}
	if rep[0] != 5 || rep[1] != 0 {
		return errors.New("the proxy refuses unauthenticated connections")
	}
	req := []byte{5, 1, 0} // connect
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip = ip.Unmap(); ip.Is4() {
			a := ip.As4()
			req = append(append(req, 1), a[:]...)
		} else {
			a := ip.As16()
			req = append(append(req, 4), a[:]...)
		}
	} else {
		if len(host) > 255 {
			return errors.New("host name too long")
		}
		req = append(append(req, 3, byte(len(host))), host...)
	}
	req = binary.BigEndian.AppendUint16(req, uint16(pn))
	if _, err := c.Write(req); err != nil {
		return err
	}
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return err
	}
	if head[0] != 5 {
		return errors.New("not a SOCKS5 reply")
	}
	if head[1] != 0 {
		return fmt.Errorf("the proxy could not connect (reply %d)", head[1])
	}
	var skip int
	switch head[3] {
	case 1:
		skip = 4
	case 4:
		skip = 16
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return err
		}
		skip = int(l[0])
	default:
		return errors.New("bad SOCKS5 address type")
	}
	_, err = io.CopyN(io.Discard, c, int64(skip+2))
	return err
}

func netZeroTime() (t time.Time) { return }
