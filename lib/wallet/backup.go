package wallet

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// A backup is everything needed to recreate a wallet, sealed under a
// backup passphrase:
//
//	"GGWBACKUP" ‖ version 1 ‖ argon2id time u32 ‖ memory KiB u32 ‖
//	threads u8 ‖ salt 16 ‖ nonce 24 ‖ XChaCha20-Poly1305(contents)
//
// with the header (everything before the nonce) as associated data, and
// contents the JSON of backupContents: the mnemonic and seed passphrase,
// birthday and gap limit, every account (number, name, kind, xpub, the
// addresses handed out on each chain), imported keys as WIF, watch-only
// scripts, imported and time-locked scripts, and labels.
var backupMagic = []byte("GGWBACKUP")

const (
	backupVersion   = 1
	backupHeaderLen = 9 + 1 + 4 + 4 + 1 + saltSize
	adBackup        = "gg-wallet/v1/backup"
	// maxBackupSize bounds a blob a decoder accepts (a wallet with
	// hundreds of thousands of imports is far below it).
	maxBackupSize = 64 << 20
)

// ErrBadBackup: a backup blob that does not parse, or whose contents are
// inconsistent. A wrong backup passphrase is ErrWrongPassphrase.
const ErrBadBackup = ErrorKind("not a valid wallet backup")

type backupContents struct {
	Version        int             `json:"version"`
	Network        string          `json:"network"`
	Mnemonic       string          `json:"mnemonic"`
	SeedPassphrase string          `json:"seed_passphrase,omitempty"`
	Birthday       int32           `json:"birthday"`
	GapLimit       uint32          `json:"gap_limit"`
	Accounts       []backupAccount `json:"accounts"`
	Keys           []backupKey     `json:"keys,omitempty"`
	Watch          []backupEntry   `json:"watch,omitempty"`
	Scripts        []backupScript  `json:"scripts,omitempty"`
	Labels         []backupEntry   `json:"labels,omitempty"`
}

type backupAccount struct {
	Number  uint32 `json:"number"`
	Name    string `json:"name"`
	Kind    string `json:"kind"` // hd, xpub, imported
	Xpub    string `json:"xpub,omitempty"`
	Receive uint32 `json:"receive"` // addresses handed out
	Change  uint32 `json:"change"`
}

type backupKey struct {
	WIF     string `json:"wif"`
	Account string `json:"account"`
	Label   string `json:"label,omitempty"`
}

// backupEntry is a watch-only output script, or a label of one.
type backupEntry struct {
	PkScript string `json:"pkscript"` // hex
	Account  string `json:"account,omitempty"`
	Label    string `json:"label,omitempty"`
}

type backupScript struct {
	Script  string `json:"script"` // hex
	Account string `json:"account"`
	P2SH    bool   `json:"p2sh"` // its P2SH form is recognised too (ImportScript); time-locked addresses are P2WSH only
	Label   string `json:"label,omitempty"`
}

// BackupSummary counts what a backup holds.
type BackupSummary struct {
	Accounts, Keys, Watch, Scripts, Labels int
	Birthday                               int32
}

func (c *backupContents) summary() BackupSummary {
	return BackupSummary{Accounts: len(c.Accounts), Keys: len(c.Keys), Watch: len(c.Watch), Scripts: len(c.Scripts),
		Labels: len(c.Labels), Birthday: c.Birthday}
}

// MinBackupPassphraseLen is the fewest characters (Unicode code points)
// a new backup's passphrase may have: a backup leaves the machine, and
// its passphrase is all that guards the seed. Restoring does not check
// it (backups written before the rule still open).
const MinBackupPassphraseLen = 8

