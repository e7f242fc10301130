package p2p

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/internal/atomicfile"
)

// Ban is one banned address range.
type Ban struct {
	Subnet  netip.Prefix `json:"subnet"`
	Created time.Time    `json:"created"`
	Until   time.Time    `json:"until"`
	Reason  string       `json:"reason"`
}

// BanList holds the bans: setban's, persisted as JSON (banlist.json) when
// the list has a path, and the addresses that reached the ban score
// ("discouraged"), kept in memory only, at most maxDiscouraged of them
// (the oldest go first). Both refuse connections alike. It is safe for
// concurrent use (RPC reads it).
type BanList struct {
	mu   sync.Mutex
	path string
	bans map[netip.Prefix]Ban      // setban's
	nets map[netip.Prefix]struct{} // the keys of bans wider than one address
	disc map[netip.Addr]Ban        // by score
	// discOrder is disc's keys, oldest first.
	discOrder []netip.Addr
}

// maxDiscouraged bounds the addresses banned by score: each costs about
// 200 bytes, and an attacker with many addresses (an IPv6 /64) could
// otherwise add without end.
const maxDiscouraged = 10000

// BanFile is the ban list's file name in the datadir.
const BanFile = "banlist.json"

// NewBanList returns an empty list saved to path ("" keeps it in memory).
func NewBanList(path string) *BanList {
	return &BanList{path: path, bans: make(map[netip.Prefix]Ban), nets: make(map[netip.Prefix]struct{}), disc: make(map[netip.Addr]Ban)}
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
			l.put(x)
		}
	}
	return l, nil
}

// hostPrefix is the single-address prefix of a.
func hostPrefix(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen())
}

// put adds b to the setban bans (under l.mu or before l is shared).
func (l *BanList) put(b Ban) {
	b.Subnet = b.Subnet.Masked()
	l.bans[b.Subnet] = b
	if b.Subnet.Bits() < b.Subnet.Addr().BitLen() {
		l.nets[b.Subnet] = struct{}{}
	}
}

// Add bans subnet until now+d (an address is a /32 or /128) and saves the
// list.
func (l *BanList) Add(subnet netip.Prefix, now time.Time, d time.Duration, reason string) error {
	l.mu.Lock()
	l.put(Ban{Subnet: subnet, Created: now, Until: now.Add(d), Reason: reason})
	l.mu.Unlock()
	return l.save()
}

// Discourage bans the address a until now+d for misbehaviour, in memory
// only; past maxDiscouraged the oldest such ban is dropped. A ban of a
// discouraged address keeps its creation time and gets the later end.
func (l *BanList) Discourage(a netip.Addr, now time.Time, d time.Duration, reason string) {
	a = a.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.disc[a]; ok {
		if until := now.Add(d); until.After(b.Until) {
			b.Until = until
			l.disc[a] = b
		}
		return
	}
	for len(l.disc) >= maxDiscouraged && len(l.discOrder) > 0 {
		delete(l.disc, l.discOrder[0])
		l.discOrder[0] = netip.Addr{}
		l.discOrder = l.discOrder[1:]
	}
	l.disc[a] = Ban{Subnet: hostPrefix(a), Created: now, Until: now.Add(d), Reason: reason}
	l.discOrder = append(l.discOrder, a)
}

// dropDiscouraged forgets the score bans keep rejects (under l.mu).
func (l *BanList) dropDiscouraged(keep func(a netip.Addr, b Ban) bool) bool {
	kept := l.discOrder[:0]
	for _, a := range l.discOrder {
		if keep(a, l.disc[a]) {
			kept = append(kept, a)
		} else {
			delete(l.disc, a)
		}
	}
	dropped := len(kept) != len(l.discOrder)
	clear(l.discOrder[len(kept):])
	l.discOrder = kept
	return dropped
}

// Remove lifts the ban of subnet (a setban's, or for an address also its
// score ban); it reports whether there was one.
func (l *BanList) Remove(subnet netip.Prefix) (bool, error) {
	subnet = subnet.Masked()
	l.mu.Lock()
	_, ok := l.bans[subnet]
	delete(l.bans, subnet)
	delete(l.nets, subnet)
	disc := false
	if a := subnet.Addr(); subnet.Bits() == a.BitLen() {
		if _, disc = l.disc[a]; disc {
			l.dropDiscouraged(func(x netip.Addr, _ Ban) bool { return x != a })
		}
	}
	l.mu.Unlock()
	if !ok {
		return disc, nil
	}
	return true, l.save()
}

// Clear lifts every ban.
func (l *BanList) Clear() error {
	l.mu.Lock()
	l.bans = make(map[netip.Prefix]Ban)
	l.nets = make(map[netip.Prefix]struct{})
	l.disc = make(map[netip.Addr]Ban)
	l.discOrder = nil
	l.mu.Unlock()
	return l.save()
}

// Banned reports whether a is banned at now, by setban or by score.
func (l *BanList) Banned(a netip.Addr, now time.Time) bool {
	a = a.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.disc[a]; ok && b.Until.After(now) {
		return true
	}
	return l.setBanned(a, now)
}

// setBanned reports whether a setban covers a at now (under l.mu): its
// address by lookup, then the subnets.
func (l *BanList) setBanned(a netip.Addr, now time.Time) bool {
	if b, ok := l.bans[hostPrefix(a)]; ok && b.Until.After(now) {
		return true
	}
	for p := range l.nets {
		if p.Contains(a) && l.bans[p].Until.After(now) {
			return true
		}
	}
	return false
}

// bannedBySetban reports whether a setban covers a at now (score bans
// aside).
func (l *BanList) bannedBySetban(a netip.Addr, now time.Time) bool {
	a = a.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.setBanned(a, now)
}

// Sweep forgets the bans that ended before now, saving the list when it
// drops a setban.
func (l *BanList) Sweep(now time.Time) error {
	l.mu.Lock()
	n := len(l.bans)
	for p, b := range l.bans {
		if !b.Until.After(now) {
			delete(l.bans, p)
			delete(l.nets, p)
		}
	}
	dropped := len(l.bans) != n
	l.dropDiscouraged(func(_ netip.Addr, b Ban) bool { return b.Until.After(now) })
	l.mu.Unlock()
	if !dropped {
		return nil
	}
	return l.save()
}

// List returns the live bans, setban's and score bans, by subnet.
func (l *BanList) List(now time.Time) []Ban {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Ban
	for _, b := range l.bans {
		if b.Until.After(now) {
			out = append(out, b)
		}
	}
	for a, b := range l.disc {
		if _, set := l.bans[hostPrefix(a)]; !set && b.Until.After(now) {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subnet.String() < out[j].Subnet.String() })
	return out
}

// save writes the setban bans (temp file, fsync, rename).
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
	return saveFile(l.path, data)
}

// saveFile replaces path with data (mode 0600), durably.
func saveFile(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("p2p: %w", err)
	}
	return nil
}
