//go:build !linux

package ggminer

import "time"

// threadCPU is not known here.
func threadCPU() (time.Duration, bool) { return 0, false }
