package p2p

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"os"
	"sort"
	"sync"
	"time"
)

// The address book: where new peers come from, kept so that no single
// source can fill it (an eclipse attack fills a victim's book with the
// attacker's addresses). Addresses heard of go to the "new" table, those
// we connected to to "tried". A table is buckets of slots; which bucket an
// address may enter depends, through a secret key, on its network group
// and (for new) the group of the peer that told us: one source group
// reaches only newSourceBuckets of the new buckets, one address group only
// triedGroupBuckets of the tried ones. Selection mixes both tables.

const (
	newBuckets        = 1024
	triedBuckets      = 256
	bucketSize        = 64
	newSourceBuckets  = 64
	triedGroupBuckets = 8
	// AddrFile is the address book's file name in the datadir.
	AddrFile = "peers.json"
)

// KnownAddr is an address with what gossip said of it.
type KnownAddr struct {
	Addr     netip.AddrPort
	Services uint64
	Seen     time.Time // when the network last vouched for it
}

type addrInfo struct {
	KnownAddr
	source   netip.Addr
	lastTry  time.Time
	lastGood time.Time
	attempts int
	tried    bool
	slot     uint32 // bucket*bucketSize + position, in its table
}

// AddrBook is the address book. It is safe for concurrent use.
type AddrBook struct {
	mu         sync.Mutex
	path       string
	key        [32]byte
	allowLocal bool
	addrs      map[netip.AddrPort]*addrInfo
	newTab     map[uint32]netip.AddrPort
	triedTab   map[uint32]netip.AddrPort
	newList    []netip.AddrPort // for uniform selection
	triedList  []netip.AddrPort
	version    uint64 // bumped by every change, for savers
	// TestNoBuckets turns the eclipse countermeasure of the two bucketed
	// tables off, for the network simulator's experiments (lib/netsim):
	// the book becomes one flat list that takes every address and draws
	// uniformly. gg-node never sets it; set it before the book is used.
	TestNoBuckets bool
}

// Version changes whenever the book does.
func (b *AddrBook) Version() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version
}

// NewAddrBook returns an empty book saved to path ("" keeps it in memory)
// with a fresh secret key. allowLocal admits loopback and private
// addresses (regtest).
func NewAddrBook(path string, allowLocal bool) *AddrBook {
	b := &AddrBook{path: path, allowLocal: allowLocal}
	rand.Read(b.key[:])
	b.reset()
	return b
}

// NewAddrBookKeyed is NewAddrBook with the given secret key instead of a
// fresh one: a simulator's reproducible book (the key places addresses
// in buckets, so a random one makes every run differ). Real nodes use
// NewAddrBook.
func NewAddrBookKeyed(path string, allowLocal bool, key [32]byte) *AddrBook {
	b := &AddrBook{path: path, allowLocal: allowLocal, key: key}
	b.reset()
	return b
}

func (b *AddrBook) reset() {
	b.addrs = make(map[netip.AddrPort]*addrInfo)
	b.newTab = make(map[uint32]netip.AddrPort)
	b.triedTab = make(map[uint32]netip.AddrPort)
	b.newList, b.triedList = nil, nil
}

// group is an address's network group: /16 of IPv4, /32 of IPv6, one
// group for all loopback addresses.
func group(a netip.Addr) []byte {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return []byte{0xff, 'l'}
	case a.Is4():
		v := a.As4()
		return []byte{4, v[0], v[1]}
	default:
		v := a.As16()
		return []byte{6, v[0], v[1], v[2], v[3]}
	}
}

