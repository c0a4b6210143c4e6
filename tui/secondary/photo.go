package secondary

import (
	"image"
	"image/color"
	"strconv"
	"strings"
)

// The gallery photo is drawn with the upper-half block: each cell shows two
// pixels, the top one as foreground and the bottom one as background.
const (
	photoCols = 14
	photoRows = 8
)

// halfBlock renders img scaled (nearest neighbour) to cols×rows cells.
func halfBlock(img image.Image, cols, rows int) []string {
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return nil
	}
	px := func(x, y int) color.NRGBA {
		return color.NRGBAModel.Convert(img.At(b.Min.X+x*b.Dx()/cols, b.Min.Y+y*b.Dy()/(rows*2))).(color.NRGBA)
	}
	rgb := func(sb *strings.Builder, c color.NRGBA) {
		sb.WriteString(strconv.Itoa(int(c.R)) + ";" + strconv.Itoa(int(c.G)) + ";" + strconv.Itoa(int(c.B)))
	}
	out := make([]string, rows)
	var sb strings.Builder
	for r := range rows {
		sb.Reset()
		for c := range cols {
			sb.WriteString("\x1b[38;2;")
			rgb(&sb, px(c, 2*r))
			sb.WriteString(";48;2;")
			rgb(&sb, px(c, 2*r+1))
			sb.WriteString("m▀")
		}
		sb.WriteString("\x1b[m")
		out[r] = sb.String()
	}
	return out
}
