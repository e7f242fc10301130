package gcs

import "fmt"

// ErrorKind classifies a refused filter or set. Kinds are errors, so
// callers test with errors.Is(err, gcs.ErrTruncated).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of refusal.
const (
	ErrBadCount    = ErrorKind("malformed element count")
	ErrTooMany     = ErrorKind("more elements than the filter's bytes can hold")
	ErrTruncated   = ErrorKind("filter ends before its last element")
	ErrOutOfRange  = ErrorKind("element value outside the set's range")
	ErrTrailing    = ErrorKind("bytes after the last element")
	ErrBadPadding  = ErrorKind("non-zero padding after the last element")
	ErrBadParams   = ErrorKind("unusable parameters")
	ErrSetTooLarge = ErrorKind("set too large to encode")
)

// DecodeError is a refused filter: its kind and what was wrong.
type DecodeError struct {
	Kind   ErrorKind
	Detail string
	Err    error // the underlying error, if any
}

func (e *DecodeError) Error() string {
	s := "gcs: " + string(e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *DecodeError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func refuse(kind ErrorKind, format string, args ...any) error {
	return &DecodeError{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}
