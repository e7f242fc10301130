package cli

// Exit codes shared by every binary. Command-specific codes start at 10 and
// are documented in that command's man page.
const (
	ExitOK          = 0 // success
	ExitError       = 1 // the operation failed (rejected, not found, ...)
	ExitUsage       = 2 // bad flags or arguments
	ExitUnavailable = 3 // the node or datadir could not be reached or opened, or the node refused the request for now
	ExitInterrupted = 130
)