// Backup returns the wallet's encrypted backup blob, sealed under
// backupPass (at least MinBackupPassphraseLen characters) with
// argon2id(kdf) (zero: DefaultKDF). The wallet must be unlocked
// (ErrLocked): the blob holds the mnemonic and imported keys.
func (w *Wallet) Backup(backupPass []byte, kdf KDFParams) ([]byte, BackupSummary, error) {
	if n := utf8.RuneCount(backupPass); n < MinBackupPassphraseLen {
		return nil, BackupSummary{}, fmt.Errorf("wallet: backup: %w: backup passphrase too short: use at least %d characters (this one has %d)",
			ErrInvalidArgument, MinBackupPassphraseLen, n)
	}
	if kdf == (KDFParams{}) {
		kdf = DefaultKDF
	}
	if err := kdf.validate(); err != nil {
		return nil, BackupSummary{}, fmt.Errorf("wallet: backup: %w", err)
	}
	c, err := w.backupContents()
	if err != nil {
		return nil, BackupSummary{}, fmt.Errorf("wallet: backup: %w", err)
	}
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, BackupSummary{}, err
	}
	defer zero(plain)
	blob, err := sealBackup(plain, backupPass, kdf)
	if err != nil {
		return nil, BackupSummary{}, fmt.Errorf("wallet: backup: %w", err)
	}
	return blob, c.summary(), nil
}

func sealBackup(plain, pass []byte, kdf KDFParams) ([]byte, error) {
	hdr := append([]byte(nil), backupMagic...)
	hdr = append(hdr, backupVersion)
	hdr = binary.BigEndian.AppendUint32(hdr, kdf.Time)
	hdr = binary.BigEndian.AppendUint32(hdr, kdf.MemoryKiB)
	hdr = append(hdr, kdf.Threads)
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	hdr = append(hdr, salt...)
	key := passphraseKey(pass, &kdfRecord{Params: kdf, Salt: salt})
	defer zero(key)
	sealed, err := seal(key, plain, append([]byte(adBackup), hdr...))
	if err != nil {
		return nil, err
	}
	return append(hdr, sealed...), nil
}

// parseBackupHeader checks a blob's header and returns its KDF record
// and sealed part, without running the KDF.
func parseBackupHeader(blob []byte) (*kdfRecord, []byte, error) {
	if len(blob) > maxBackupSize {
		return nil, nil, fmt.Errorf("%w: %d bytes", ErrBadBackup, len(blob))
	}
	if len(blob) < backupHeaderLen+24+16 || !bytes.Equal(blob[:len(backupMagic)], backupMagic) {
		return nil, nil, fmt.Errorf("%w: no backup header", ErrBadBackup)
	}
	b := blob[len(backupMagic):]
	if b[0] != backupVersion {
		return nil, nil, fmt.Errorf("%w: version %d (this program reads %d)", ErrBadBackup, b[0], backupVersion)
	}
	r := &kdfRecord{Params: KDFParams{Time: binary.BigEndian.Uint32(b[1:5]), MemoryKiB: binary.BigEndian.Uint32(b[5:9]), Threads: b[9]},
		Salt: b[10 : 10+saltSize]}
	// The header sets the cost of opening the blob: bounded before
	// anything runs.
	if err := r.Params.checkCost(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadBackup, err)
	}
	if err := r.Params.validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBadBackup, err)
	}
	return r, blob[backupHeaderLen:], nil
}

// openBackup decrypts and decodes a blob: ErrBadBackup for a malformed
// one, ErrWrongPassphrase when pass does not open it.
func openBackup(blob, pass []byte) (*backupContents, error) {
	r, sealed, err := parseBackupHeader(blob)
	if err != nil {
		return nil, err
	}
	key := passphraseKey(pass, r)
	defer zero(key)
	plain, err := open(key, sealed, append([]byte(adBackup), blob[:backupHeaderLen]...))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	defer zero(plain)
	return decodeBackupContents(plain)
}

