package tui

import "github.com/charmbracelet/lipgloss"

// styles are the console's looks, from one renderer (its colour
// profile: none under NO_COLOR).
type styles struct {
	tab, activeTab, status, banner, header, selected, dim, err, ok, title, dialog, key lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) *styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	accent := lipgloss.AdaptiveColor{Light: "25", Dark: "75"}
	return &styles{
		tab:       r.NewStyle(),
		activeTab: r.NewStyle().Bold(true).Foreground(accent),
		status:    r.NewStyle().Faint(true),
		banner:    r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
		header:    r.NewStyle().Bold(true),
		selected:  r.NewStyle().Reverse(true),
		dim:       r.NewStyle().Faint(true),
		err:       r.NewStyle().Foreground(lipgloss.Color("9")),
		ok:        r.NewStyle().Foreground(lipgloss.Color("10")),
		title:     r.NewStyle().Bold(true).Foreground(accent),
		dialog:    r.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		key:       r.NewStyle().Bold(true),
	}
}
