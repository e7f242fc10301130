package ggconsole

import (
	"testing"

	"github.com/muesli/termenv"
)

func TestColourProfile(t *testing.T) {
	for _, c := range []struct {
		noColor  bool
		term     string
		detected termenv.Profile
		want     termenv.Profile
	}{
		{false, "xterm-256color", termenv.ANSI256, termenv.ANSI256},
		{true, "xterm-256color", termenv.ANSI256, termenv.Ascii},
		{false, "screen", termenv.Ascii, termenv.ANSI},
		{false, "tmux", termenv.Ascii, termenv.ANSI},
		{false, "screen.linux", termenv.Ascii, termenv.ANSI},
		{true, "screen", termenv.Ascii, termenv.Ascii},
		{false, "dumb", termenv.Ascii, termenv.Ascii},
		{false, "screensaver", termenv.Ascii, termenv.Ascii},
		{false, "tmux-256color", termenv.ANSI256, termenv.ANSI256},
	} {
		if got := colourProfile(c.noColor, c.term, c.detected); got != c.want {
			t.Errorf("colourProfile(%v, %q, %v) = %v, want %v", c.noColor, c.term, c.detected, got, c.want)
		}
	}
}