// decodeBackupContents parses and checks the JSON inside a backup.
func decodeBackupContents(plain []byte) (*backupContents, error) {
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	var c backupContents
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: contents: %v", ErrBadBackup, err)
	}
	bad := func(f string, a ...any) error { return fmt.Errorf("%w: %s", ErrBadBackup, fmt.Sprintf(f, a...)) }
	switch {
	case c.Version != backupVersion:
		return nil, bad("contents version %d", c.Version)
	case !knownNetwork(c.Network):
		return nil, bad("unknown network %q", c.Network)
	case ValidateMnemonic(c.Mnemonic) != nil:
		return nil, bad("invalid mnemonic")
	case c.Birthday < 0:
		return nil, bad("negative birthday")
	case c.GapLimit == 0 || c.GapLimit > maxGapLimit:
		return nil, bad("gap limit %d", c.GapLimit)
	}
	names := map[string]bool{}
	numbers := map[uint32]bool{}
	hasDefault := false
	for _, a := range c.Accounts {
		if checkAccountName(a.Name) != nil || names[a.Name] || numbers[a.Number] {
			return nil, bad("account %d %q: bad or repeated", a.Number, a.Name)
		}
		names[a.Name], numbers[a.Number] = true, true
		hd := a.Number < HardenedKeyStart
		switch {
		case a.Kind == kindHD.String() && hd:
		case (a.Kind == kindXpub.String() && a.Xpub != "" || a.Kind == kindImported.String()) && !hd:
		default:
			return nil, bad("account %d %q: kind %q", a.Number, a.Name, a.Kind)
		}
		if a.Receive >= HardenedKeyStart || a.Change >= HardenedKeyStart {
			return nil, bad("account %q: address counts out of range", a.Name)
		}
		if a.Number == 0 {
			hasDefault = a.Name == DefaultAccount && a.Kind == kindHD.String()
		}
	}
	if !hasDefault {
		return nil, bad("no default account")
	}
	hexOK := func(s string, max int) bool {
		b, err := hex.DecodeString(s)
		return err == nil && len(b) > 0 && len(b) <= max
	}
	for _, k := range c.Keys {
		if !names[k.Account] || k.WIF == "" {
			return nil, bad("imported key of account %q", k.Account)
		}
	}
	for _, e := range c.Watch {
		if !names[e.Account] || !hexOK(e.PkScript, maxImportScriptSize) {
			return nil, bad("watch-only script of account %q", e.Account)
		}
	}
	for _, s := range c.Scripts {
		if !names[s.Account] || !hexOK(s.Script, maxImportScriptSize) {
			return nil, bad("script of account %q", s.Account)
		}
	}
	for _, l := range c.Labels {
		if !hexOK(l.PkScript, maxImportScriptSize) || len(l.Label) > 1024 {
			return nil, bad("label")
		}
	}
	return &c, nil
}

