package script

import "fmt"

// ErrorCode classifies a script failure. Every code implements error so it
// can be the target of errors.Is; most are named after, and map one to one
// onto, Bitcoin Core's script errors (see CoreName).
type ErrorCode int

// Script error kinds. The comment after each names Bitcoin Core's
// equivalent.
const (
	ErrUnknown                            ErrorCode = iota // UNKNOWN_ERROR
	ErrEvalFalse                                           // EVAL_FALSE
	ErrOpReturn                                            // OP_RETURN
	ErrScriptSize                                          // SCRIPT_SIZE
	ErrPushSize                                            // PUSH_SIZE
	ErrOpCount                                             // OP_COUNT
	ErrStackSize                                           // STACK_SIZE
	ErrSigCount                                            // SIG_COUNT
	ErrPubKeyCount                                         // PUBKEY_COUNT
	ErrVerify                                              // VERIFY
	ErrEqualVerify                                         // EQUALVERIFY
	ErrCheckMultiSigVerify                                 // CHECKMULTISIGVERIFY
	ErrCheckSigVerify                                      // CHECKSIGVERIFY
	ErrNumEqualVerify                                      // NUMEQUALVERIFY
	ErrBadOpcode                                           // BAD_OPCODE
	ErrDisabledOpcode                                      // DISABLED_OPCODE
	ErrInvalidStackOperation                               // INVALID_STACK_OPERATION
	ErrInvalidAltstackOperation                            // INVALID_ALTSTACK_OPERATION
	ErrUnbalancedConditional                               // UNBALANCED_CONDITIONAL
	ErrNegativeLockTime                                    // NEGATIVE_LOCKTIME
	ErrUnsatisfiedLockTime                                 // UNSATISFIED_LOCKTIME
	ErrSigHashType                                         // SIG_HASHTYPE
	ErrSigDER                                              // SIG_DER
	ErrMinimalData                                         // MINIMALDATA
	ErrSigPushOnly                                         // SIG_PUSHONLY
	ErrSigHighS                                            // SIG_HIGH_S
	ErrSigNullDummy                                        // SIG_NULLDUMMY
	ErrPubKeyType                                          // PUBKEYTYPE
	ErrCleanStack                                          // CLEANSTACK
	ErrMinimalIf                                           // MINIMALIF
	ErrNullFail                                            // NULLFAIL
	ErrDiscourageUpgradableNops                            // DISCOURAGE_UPGRADABLE_NOPS
	ErrDiscourageUpgradableWitnessProgram                  // DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM
	ErrWitnessProgramWrongLength                           // WITNESS_PROGRAM_WRONG_LENGTH
	ErrWitnessProgramWitnessEmpty                          // WITNESS_PROGRAM_WITNESS_EMPTY
	ErrWitnessProgramMismatch                              // WITNESS_PROGRAM_MISMATCH
	ErrWitnessMalleated                                    // WITNESS_MALLEATED
	ErrWitnessMalleatedP2SH                                // WITNESS_MALLEATED_P2SH
	ErrWitnessUnexpected                                   // WITNESS_UNEXPECTED
	ErrWitnessPubKeyType                                   // WITNESS_PUBKEYTYPE
	ErrOpCodeSeparator                                     // OP_CODESEPARATOR
	ErrSigFindAndDelete                                    // SIG_FINDANDDELETE

	// Kinds below have no Core script error of their own. The first two
	// are the numeric failures Core reports as UNKNOWN_ERROR; errors.Is
	// matches them against ErrUnknown as well.
	ErrNumberTooBig      // UNKNOWN_ERROR: numeric operand longer than allowed
	ErrNonMinimalNumber  // UNKNOWN_ERROR: numeric operand not minimally encoded (MINIMALDATA)
	ErrInvalidIndex      // input index out of range of the transaction
	ErrMalformedPush     // a push runs past the end of the script (parsing, disassembly)
	ErrInvalidArgument   // bad argument to a builder or template function
	ErrUnsupportedScript // SignInput does not know how to satisfy the script
	ErrKeyNotFound       // SignInput found no key or script it needs
	ErrInvalidFlags      // ParseFlags met an unknown flag name

	numErrorCodes
)

