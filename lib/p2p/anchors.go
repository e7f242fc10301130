package p2p

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
)

// Anchors: at a clean shutdown gg-node writes the addresses of up to
// MaxAnchors of its outbound peers to AnchorsFile and, at the next
// start, dials them before any address from the book. An attacker who
// filled the address book while the node ran (an eclipse attack waits
// for a restart to be dialled) so still meets peers the node chose
// before the attack.
const (
	// AnchorsFile is the anchors' file name in the datadir.
	AnchorsFile = "anchors.json"
	// MaxAnchors is how many addresses it holds at most.
	MaxAnchors = 2
	// maxAnchorsFileSize bounds the file read: two addresses in JSON
	// take about 150 bytes.
	maxAnchorsFileSize = 1024
)

type anchorsFile struct {
	Version int      `json:"version"`
	Anchors []string `json:"anchors"`
}

// SaveAnchors writes up to MaxAnchors addresses to path (atomically).
func SaveAnchors(path string, list []netip.AddrPort) error {
	f := anchorsFile{Version: 1, Anchors: []string{}}
	for _, a := range list[:min(len(list), MaxAnchors)] {
		f.Anchors = append(f.Anchors, a.String())
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return saveFile(path, append(data, '\n'))
}

// LoadAnchors reads the anchors SaveAnchors wrote to path and deletes
// the file: the anchors are the last run's and are dialled once (a
// crash before the next clean shutdown does not bring them back). A
// missing file gives none; a file that is too large, corrupt or holds
// an invalid address gives none with a warning in log.
func LoadAnchors(path string, log *slog.Logger) []netip.AddrPort {
	list, err := readAnchors(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && log != nil {
		log.Warn("cannot delete the anchors file", "err", rerr)
	}
	if err != nil {
		if log != nil {
			log.Warn("anchors ignored", "err", err)
		}
		return nil
	}
	return list
}

func readAnchors(path string) ([]netip.AddrPort, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxAnchorsFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("p2p: read anchors %s: %w", path, err)
	}
	if len(data) > maxAnchorsFileSize {
		return nil, fmt.Errorf("p2p: anchors %s: larger than %d bytes", path, maxAnchorsFileSize)
	}
	var f anchorsFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		return nil, fmt.Errorf("p2p: anchors %s: corrupt or of an unknown version", path)
	}
	if len(f.Anchors) > MaxAnchors {
		return nil, fmt.Errorf("p2p: anchors %s: %d addresses, at most %d", path, len(f.Anchors), MaxAnchors)
	}
	var out []netip.AddrPort
	for _, s := range f.Anchors {
		a, err := netip.ParseAddrPort(s)
		if err != nil || a.Port() == 0 || !a.Addr().IsValid() || a.Addr().IsUnspecified() || a.Addr().IsMulticast() {
			return nil, fmt.Errorf("p2p: anchors %s: bad address %q", path, s)
		}
		out = append(out, netip.AddrPortFrom(a.Addr().Unmap(), a.Port()))
	}
	return out, nil
}