// backupContents collects what Backup seals.
func (w *Wallet) backupContents() (*backupContents, error) {
	c := &backupContents{Version: backupVersion, Network: w.params.Name, GapLimit: w.gap}
	err := w.view(func(tx *store.Tx) error {
		mkey, err := w.masterKeyLocked()
		if err != nil {
			return err
		}
		seed, err := readSeedSecret(tx, mkey)
		if err != nil {
			return err
		}
		c.Mnemonic, c.SeedPassphrase = seed.Mnemonic, seed.SeedPassphrase
		if v := tx.Bucket(bktMeta).Get(keyBirthday); len(v) == 4 {
			c.Birthday = int32(binary.BigEndian.Uint32(v))
		}
		names := map[uint32]string{}
		err = tx.Bucket(bktAccounts).ForEach(func(_, v []byte) error {
			a, err := decodeAccount(v)
			if err != nil {
				return err
			}
			names[a.Number] = a.Name
			c.Accounts = append(c.Accounts, backupAccount{Number: a.Number, Name: a.Name, Kind: a.Kind.String(), Xpub: xpubIfWatch(a),
				Receive: a.Branches[BranchReceive].Issued, Change: a.Branches[BranchChange].Issued})
			return nil
		})
		if err != nil {
			return err
		}
		// Imported keys, by the hash of their public key.
		keyLabels := map[string]bool{}
		err = tx.Bucket(bktKeys).ForEach(func(h, sealed []byte) error {
			plain, err := open(mkey, sealed, []byte(adImportKey+hex.EncodeToString(h)))
			if err != nil {
				return fmt.Errorf("%w: imported key does not decrypt", ErrCorrupt)
			}
			defer zero(plain)
			b, compressed, err := decodeKeySecret(plain)
			if err != nil {
				return err
			}
			priv, _ := btcec.PrivKeyFromBytes(b)
			k := backupKey{WIF: keys.EncodeWIF(priv, compressed, w.params)}
			for _, pk := range [][]byte{script.PayToWitnessPubKeyHash(h), script.PayToPubKeyHash(h)} {
				r, err := getAddr(tx, pk)
				if err != nil {
					return err
				}
				if r != nil && r.Branch == BranchImported && len(r.PubKey) != 0 {
					k.Account = names[r.Account]
					if k.Label == "" {
						k.Label = r.Label
					}
					keyLabels[string(pk)] = true
				}
			}
			if k.Account == "" {
				return fmt.Errorf("%w: imported key without its address", ErrCorrupt)
			}
			c.Keys = append(c.Keys, k)
			return nil
		})
		if err != nil {
			return err
		}
		// Scripts and watch-only addresses; labels of the rest.
		scripts := map[string]*backupScript{}
		err = tx.Bucket(bktAddrs).ForEach(func(pk, v []byte) error {
			r, err := decodeAddr(v)
			if err != nil {
				return err
			}
			switch {
			case r.Branch == BranchImported && r.Flags&flagScript != 0:
				var ws []byte
				p2sh := false
				if ver, prog, ok := script.ExtractWitnessProgram(pk); ok && ver == 0 && len(prog) == 32 {
					ws = tx.Bucket(bktScripts).Get(prog)
				} else if len(pk) == 23 {
					ws, p2sh = tx.Bucket(bktScripts).Get(pk[2:22]), true
				}
				if ws == nil {
					return fmt.Errorf("%w: script address without its script", ErrCorrupt)
				}
				s := scripts[string(ws)]
				if s == nil {
					s = &backupScript{Script: hex.EncodeToString(ws), Account: names[r.Account]}
					scripts[string(ws)] = s
				}
				s.P2SH = s.P2SH || p2sh
				if s.Label == "" {
					s.Label = r.Label
				}
			case r.Branch == BranchImported && len(r.PubKey) == 0:
				c.Watch = append(c.Watch, backupEntry{PkScript: hex.EncodeToString(pk), Account: names[r.Account], Label: r.Label})
			case r.Label != "" && !keyLabels[string(pk)]:
				c.Labels = append(c.Labels, backupEntry{PkScript: hex.EncodeToString(pk), Label: r.Label})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, s := range scripts {
			c.Scripts = append(c.Scripts, *s)
		}
		slices.SortFunc(c.Scripts, func(a, b backupScript) int {
			if a.Account != b.Account {
				return cmpString(a.Account, b.Account)
			}
			return cmpString(a.Script, b.Script)
		})
		return nil
	})
	return c, err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func xpubIfWatch(a *accountRecord) string {
	if a.Kind == kindXpub {
		return a.Xpub
	}
	return ""
}

// RestoreBackup creates a wallet file at path from a backup blob sealed
// under backupPass: the seed, every account under its name with the
// addresses it had handed out, imported keys, watch-only scripts,
// imported and time-locked scripts and labels. opts gives the new
// wallet's passphrase and parameters (its Mnemonic, SeedPassphrase,
// Birthday and GapLimit come from the backup). The wallet's coins are
// found by the first sync, which rescans from the backup's birthday.
// The returned wallet is locked if encrypted. A blob for another network
// is ErrWrongNetwork, a wrong backup passphrase ErrWrongPassphrase. Like
// Create, it writes the whole wallet or none.
func RestoreBackup(path string, p *chaincfg.Params, blob, backupPass []byte, opts CreateOptions) (*Wallet, BackupSummary, error) {
	c, err := openBackup(blob, backupPass)
	if err != nil {
		return nil, BackupSummary{}, fmt.Errorf("wallet: restore backup: %w", err)
	}
	if c.Network != p.Name {
		return nil, BackupSummary{}, fmt.Errorf("wallet: restore backup: %w: the backup is of a %s wallet", ErrWrongNetwork, c.Network)
	}
	opts.Mnemonic, opts.SeedPassphrase, opts.Birthday, opts.GapLimit = c.Mnemonic, c.SeedPassphrase, c.Birthday, c.GapLimit
	opts.EntropyBits = 0
	// The backup's contents go into the new wallet before it is
	// published: a restore that fails half-way leaves no wallet file.
	w, _, err := create(path, p, opts, func(w *Wallet) error { return w.applyBackup(c) })
	if err != nil {
		return nil, BackupSummary{}, fmt.Errorf("wallet: restore backup: %w", err)
	}
	return w, c.summary(), nil
}

func (w *Wallet) applyBackup(c *backupContents) error {
	accts := slices.Clone(c.Accounts)
	slices.SortFunc(accts, func(a, b backupAccount) int { return int(int64(a.Number) - int64(b.Number)) })
	for _, a := range accts {
		switch {
		case a.Number == 0:
		case a.Kind == kindHD.String():
			info, err := w.CreateAccount(a.Name)
			if err != nil {
				return err
			}
			if info.Number != a.Number {
				return fmt.Errorf("%w: account %q is number %d here, %d in the backup", ErrBadBackup, a.Name, info.Number, a.Number)
			}
		case a.Kind == kindXpub.String():
			if _, err := w.ImportXpub(a.Xpub, a.Name); err != nil {
				return err
			}
		default:
			err := w.update(func(tx *store.Tx) error {
				r, err := importAccount(tx, a.Name)
				if err != nil {
					return err
				}
				return putAccount(tx, r)
			})
			if err != nil {
				return err
			}
		}
		if err := w.setIssued(a.Name, a.Receive, a.Change); err != nil {
			return err
		}
	}
	for _, k := range c.Keys {
		info, err := w.ImportWIF(k.WIF, k.Account)
		if err != nil {
			return err
		}
		if k.Label != "" {
			if err := w.SetLabel(info.PkScript, k.Label); err != nil {
				return err
			}
		}
	}
	for _, e := range c.Watch {
		pk, _ := hex.DecodeString(e.PkScript)
		if _, err := w.importWatchScript(pk, nil, e.Account, flagWatchOnly, false, e.Label); err != nil {
			return err
		}
	}
	for _, s := range c.Scripts {
		b, _ := hex.DecodeString(s.Script)
		if _, err := w.importWatchScript(script.PayToWitnessScriptHash(sha256Sum(b)), b, s.Account, flagScript, s.P2SH, s.Label); err != nil {
			return err
		}
	}
	for _, l := range c.Labels {
		pk, _ := hex.DecodeString(l.PkScript)
		if err := w.SetLabel(pk, l.Label); err != nil && !errors.Is(err, ErrAddressNotFound) {
			return err
		}
	}
	return nil
}

// setIssued marks the first receive and change addresses of an account
// as handed out (as they were in the backed-up wallet).
func (w *Wallet) setIssued(name string, receive, change uint32) error {
	return w.update(func(tx *store.Tx) error {
		a, err := accountByName(tx, name)
		if err != nil || a.Kind == kindImported {
			return err
		}
		for b, n := range []uint32{receive, change} {
			br := &a.Branches[b]
			if n > br.Issued {
				br.Issued = n
			}
			if err := w.extend(tx, a, uint8(b)); err != nil {
				return err
			}
		}
		return putAccount(tx, a)
	})
}

// importWatchScript is importWatch with the P2SH form optional and a
// label; an entry already present (a time-locked script whose key the
// restored chain derives anyway) is kept.
func (w *Wallet) importWatchScript(pkScript, redeem []byte, account string, flags uint8, p2sh bool, label string) (AddrInfo, error) {
	info, err := w.importWatchMode(pkScript, redeem, account, flags, p2sh, "restore")
	if err != nil {
		return info, err
	}
	if label != "" {
		if err := w.SetLabel(pkScript, label); err != nil {
			return info, err
		}
	}
	return info, nil
}

func knownNetwork(name string) bool {
	_, err := chaincfg.ByName(name)
	return err == nil
}
