package wallet

import "log/slog"

// discard is the logger used when none is injected: the package is
// silent by default.
var discard = slog.New(slog.DiscardHandler)

func loggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return discard
	}
	return l
}
