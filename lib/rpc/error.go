package rpc

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// bitcoind-compatible error codes.
const (
	CodeParse          = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603
	CodeMisc           = -1
	CodeForbidden      = -2 // method not allowed for this user
	CodeTypeError      = -3
	CodeInvalidAddress = -5
	CodeOutOfMemory    = -7
	CodeInvalidParam   = -8
	CodeDatabase       = -20
	CodeDeserialize    = -22
	CodeVerify         = -25
	CodeVerifyRejected = -26
	CodeAlreadyInChain = -27
	CodeWarmingUp      = -28
	CodeWallet         = -4
	CodeInsufficient   = -6
	CodeWalletLocked   = -13
	CodeWalletPass     = -14
	// CodeUnavailableSPV: a light node (gg-node --spv) cannot answer the
	// call (it has no blocks, UTXO set, registries or mempool) and has
	// no full node to ask (--spv-rpc).
	CodeUnavailableSPV = -40
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`

	causes []error // the error arguments of Errorf, for publicError
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// Errorf builds an *Error. Error arguments are remembered: the server
// replaces their text in the message by their innermost meaningful part
// (see publicError), so handlers may pass library errors as they are.
func Errorf(code int, format string, args ...any) *Error {
	e := &Error{Code: code, Message: fmt.Sprintf(format, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok && err != nil {
			e.causes = append(e.causes, err)
		}
	}
	return e
}

// InvalidParams builds a -32602 error.
func InvalidParams(format string, args ...any) *Error {
	return Errorf(CodeInvalidParams, format, args...)
}

// Bounds of an error message as sent: a run of non-space characters
// longer than MaxErrorToken is cut, and so is a message longer than
// MaxErrorMessage (each cut ends in "…"). User input echoed in a message
// (a method name, a param, an address) is thus never sent back whole.
const (
	MaxErrorToken   = 200
	MaxErrorMessage = 320
)

// publicError is err as sent to a client, mapped once here for every
// method: an *Error keeps its code, any other error is CodeMisc; the
// library's context prefixes are taken off its causes (cleanMessage) and
// the message is bounded (truncateMessage).
func publicError(err error) *Error {
	var re *Error
	if !errors.As(err, &re) {
		return &Error{Code: CodeMisc, Message: truncateMessage(cleanMessage(err))}
	}
	msg := re.Message
	for _, c := range re.causes {
		if full, clean := c.Error(), cleanMessage(c); full != clean {
			msg = strings.Replace(msg, full, clean, 1)
		}
	}
	return &Error{Code: re.Code, Message: truncateMessage(msg)}
}

// cleanMessage drops the context that fmt.Errorf wrapping added in front
// of an error ("wallet: send: wallet: create tx: insufficient funds: ..."
// → "insufficient funds: ..."), keeping what a wrapper added after it
// ("invalid key: \"xyz\""). Errors of other types (a file path error, a
// number syntax error) are kept whole: their text is their meaning.
func cleanMessage(err error) string {
	msg := err.Error()
	var inner error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if !isFmtWrap(err) {
			return msg
		}
		inner = u.Unwrap()
	case interface{ Unwrap() []error }:
		if l := u.Unwrap(); len(l) > 0 && isFmtWrap(err) {
			inner = l[0]
		}
	}
	if inner == nil {
		return msg
	}
	im := inner.Error()
	i := strings.Index(msg, im)
	if im == "" || i < 0 {
		return msg
	}
	return cleanMessage(inner) + msg[i+len(im):]
}

// isFmtWrap reports an error made by fmt.Errorf with %w.
func isFmtWrap(err error) bool {
	switch fmt.Sprintf("%T", err) {
	case "*fmt.wrapError", "*fmt.wrapErrors":
		return true
	}
	return false
}

// truncateMessage applies MaxErrorToken and MaxErrorMessage, cutting on
// UTF-8 boundaries.
func truncateMessage(s string) string {
	if len(s) > MaxErrorToken {
		var b strings.Builder
		run, cut := 0, false // bytes kept of the current non-space run; whether it was cut
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r):
				run, cut = 0, false
				b.WriteString(s[i : i+n])
			case cut:
			case run+n > MaxErrorToken:
				b.WriteString("…")
				cut = true
			default:
				run += n
				b.WriteString(s[i : i+n])
			}
			i += n
		}
		s = b.String()
	}
	if len(s) > MaxErrorMessage {
		cut := MaxErrorMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
