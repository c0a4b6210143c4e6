package tui

import (
	"image"
	"image/color"
	"strconv"
	"strings"
)

// Face images are drawn with the upper-half block: each cell shows two
// pixels, the top one as foreground and the bottom one as background.
const (
	faceCols = 16
	faceRows = 10
)

// halfBlock renders img scaled (nearest neighbour) to cols×rows cells.
func halfBlock(img image.Image, cols, rows int) []string {
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return nil
	}
	px := func(x, y int) (uint8, uint8, uint8) {
		sx := b.Min.X + x*b.Dx()/cols
		sy := b.Min.Y + y*b.Dy()/(rows*2)
		c := color.NRGBAModel.Convert(img.At(sx, sy)).(color.NRGBA)
		return c.R, c.G, c.B
	}
	out := make([]string, rows)
	var sb strings.Builder
	for r := 0; r < rows; r++ {
		sb.Reset()
		for c := 0; c < cols; c++ {
			tr, tg, tb := px(c, 2*r)
			br, bg, bb := px(c, 2*r+1)
			sb.WriteString("\x1b[38;2;")
			writeRGB(&sb, tr, tg, tb)
			sb.WriteString(";48;2;")
			writeRGB(&sb, br, bg, bb)
			sb.WriteString("m▀")
		}
		sb.WriteString("\x1b[m")
		out[r] = sb.String()
	}
	return out
}

func writeRGB(sb *strings.Builder, r, g, b uint8) {
	sb.WriteString(strconv.Itoa(int(r)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(g)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(b)))
}

// faceArt draws the live capture and the photo on file side by side, or a
// text description when colour is off or there is no room.
func (c *common) faceArt(f *faceView, room int) []string {
	if f == nil {
		return []string{c.styles.Dim.Render("no capture yet")}
	}
	if !c.styles.Color || room < 2*faceCols+3 {
		return []string{
			"live capture: " + imageText(f.live, f.captureID),
			"on file:      " + imageText(f.onFile, ""),
		}
	}
	if f.art == "" {
		return []string{c.styles.Dim.Render("… fetching images")}
	}
	return strings.Split(f.art, "\n")
}

// buildArt renders a face view's images once, when they arrive.
func buildArt(f *faceView) {
	live, file := blankArt(), blankArt()
	if f.live != nil {
		live = halfBlock(f.live, faceCols, faceRows)
	}
	if f.onFile != nil {
		file = halfBlock(f.onFile, faceCols, faceRows)
	}
	lines := make([]string, 0, faceRows+1)
	lines = append(lines, pad("LIVE", faceCols)+"   "+pad("ON FILE", faceCols))
	for i := 0; i < faceRows; i++ {
		lines = append(lines, live[i]+"   "+file[i])
	}
	f.art = strings.Join(lines, "\n")
}

func blankArt() []string {
	out := make([]string, faceRows)
	for i := range out {
		out[i] = strings.Repeat("·", faceCols)
	}
	return out
}

func imageText(img image.Image, id string) string {
	if img == nil {
		return "none"
	}
	b := img.Bounds()
	s := strconv.Itoa(b.Dx()) + "×" + strconv.Itoa(b.Dy()) + " image"
	if id != "" {
		s += " (" + id + ")"
	}
	return s
}
