package supervisor

import (
	"testing"

	"github.com/portofentry/booth/records"
)

func TestHeldText(t *testing.T) {
	for _, tc := range []struct {
		ws   records.WorkstationLink
		want string
	}{
		{records.WorkstationLink{Held: 2, HeldSeq: 3, HeldReason: "unknown_kind"}, "✖ 2 held, first #3: unknown_kind"},
		{records.WorkstationLink{Held: 1, HeldSeq: 7}, "✖ 1 held, first #7"},
		// An older server names the first held event without a count.
		{records.WorkstationLink{HeldSeq: 4, HeldReason: "schema_too_new"}, "✖ 1 held, first #4: schema_too_new"},
	} {
		if got := heldText(tc.ws); got != tc.want {
			t.Errorf("heldText(%+v) = %q, want %q", tc.ws, got, tc.want)
		}
	}
}
