package hardware

// OrDefault returns v, or def when v is zero or negative. It is the rule of
// the drivers' Options, whose zero fields take the package defaults.
func OrDefault[T ~int | ~int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
