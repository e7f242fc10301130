package msg

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a refused message. Kinds are errors, so callers
// test with errors.Is(err, msg.ErrBadChecksum).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of refusal.
const (
	ErrBadMagic       = ErrorKind("wrong network magic")
	ErrBadCommand     = ErrorKind("malformed command name")
	ErrUnknownCommand = ErrorKind("unknown command")
	ErrOversized      = ErrorKind("payload larger than the command allows")
	ErrBadChecksum    = ErrorKind("payload checksum mismatch")
	ErrMalformed      = ErrorKind("malformed payload")
)

// Error is a refused message: its kind, the command and what was wrong.
type Error struct {
	Kind    ErrorKind
	Command string
	Detail  string
	Err     error // the underlying decode error, if any
}

func (e *Error) Error() string {
	s := "p2p: " + e.Command + ": " + string(e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func malformed(cmd string, err error) error {
	var me *Error
	if errors.As(err, &me) {
		return err
	}
	return &Error{Kind: ErrMalformed, Command: cmd, Err: err}
}

func malformedf(cmd, format string, args ...any) error {
	return &Error{Kind: ErrMalformed, Command: cmd, Detail: fmt.Sprintf(format, args...)}
}
