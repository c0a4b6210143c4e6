package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// maxMRZInput bounds what `booth mrz` reads: an MRZ is under 100 bytes, so
// anything near this is not one reader's output.
const maxMRZInput = 64 << 10

const mrzUsage = `usage: booth mrz < FILE

Reads the machine-readable zone of one travel document on stdin (the raw
output of a document reader or lines pasted by hand: CR/LF line ends, lower
case, stray spaces, '_' or '«' for '<' and STX/ETX framing are accepted) and
prints one JSON object with the parsed fields, every check digit and any
warnings and errors. Warnings leave "valid" as it is; among them are
expired, name_truncated and unknown_state_code (the issuing state or the
nationality is not an ICAO 9303 code: forged or misread?).

Exit status: 0 when an MRZ (3x30, 2x36 or 2x44) was recognised, valid or
not; 2 when the input is not an MRZ or the command line is wrong; 1 when
stdin cannot be read.
`

// runMRZ implements `booth mrz`.
func runMRZ(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mrz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: to stdout when asked for, stderr on a mistake
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, mrzUsage)
			return 0
		}
		fmt.Fprint(stderr, mrzUsage)
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "mrz: unexpected argument %q; the MRZ is read from stdin", fs.Arg(0))
	}

	in, err := io.ReadAll(io.LimitReader(stdin, maxMRZInput+1))
	if err != nil {
		fmt.Fprintf(stderr, "booth: mrz: reading stdin: %v\n", err)
		return 1
	}
	if len(in) > maxMRZInput {
		return usageError(stderr, "mrz: input is larger than %d KiB; an MRZ is a few lines", maxMRZInput>>10)
	}
	res, err := mrz.Parse(string(in), time.Now())
	if err != nil {
		return usageError(stderr, "mrz: %v", err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintf(stderr, "booth: mrz: encoding result: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(stderr, "booth: mrz: writing result: %v\n", err)
		return 1
	}
	return 0
}
