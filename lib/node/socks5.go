package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// socks5Dialer returns a DialContext that connects through the SOCKS5
// proxy at proxy (RFC 1928, no authentication): outbound peers through
// Tor or any SOCKS5 relay. Peers are dialled by IP address and port
// (behind a proxy they are named by address, see ErrProxyName): a host
// name is refused, never handed to the proxy or looked up.
func socks5Dialer(proxy string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return nil, fmt.Errorf("socks5 proxy %s: peer %q: want an IP address and port", proxy, addr)
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", proxy)
		if err != nil {
			return nil, fmt.Errorf("socks5 proxy %s: %w", proxy, err)
		}
		if dl, ok := ctx.Deadline(); ok {
			c.SetDeadline(dl)
		}
		if err := socks5Connect(c, ap); err != nil {
			c.Close()
			return nil, fmt.Errorf("socks5 proxy %s: %w", proxy, err)
		}
		c.SetDeadline(time.Time{})
		return c, nil
	}
}

// socks5Connect asks the proxy on c to connect to ap.
func socks5Connect(c net.Conn, ap netip.AddrPort) error {
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
	if ip := ap.Addr().Unmap(); ip.Is4() {
		a := ip.As4()
		req = append(append(req, 1), a[:]...)
	} else {
		a := ip.As16()
		req = append(append(req, 4), a[:]...)
	}
	req = binary.BigEndian.AppendUint16(req, ap.Port())
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
	_, err := io.CopyN(io.Discard, c, int64(skip+2))
	return err
}
