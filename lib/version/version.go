// Package version holds the one version string every gg binary prints.
package version

import "runtime/debug"

// Version is set at link time: -ldflags "-X github.com/gamegold/gg/lib/version.Version=v1.2.3".
var Version = ""

// String returns the linker-set version, else the module version from the
// build info, else "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
