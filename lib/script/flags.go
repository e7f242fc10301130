package script

import (
	"strings"
)

// Flags selects the verification rules applied by VerifyInput.
type Flags uint32

// Verification flags, named like Bitcoin Core's SCRIPT_VERIFY_* flags.
const (
	FlagP2SH                               Flags = 1 << iota // BIP16 pay-to-script-hash
	FlagStrictEncoding                                       // STRICTENC: defined hash types, well-formed public keys
	FlagDERSig                                               // BIP66 strict DER signatures
	FlagLowS                                                 // signatures must have S <= N/2
	FlagNullDummy                                            // BIP147: CHECKMULTISIG dummy must be empty
	FlagSigPushOnly                                          // scriptSig must be push-only
	FlagMinimalData                                          // minimal pushes and numbers
	FlagDiscourageUpgradableNops                             // reject OP_NOP1, OP_NOP4..OP_NOP10
	FlagCleanStack                                           // exactly one stack item after evaluation
	FlagCheckLockTimeVerify                                  // BIP65
	FlagCheckSequenceVerify                                  // BIP112
	FlagWitness                                              // BIP141/143 segregated witness
	FlagDiscourageUpgradableWitnessProgram                   // reject witness versions 1..16
	FlagMinimalIf                                            // IF/NOTIF argument must be empty or 0x01 (witness)
	FlagNullFail                                             // failed signature checks need empty signatures
	FlagWitnessPubKeyType                                    // only compressed keys in witness scripts
	FlagConstScriptCode                                      // no OP_CODESEPARATOR or FindAndDelete match in legacy scripts
)

// ConsensusFlags are the consensus rules of this chain: all these soft
// forks are active from genesis.
const ConsensusFlags = FlagP2SH | FlagDERSig | FlagCheckLockTimeVerify | FlagCheckSequenceVerify | FlagWitness | FlagNullDummy

// StandardFlags is the mempool policy, the equivalent of Bitcoin Core's
// STANDARD_SCRIPT_VERIFY_FLAGS.
const StandardFlags = ConsensusFlags | FlagStrictEncoding | FlagLowS | FlagMinimalData |
	FlagDiscourageUpgradableNops | FlagCleanStack | FlagMinimalIf | FlagNullFail |
	FlagWitnessPubKeyType | FlagDiscourageUpgradableWitnessProgram | FlagConstScriptCode

var flagNames = []struct {
	name string
	flag Flags
}{
	{"P2SH", FlagP2SH},
	{"STRICTENC", FlagStrictEncoding},
	{"DERSIG", FlagDERSig},
	{"LOW_S", FlagLowS},
	{"NULLDUMMY", FlagNullDummy},
	{"SIGPUSHONLY", FlagSigPushOnly},
	{"MINIMALDATA", FlagMinimalData},
	{"DISCOURAGE_UPGRADABLE_NOPS", FlagDiscourageUpgradableNops},
	{"CLEANSTACK", FlagCleanStack},
	{"CHECKLOCKTIMEVERIFY", FlagCheckLockTimeVerify},
	{"CHECKSEQUENCEVERIFY", FlagCheckSequenceVerify},
	{"WITNESS", FlagWitness},
	{"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", FlagDiscourageUpgradableWitnessProgram},
	{"MINIMALIF", FlagMinimalIf},
	{"NULLFAIL", FlagNullFail},
	{"WITNESS_PUBKEYTYPE", FlagWitnessPubKeyType},
	{"CONST_SCRIPTCODE", FlagConstScriptCode},
}

// ParseFlags parses a comma-separated list of Bitcoin Core flag names
// ("P2SH,STRICTENC,WITNESS"). The empty string and "NONE" mean no flags.
// Names are case-sensitive, as in Core's test vectors; spaces around names
// are ignored.
func ParseFlags(s string) (Flags, error) {
	var f Flags
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		if w == "NONE" {
			continue
		}
		found := false
		for _, fn := range flagNames {
			if fn.name == w {
				f |= fn.flag
				found = true
				break
			}
		}
		if !found {
			return 0, scriptErrorf(ErrInvalidFlags, "unknown verification flag %q", w)
		}
	}
	return f, nil
}

// String lists the flags by their Core names, comma-separated, or "NONE".
func (f Flags) String() string {
	if f == 0 {
		return "NONE"
	}
	var b strings.Builder
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(fn.name)
			f &^= fn.flag
		}
	}
	if f != 0 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString("0x")
		const hexd = "0123456789abcdef"
		var h []byte
		for v := uint32(f); v > 0; v >>= 4 {
			h = append([]byte{hexd[v&15]}, h...)
		}
		b.Write(h)
	}
	return b.String()
}
