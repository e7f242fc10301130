package p2p

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Ban is one banned address range.
type Ban struct {
	Subnet  netip.Prefix `json:"subnet"`
	Created time.Time    `json:"created"`
	Until   time.Time    `json:"until"`
	Reason  string       `json:"reason"`
}

// BanList holds bans, persisted as JSON (banlist.json) when it has a
// path. It is safe for concurrent use (RPC reads it).
type BanList struct {
	mu   sync.Mutex
	path string
	bans map[netip.Prefix]Ban
}

// BanFile is the ban list's file name in the datadir.
const BanFile = "banlist.json"

// NewBanList returns an empty list saved to path ("" keeps it in memory).
func NewBanList(path string) *BanList {
	return &BanList{path: path, bans: make(map[netip.Prefix]Ban)}
}

// LoadBanList reads path (a missing file is an empty list); expired bans
// are dropped.
func LoadBanList(path string, now time.Time) (*BanList, error) {
	l := NewBanList(path)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("p2p: read ban list: %w", err)
	}
	var list []Ban
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("p2p: ban list %s: %w", path, err)
	}
	for _, x := range list {
		if x.Subnet.IsValid() && x.Until.After(now) {
			l.bans[x.Subnet.Masked()] = x
		}
	}
	return l, nil
}

// hostPrefix is the single-address prefix of a.
func hostPrefix(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen())
}

// Add bans subnet until now+d (an address is a /32 or /128).
func (l *BanList) Add(subnet netip.Prefix, now time.Time, d time.Duration, reason string) error {
	l.mu.Lock()
	l.bans[subnet.Masked()] = Ban{Subnet: subnet.Masked(), Created: now, Until: now.Add(d), Reason: reason}
	l.mu.Unlock()
	return l.save()
}

// Remove lifts the ban of subnet; it reports whether there was one.
func (l *BanList) Remove(subnet netip.Prefix) (bool, error) {
	l.mu.Lock()
	_, ok := l.bans[subnet.Masked()]
	delete(l.bans, subnet.Masked())
	l.mu.Unlock()
	if !ok {
		return false, nil
	}
	return true, l.save()
}

// Clear lifts every ban.
func (l *BanList) Clear() error {
	l.mu.Lock()
	l.bans = make(map[netip.Prefix]Ban)
	l.mu.Unlock()
	return l.save()
}

// Banned reports whether a is in a banned range at now.
func (l *BanList) Banned(a netip.Addr, now time.Time) bool {
	a = a.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, b := range l.bans {
		if p.Contains(a) && b.Until.After(now) {
			return true
		}
	}
	return false
}

// Sweep forgets the bans that ended before now, saving the list when it
// drops any.
func (l *BanList) Sweep(now time.Time) error {
	l.mu.Lock()
	n := len(l.bans)
	for p, b := range l.bans {
		if !b.Until.After(now) {
			delete(l.bans, p)
		}
	}
	dropped := len(l.bans) != n
	l.mu.Unlock()
	if !dropped {
		return nil
	}
	return l.save()
}

// List returns the live bans, by subnet.
func (l *BanList) List(now time.Time) []Ban {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Ban
	for _, b := range l.bans {
		if b.Until.After(now) {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subnet.String() < out[j].Subnet.String() })
	return out
}

// save writes the list (temp file, fsync, rename).
func (l *BanList) save() error {
	if l.path == "" {
		return nil
	}
	l.mu.Lock()
	list := make([]Ban, 0, len(l.bans))
	for _, b := range l.bans {
		list = append(list, b)
	}
	l.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Subnet.String() < list[j].Subnet.String() })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(l.path, data)
}

// writeFileAtomic replaces path with data: a temp file, fsync, rename,
// directory fsync.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("p2p: save %s: %w", path, err)
	}
	tmp := f.Name()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("p2p: save %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
