package simulator

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
)

// Face image size: small enough for half-block terminal pixels (48 columns,
// 32 rows), large enough to read as a face.
const (
	faceW = 48
	faceH = 64
)

// faceLook is everything that makes one synthetic person recognisable.
type faceLook struct {
	skin, hair, eyes, shirt, lips color.RGBA
	hairStyle                     int // 0 short, 1 long, 2 bald, 3 tall
	faceRX, faceRY                float64
	beard, glasses                bool
}

var (
	skinTones = []color.RGBA{{255, 224, 196, 255}, {241, 194, 150, 255}, {224, 172, 105, 255}, {198, 134, 66, 255}, {141, 85, 36, 255}, {92, 58, 33, 255}}
	hairTones = []color.RGBA{{20, 16, 12, 255}, {70, 45, 25, 255}, {120, 80, 40, 255}, {200, 160, 90, 255}, {150, 60, 30, 255}, {170, 170, 170, 255}}
	eyeTones  = []color.RGBA{{60, 40, 20, 255}, {40, 90, 150, 255}, {60, 110, 60, 255}, {30, 30, 30, 255}}
	shirts    = []color.RGBA{{40, 60, 120, 255}, {140, 30, 40, 255}, {40, 110, 70, 255}, {90, 90, 90, 255}, {200, 180, 60, 255}, {230, 230, 230, 255}}
)

// seedOf hashes a stable identity (traveler id or document key) into a seed.
func seedOf(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func lookFor(seed uint64) faceLook {
	r := rand.New(rand.NewPCG(seed, 0xface))
	pick := func(p []color.RGBA) color.RGBA { return p[r.IntN(len(p))] }
	l := faceLook{
		skin: pick(skinTones), hair: pick(hairTones), eyes: pick(eyeTones), shirt: pick(shirts),
		hairStyle: r.IntN(4),
		faceRX:    13 + r.Float64()*3,
		faceRY:    17 + r.Float64()*3,
		beard:     r.IntN(4) == 0,
		glasses:   r.IntN(5) == 0,
	}
	l.lips = color.RGBA{uint8(min(int(l.skin.R)*8/10+40, 255)), uint8(int(l.skin.G) * 5 / 10), uint8(int(l.skin.B) * 5 / 10), 255}
	return l
}

// drawFace renders the person seed on background bg. live adds the booth
// camera's look: a different wall and slightly warmer light.
func drawFace(seed uint64, live bool) *image.RGBA {
	l := lookFor(seed)
	bg := color.RGBA{200, 210, 225, 255} // passport photo: plain light background
	if live {
		bg = color.RGBA{120, 130, 120, 255} // booth wall
		l.skin = warm(l.skin)
	}
	img := image.NewRGBA(image.Rect(0, 0, faceW, faceH))
	cx, cy := float64(faceW)/2, 28.0
	for y := range faceH {
		for x := range faceW {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			c := bg
			// Shoulders and shirt.
			if inEllipse(fx, fy, cx, faceH+6, 24, 16) {
				c = l.shirt
			}
			// Neck.
			if fx > cx-5 && fx < cx+5 && fy > cy+10 && fy < cy+26 {
				c = shade(l.skin, 0.85)
			}
			// Long hair falls behind the face.
			if l.hairStyle == 1 && inEllipse(fx, fy, cx, cy+4, l.faceRX+4, l.faceRY+6) && fy > cy-8 {
				c = l.hair
			}
			if inEllipse(fx, fy, cx, cy, l.faceRX, l.faceRY) {
				c = l.skin
				// Hair on top of the head, by style.
				switch l.hairStyle {
				case 0, 1:
					if fy < cy-l.faceRY*0.45 {
						c = l.hair
					}
				case 3:
					if fy < cy-l.faceRY*0.35 {
						c = l.hair
					}
				}
				if l.beard && fy > cy+l.faceRY*0.35 && !inEllipse(fx, fy, cx, cy+9, 4, 1.5) {
					c = shade(l.hair, 1.1)
				}
			}
			if l.hairStyle == 3 && inEllipse(fx, fy, cx, cy-l.faceRY+1, l.faceRX*0.9, 6) {
				c = l.hair
			}
			img.SetRGBA(x, y, c)
		}
	}
	// Eyes, brows, nose, mouth.
	for _, ex := range []float64{cx - 6, cx + 6} {
		fillEllipse(img, ex, cy-2, 3, 1.6, color.RGBA{245, 245, 245, 255})
		fillEllipse(img, ex, cy-2, 1.3, 1.3, l.eyes)
		fillRect(img, int(ex)-3, int(cy)-6, 6, 1, shade(l.hair, 0.8))
		if l.glasses {
			strokeRect(img, int(ex)-4, int(cy)-5, 8, 6, color.RGBA{30, 30, 30, 255})
		}
	}
	fillRect(img, int(cx)-1, int(cy)+1, 2, 5, shade(l.skin, 0.78))
	fillEllipse(img, cx, cy+9, 4, 1.3, l.lips)
	return img
}

// drawNoFace is a live capture in which the matcher found no face: the empty
// booth.
func drawNoFace() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, faceW, faceH))
	for y := range faceH {
		for x := range faceW {
			c := color.RGBA{120, 130, 120, 255}
			if y > 48 {
				c = color.RGBA{80, 80, 85, 255} // counter
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return b.Bytes(), nil
}

func inEllipse(x, y, cx, cy, rx, ry float64) bool {
	dx, dy := (x-cx)/rx, (y-cy)/ry
	return dx*dx+dy*dy <= 1
}

func fillEllipse(img *image.RGBA, cx, cy, rx, ry float64, c color.RGBA) {
	for y := int(cy - ry - 1); y <= int(cy+ry+1); y++ {
		for x := int(cx - rx - 1); x <= int(cx+rx+1); x++ {
			if inEllipse(float64(x)+0.5, float64(y)+0.5, cx, cy, rx, ry) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func fillRect(img *image.RGBA, x0, y0, w, h int, c color.RGBA) {
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func strokeRect(img *image.RGBA, x0, y0, w, h int, c color.RGBA) {
	fillRect(img, x0, y0, w, 1, c)
	fillRect(img, x0, y0+h-1, w, 1, c)
	fillRect(img, x0, y0, 1, h, c)
	fillRect(img, x0+w-1, y0, 1, h, c)
}

func shade(c color.RGBA, f float64) color.RGBA {
	s := func(v uint8) uint8 { return uint8(min(float64(v)*f, 255)) }
	return color.RGBA{s(c.R), s(c.G), s(c.B), 255}
}

func warm(c color.RGBA) color.RGBA {
	return color.RGBA{uint8(min(int(c.R)+12, 255)), c.G, uint8(max(int(c.B)-8, 0)), 255}
}
