package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles are every style the workstation draws with. Colour only reinforces
// meaning: every state also has a label or symbol ("✔ MATCH", "⚠ LOOKOUT").
type Styles struct {
	Header    lipgloss.Style
	HeaderDim lipgloss.Style
	Border    lipgloss.Style // panel frame
	Focused   lipgloss.Style // frame of the panel holding the selection
	Title     lipgloss.Style
	Label     lipgloss.Style
	Value     lipgloss.Style
	Dim       lipgloss.Style
	OK        lipgloss.Style
	Bad       lipgloss.Style
	Warn      lipgloss.Style
	Banner    lipgloss.Style // the alarm strip
	Selected  lipgloss.Style
	StatusOK  lipgloss.Style
	StatusErr lipgloss.Style
	Dialog    lipgloss.Style
	Help      help.Styles
	// Color is false when drawing without colour (NO_COLOR): face images
	// fall back to text.
	Color bool
}

// NewStyles builds the styles for a dark or light background, or without
// colour at all.
func NewStyles(dark, noColor bool) Styles {
	if noColor {
		return plainStyles()
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	fg := c("#1c1c1c", "#d0d0d0")
	dim := c("#6c6c6c", "#808080")
	border := c("#8a8a8a", "#4e4e4e")
	accent := c("#005f87", "#5fafd7")
	ok := c("#006b00", "#5fd75f")
	bad := c("#af0000", "#ff5f5f")
	warn := c("#875f00", "#ffaf00")
	barBG := c("#d7d7d7", "#262626")
	selBG := c("#c6dbe8", "#303a44")

	s := Styles{Color: true}
	s.Header = lipgloss.NewStyle().Foreground(fg).Background(barBG).Bold(true)
	s.HeaderDim = lipgloss.NewStyle().Foreground(dim).Background(barBG)
	s.Border = lipgloss.NewStyle().Foreground(border)
	s.Focused = lipgloss.NewStyle().Foreground(accent)
	s.Title = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Label = lipgloss.NewStyle().Foreground(dim)
	s.Value = lipgloss.NewStyle().Foreground(fg)
	s.Dim = lipgloss.NewStyle().Foreground(dim)
	s.OK = lipgloss.NewStyle().Foreground(ok).Bold(true)
	s.Bad = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.Warn = lipgloss.NewStyle().Foreground(warn).Bold(true)
	s.Banner = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(c("#af0000", "#870000")).Bold(true)
	s.Selected = lipgloss.NewStyle().Background(selBG).Bold(true)
	s.StatusOK = lipgloss.NewStyle().Foreground(ok)
	s.StatusErr = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(accent).Padding(0, 1)
	s.Help = help.Styles{
		ShortKey:       lipgloss.NewStyle().Foreground(accent).Bold(true),
		ShortDesc:      lipgloss.NewStyle().Foreground(dim),
		ShortSeparator: lipgloss.NewStyle().Foreground(border),
		Ellipsis:       lipgloss.NewStyle().Foreground(border),
		FullKey:        lipgloss.NewStyle().Foreground(accent).Bold(true),
		FullDesc:       lipgloss.NewStyle().Foreground(fg),
		FullSeparator:  lipgloss.NewStyle().Foreground(border),
	}
	return s
}

// plainStyles draw with attributes only (bold, reverse), for NO_COLOR.
func plainStyles() Styles {
	n := lipgloss.NewStyle
	s := Styles{}
	s.Header = n().Reverse(true).Bold(true)
	s.HeaderDim = n().Reverse(true)
	s.Border = n()
	s.Focused = n().Bold(true)
	s.Title = n().Bold(true)
	s.Label = n()
	s.Value = n()
	s.Dim = n()
	s.OK = n().Bold(true)
	s.Bad = n().Bold(true)
	s.Warn = n().Bold(true)
	s.Banner = n().Reverse(true).Bold(true)
	s.Selected = n().Reverse(true)
	s.StatusOK = n()
	s.StatusErr = n().Bold(true)
	s.Dialog = n().Border(lipgloss.DoubleBorder()).Padding(0, 1)
	s.Help = help.Styles{ShortKey: n().Bold(true), ShortDesc: n(), ShortSeparator: n(), Ellipsis: n(),
		FullKey: n().Bold(true), FullDesc: n(), FullSeparator: n()}
	return s
}