func (b *AddrBook) hash(parts ...[]byte) uint64 {
	h := sha256.New()
	h.Write(b.key[:])
	for _, p := range parts {
		h.Write([]byte{byte(len(p))})
		h.Write(p)
	}
	return binary.LittleEndian.Uint64(h.Sum(nil))
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func apBytes(a netip.AddrPort) []byte {
	b, _ := a.MarshalBinary()
	return b
}

func (b *AddrBook) newSlot(a netip.AddrPort, src netip.Addr) uint32 {
	sg := group(src)
	bucket := b.hash(sg, u64(b.hash(group(a.Addr()), sg)%newSourceBuckets)) % newBuckets
	pos := b.hash([]byte{'n'}, u64(bucket), apBytes(a)) % bucketSize
	return uint32(bucket*bucketSize + pos)
}

func (b *AddrBook) triedSlot(a netip.AddrPort) uint32 {
	bucket := b.hash(u64(b.hash(apBytes(a))%triedGroupBuckets), group(a.Addr())) % triedBuckets
	pos := b.hash([]byte{'t'}, u64(bucket), apBytes(a)) % bucketSize
	return uint32(bucket*bucketSize + pos)
}

// routable reports whether a may enter the book.
func (b *AddrBook) routable(a netip.AddrPort) bool {
	ip := a.Addr().Unmap()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || a.Port() == 0 {
		return false
	}
	if (ip.IsLoopback() || ip.IsPrivate()) && !b.allowLocal {
		return false
	}
	return true
}

// terrible reports whether an entry is not worth keeping.
func (i *addrInfo) terrible(now time.Time) bool {
	switch {
	case !i.lastTry.IsZero() && now.Sub(i.lastTry) < time.Minute:
		return false // just tried: give it a chance
	case now.Sub(i.Seen) > 30*24*time.Hour:
		return true
	case i.lastGood.IsZero() && i.attempts >= 3:
		return true
	case now.Sub(i.lastGood) > 7*24*time.Hour && i.attempts >= 10:
		return true
	}
	return false
}

func removeFrom(list []netip.AddrPort, a netip.AddrPort) []netip.AddrPort {
	for i, x := range list {
		if x == a {
			list[i] = list[len(list)-1]
			return list[:len(list)-1]
		}
	}
	return list
}

// Add records addresses a peer at source told us about; it returns how
// many are new. An address whose new-table slot holds a good entry is
// dropped; a terrible occupant is replaced.
func (b *AddrBook) Add(list []KnownAddr, source netip.Addr, now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	added := 0
	for _, k := range list {
		k.Addr = netip.AddrPortFrom(k.Addr.Addr().Unmap(), k.Addr.Port())
		if !b.routable(k.Addr) {
			continue
		}
		if k.Seen.After(now.Add(10*time.Minute)) || k.Seen.IsZero() {
			k.Seen = now.Add(-5 * 24 * time.Hour) // unknown or from the future: assume old
		}
		if i := b.addrs[k.Addr]; i != nil {
			if k.Seen.After(i.Seen) {
				i.Seen = k.Seen
			}
			i.Services |= k.Services
			continue
		}
		slot := b.newSlot(k.Addr, source)
		if b.TestNoBuckets {
			slot = b.flatSlot(k.Addr)
		} else if old, ok := b.newTab[slot]; ok {
			if oi := b.addrs[old]; oi != nil && !oi.terrible(now) {
				continue
			}
			b.drop(old)
		}
		i := &addrInfo{KnownAddr: k, source: source.Unmap(), slot: slot}
		b.addrs[k.Addr] = i
		b.newTab[slot] = k.Addr
		b.newList = append(b.newList, k.Addr)
		added++
	}
	return added
}

// flatSlot is a free slot for a in the flat list (TestNoBuckets).
func (b *AddrBook) flatSlot(a netip.AddrPort) uint32 {
	slot := uint32(b.hash([]byte{'f'}, apBytes(a)))
	for {
		if _, taken := b.newTab[slot]; !taken {
			return slot
		}
		slot++
	}
}

// drop forgets a (from whichever table holds it).
func (b *AddrBook) drop(a netip.AddrPort) {
	i := b.addrs[a]
	if i == nil {
		return
	}
	if i.tried {
		delete(b.triedTab, i.slot)
		b.triedList = removeFrom(b.triedList, a)
	} else {
		delete(b.newTab, i.slot)
		b.newList = removeFrom(b.newList, a)
	}
	delete(b.addrs, a)
}

// Attempt records a connection attempt to a.
func (b *AddrBook) Attempt(a netip.AddrPort, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	if i := b.addrs[a]; i != nil {
		i.lastTry = now
		i.attempts++
	}
}

// Good records a completed handshake with a: it moves to the tried table
// (evicting the occupant of its slot back to new).
func (b *AddrBook) Good(a netip.AddrPort, services uint64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	i := b.addrs[a]
	if b.TestNoBuckets {
		// One flat list: the entry stays in it (or joins it).
		if i == nil {
			if !b.routable(a) {
				return
			}
			i = &addrInfo{KnownAddr: KnownAddr{Addr: a, Seen: now}, source: a.Addr(), slot: b.flatSlot(a)}
			b.addrs[a] = i
			b.newTab[i.slot] = a
			b.newList = append(b.newList, a)
		}
		i.Services, i.Seen, i.lastGood, i.lastTry, i.attempts = services, now, now, now, 0
		return
	}
	if i == nil {
		if !b.routable(a) {
			return
		}
		i = &addrInfo{KnownAddr: KnownAddr{Addr: a, Seen: now}, source: a.Addr()}
		b.addrs[a] = i
	} else if !i.tried {
		delete(b.newTab, i.slot)
		b.newList = removeFrom(b.newList, a)
	}
	i.Services, i.Seen, i.lastGood, i.lastTry, i.attempts = services, now, now, now, 0
	if i.tried {
		return
	}
	slot := b.triedSlot(a)
	if old, ok := b.triedTab[slot]; ok {
		// The occupant goes back to the new table (if its slot there is
		// free), so a tried address is never lost to a newcomer silently.
		oi := b.addrs[old]
		delete(b.triedTab, slot)
		b.triedList = removeFrom(b.triedList, old)
		ns := b.newSlot(old, oi.source)
		if _, taken := b.newTab[ns]; taken {
			delete(b.addrs, old)
		} else {
			oi.tried, oi.slot = false, ns
			b.newTab[ns] = old
			b.newList = append(b.newList, old)
		}
	}
	i.tried, i.slot = true, slot
	b.triedTab[slot] = a
	b.triedList = append(b.triedList, a)
}

// Select picks an address to dial: from tried or new with equal chance,
// skipping those tried in the last ten minutes and those skip rejects
// (connected, banned). ok is false when nothing qualifies.
func (b *AddrBook) Select(now time.Time, rng *mrand.Rand, skip func(netip.AddrPort) bool) (netip.AddrPort, bool) {
	return b.selectFrom(now, rng, skip, false)
}

// SelectNew is Select from the new table only (a feeler connection's
// address).
func (b *AddrBook) SelectNew(now time.Time, rng *mrand.Rand, skip func(netip.AddrPort) bool) (netip.AddrPort, bool) {
	return b.selectFrom(now, rng, skip, true)
}

func (b *AddrBook) selectFrom(now time.Time, rng *mrand.Rand, skip func(netip.AddrPort) bool, newOnly bool) (netip.AddrPort, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lists := [2][]netip.AddrPort{b.triedList, b.newList}
	first, tables := rng.IntN(2), 2
	if b.TestNoBuckets || newOnly {
		first, tables = 1, 1 // the flat list, or the new table, only
	}
	for k := 0; k < tables; k++ {
		list := lists[(first+k)%2]
		if len(list) == 0 {
			continue
		}
		start := rng.IntN(len(list))
		for j := 0; j < len(list) && j < 200; j++ {
			a := list[(start+j)%len(list)]
			i := b.addrs[a]
			if !i.lastTry.IsZero() && now.Sub(i.lastTry) < 10*time.Minute {
				continue
			}
			if skip != nil && skip(a) {
				continue
			}
			// A terrible entry (failing, long unseen) is taken now and
			// then, less often the more it failed.
			if i.terrible(now) && rng.IntN(1<<min(i.attempts, 10)) != 0 {
				continue
			}
			return a, true
		}
	}
	return netip.AddrPort{}, false
}

// Sample returns up to max addresses (at most 23 % of the book) for a
// getaddr answer, terrible ones left out.
func (b *AddrBook) Sample(max int, now time.Time, rng *mrand.Rand) []KnownAddr {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := make([]netip.AddrPort, 0, len(b.addrs))
	all = append(append(all, b.triedList...), b.newList...)
	n := min(max, len(all)*23/100+1, len(all))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	out := make([]KnownAddr, 0, n)
	for _, a := range all {
		if len(out) >= n {
			break
		}
		if i := b.addrs[a]; !i.terrible(now) {
			out = append(out, i.KnownAddr)
		}
	}
	return out
}

// Size returns the new and tried counts.
func (b *AddrBook) Size() (newCount, triedCount int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.newList), len(b.triedList)
}

