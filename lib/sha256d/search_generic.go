//go:build !amd64 || purego

package sha256d

// archJob has nothing to precompute where only the generic loop runs.
type archJob struct{}

func (*archJob) init(*Job) {}

func (*archJob) scan(j *Job, start, last uint32) (uint32, bool) {
	return j.scanGeneric(start, last)
}

// Impl names the compression Search uses on this machine.
func Impl() string { return "generic" }
