package cli

import (
	"errors"
	"fmt"
)

// Error is an error meant for the user: a message, optional hints naming
// the fix, and the exit code to use.
type Error struct {
	Err   error
	Hints []string
	Code  int
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Usagef returns a usage error (exit 2).
func Usagef(format string, args ...any) *Error {
	return &Error{Err: fmt.Errorf(format, args...), Code: ExitUsage}
}

// Failf returns an operation error (exit 1).
func Failf(format string, args ...any) *Error {
	return &Error{Err: fmt.Errorf(format, args...), Code: ExitError}
}

// WithHint adds a hint to err, wrapping it in an *Error if needed.
func WithHint(err error, hint string) *Error {
	var e *Error
	if errors.As(err, &e) {
		e.Hints = append(e.Hints, hint)
		return e
	}
	return &Error{Err: err, Hints: []string{hint}, Code: ExitError}
}

// Unavailable marks err as "could not reach or open" (exit 3).
func Unavailable(err error, hint string) *Error {
	e := &Error{Err: err, Code: ExitUnavailable}
	if hint != "" {
		e.Hints = []string{hint}
	}
	return e
}