var errorCodeNames = [numErrorCodes]string{
	ErrUnknown:                            "UNKNOWN_ERROR",
	ErrEvalFalse:                          "EVAL_FALSE",
	ErrOpReturn:                           "OP_RETURN",
	ErrScriptSize:                         "SCRIPT_SIZE",
	ErrPushSize:                           "PUSH_SIZE",
	ErrOpCount:                            "OP_COUNT",
	ErrStackSize:                          "STACK_SIZE",
	ErrSigCount:                           "SIG_COUNT",
	ErrPubKeyCount:                        "PUBKEY_COUNT",
	ErrVerify:                             "VERIFY",
	ErrEqualVerify:                        "EQUALVERIFY",
	ErrCheckMultiSigVerify:                "CHECKMULTISIGVERIFY",
	ErrCheckSigVerify:                     "CHECKSIGVERIFY",
	ErrNumEqualVerify:                     "NUMEQUALVERIFY",
	ErrBadOpcode:                          "BAD_OPCODE",
	ErrDisabledOpcode:                     "DISABLED_OPCODE",
	ErrInvalidStackOperation:              "INVALID_STACK_OPERATION",
	ErrInvalidAltstackOperation:           "INVALID_ALTSTACK_OPERATION",
	ErrUnbalancedConditional:              "UNBALANCED_CONDITIONAL",
	ErrNegativeLockTime:                   "NEGATIVE_LOCKTIME",
	ErrUnsatisfiedLockTime:                "UNSATISFIED_LOCKTIME",
	ErrSigHashType:                        "SIG_HASHTYPE",
	ErrSigDER:                             "SIG_DER",
	ErrMinimalData:                        "MINIMALDATA",
	ErrSigPushOnly:                        "SIG_PUSHONLY",
	ErrSigHighS:                           "SIG_HIGH_S",
	ErrSigNullDummy:                       "SIG_NULLDUMMY",
	ErrPubKeyType:                         "PUBKEYTYPE",
	ErrCleanStack:                         "CLEANSTACK",
	ErrMinimalIf:                          "MINIMALIF",
	ErrNullFail:                           "NULLFAIL",
	ErrDiscourageUpgradableNops:           "DISCOURAGE_UPGRADABLE_NOPS",
	ErrDiscourageUpgradableWitnessProgram: "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
	ErrWitnessProgramWrongLength:          "WITNESS_PROGRAM_WRONG_LENGTH",
	ErrWitnessProgramWitnessEmpty:         "WITNESS_PROGRAM_WITNESS_EMPTY",
	ErrWitnessProgramMismatch:             "WITNESS_PROGRAM_MISMATCH",
	ErrWitnessMalleated:                   "WITNESS_MALLEATED",
	ErrWitnessMalleatedP2SH:               "WITNESS_MALLEATED_P2SH",
	ErrWitnessUnexpected:                  "WITNESS_UNEXPECTED",
	ErrWitnessPubKeyType:                  "WITNESS_PUBKEYTYPE",
	ErrOpCodeSeparator:                    "OP_CODESEPARATOR",
	ErrSigFindAndDelete:                   "SIG_FINDANDDELETE",
	ErrNumberTooBig:                       "NUMBER_TOO_BIG",
	ErrNonMinimalNumber:                   "NON_MINIMAL_NUMBER",
	ErrInvalidIndex:                       "INVALID_INDEX",
	ErrMalformedPush:                      "MALFORMED_PUSH",
	ErrInvalidArgument:                    "INVALID_ARGUMENT",
	ErrUnsupportedScript:                  "UNSUPPORTED_SCRIPT",
	ErrKeyNotFound:                        "KEY_NOT_FOUND",
	ErrInvalidFlags:                       "INVALID_FLAGS",
}

// String returns the code's name, e.g. "EVAL_FALSE".
func (c ErrorCode) String() string {
	if c >= 0 && c < numErrorCodes {
		return errorCodeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error implements error so a code can be an errors.Is target.
func (c ErrorCode) Error() string { return "script: " + c.String() }

// CoreName returns the name Bitcoin Core gives this failure in its script
// test vectors (SCRIPT_ERR_ without the prefix). Kinds without a Core
// equivalent report "UNKNOWN_ERROR", as Core does for numeric failures.
func (c ErrorCode) CoreName() string {
	if c >= ErrNumberTooBig || c < 0 {
		return "UNKNOWN_ERROR"
	}
	return c.String()
}

// Error is a script failure: a kind and a human-readable description.
type Error struct {
	Code ErrorCode
	Desc string
}

// Error implements error.
func (e *Error) Error() string { return "script: " + e.Desc }

// Unwrap returns the code, so errors.Is(err, ErrXxx) works.
func (e *Error) Unwrap() error { return e.Code }

// Is makes the numeric kinds that Core reports as UNKNOWN_ERROR match
// ErrUnknown too.
func (e *Error) Is(target error) bool {
	c, ok := target.(ErrorCode)
	if !ok {
		return false
	}
	return c == e.Code || (c == ErrUnknown && (e.Code == ErrNumberTooBig || e.Code == ErrNonMinimalNumber))
}

func scriptError(c ErrorCode, desc string) error { return &Error{Code: c, Desc: desc} }

func scriptErrorf(c ErrorCode, format string, args ...any) error {
	return &Error{Code: c, Desc: fmt.Sprintf(format, args...)}
}
