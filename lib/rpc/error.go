package rpc

import "fmt"

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
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// Errorf builds an *Error.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidParams builds a -32602 error.
func InvalidParams(format string, args ...any) *Error {
	return Errorf(CodeInvalidParams, format, args...)
}
