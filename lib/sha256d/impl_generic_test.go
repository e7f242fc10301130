//go:build !amd64 || purego

package sha256d

func availableImpls() []string { return []string{"generic"} }

func useImpl(string) func() { return func() {} }