// Has reports whether a is in the book, and in which table.
func (b *AddrBook) Has(a netip.AddrPort) (known, tried bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.addrs[a]
	return i != nil, i != nil && i.tried
}

type fileEntry struct {
	Addr     netip.AddrPort `json:"addr"`
	Services uint64         `json:"services"`
	Seen     int64          `json:"seen"`
	Source   netip.Addr     `json:"source"`
	LastTry  int64          `json:"last_try,omitempty"`
	LastGood int64          `json:"last_good,omitempty"`
	Attempts int            `json:"attempts,omitempty"`
	Tried    bool           `json:"tried,omitempty"`
}

type bookFile struct {
	Version int         `json:"version"`
	Key     []byte      `json:"key"`
	Addrs   []fileEntry `json:"addrs"`
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// Save writes the book (temp file, fsync, rename).
func (b *AddrBook) Save() error {
	if b.path == "" {
		return nil
	}
	b.mu.Lock()
	f := bookFile{Version: 1, Key: b.key[:]}
	for _, i := range b.addrs {
		f.Addrs = append(f.Addrs, fileEntry{Addr: i.Addr, Services: i.Services, Seen: unix(i.Seen), Source: i.source,
			LastTry: unix(i.lastTry), LastGood: unix(i.lastGood), Attempts: i.attempts, Tried: i.tried})
	}
	b.mu.Unlock()
	sort.Slice(f.Addrs, func(i, j int) bool { return f.Addrs[i].Addr.String() < f.Addrs[j].Addr.String() })
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return saveFile(b.path, data)
}

// LoadAddrBook reads path (a missing file gives an empty book). Entries
// are placed again by the saved key, tried ones first.
func LoadAddrBook(path string, allowLocal bool, now time.Time) (*AddrBook, error) {
	b := NewAddrBook(path, allowLocal)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("p2p: read address book: %w", err)
	}
	var f bookFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 || len(f.Key) != 32 {
		return nil, fmt.Errorf("p2p: address book %s is corrupt or of an unknown version", path)
	}
	copy(b.key[:], f.Key)
	sort.SliceStable(f.Addrs, func(i, j int) bool { return f.Addrs[i].Tried && !f.Addrs[j].Tried })
	for _, e := range f.Addrs {
		k := KnownAddr{Addr: e.Addr, Services: e.Services, Seen: fromUnix(e.Seen)}
		if e.Tried {
			b.Good(e.Addr, e.Services, fromUnix(e.LastGood))
			if i := b.addrs[e.Addr]; i != nil {
				i.Seen, i.lastTry, i.attempts = k.Seen, fromUnix(e.LastTry), e.Attempts
			}
			continue
		}
		src := e.Source
		if !src.IsValid() {
			src = e.Addr.Addr()
		}
		b.Add([]KnownAddr{k}, src, now)
		if i := b.addrs[e.Addr]; i != nil {
			i.lastTry, i.lastGood, i.attempts = fromUnix(e.LastTry), fromUnix(e.LastGood), e.Attempts
		}
	}
	return b, nil
}
