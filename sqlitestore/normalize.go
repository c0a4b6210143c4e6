package sqlitestore

import (
	"strings"
	"unicode"
)

// History look-up keys are normalised the same way when projections are written and
// when they are queried, so "abc 1234", "ABC-1234" and "ABC1234" are one
// plate and "O'Brien" matches the MRZ's "OBRIEN".

// foldLatin maps accented Latin letters to their base letter, as MRZ
// transliteration mostly does (ICAO 9303 part 3 allows more elaborate
// forms, such as Ü→UE, which a look-up by name cannot guess).
var foldLatin = strings.NewReplacer(
	"À", "A", "Á", "A", "Â", "A", "Ã", "A", "Ä", "A", "Å", "A",
	"Ç", "C", "È", "E", "É", "E", "Ê", "E", "Ë", "E",
	"Ì", "I", "Í", "I", "Î", "I", "Ï", "I", "Ñ", "N",
	"Ò", "O", "Ó", "O", "Ô", "O", "Õ", "O", "Ö", "O", "Ø", "O",
	"Ù", "U", "Ú", "U", "Û", "U", "Ü", "U", "Ý", "Y",
)

// keepAlnum upper-cases s and keeps only letters and digits.
func keepAlnum(s string) string {
	s = foldLatin.Replace(strings.ToUpper(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// keyCountry is the issuing-state part of a document key: upper case,
// letters only, and the MRZ's "D" for Germany as "DEU".
func keyCountry(s string) string {
	c := keepAlnum(s)
	if c == "D" {
		return "DEU"
	}
	return c
}

// keyDocNumber is a document number without spaces, dashes or MRZ
// filler, in upper case.
func keyDocNumber(s string) string { return keepAlnum(s) }

// keyDocument is the look-up key of a document, "COUNTRY/NUMBER", or "" when
// the number is empty.
func keyDocument(country, number string) string {
	n := keyDocNumber(number)
	if n == "" {
		return ""
	}
	return keyCountry(country) + "/" + n
}

// keyName is a surname or given names as a look-up key: upper case,
// accents folded, letters and digits only ("Anna-Maria" → "ANNAMARIA").
func keyName(s string) string { return keepAlnum(s) }

// keyBirthDate keeps the digits of a date, so "1974-08-12" and
// "19740812" agree.
func keyBirthDate(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// keyPlate is a plate as a look-up key: upper case, letters and digits.
func keyPlate(s string) string { return keepAlnum(s) }

// keyRegion is a plate region ("us-az") as a key ("US-AZ").
func keyRegion(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// keyEPC is an RFID EPC as upper-case hex without separators.
func keyEPC(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= '0' && r <= '9') || (r >= 'A' && r <= 'F') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
