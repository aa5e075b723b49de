package receipt

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLook writes the fixture's receipts, A5 and 80 mm, to the folder named
// by $RECEIPT_LOOK, for a person to look at after a layout change:
//
//	RECEIPT_LOOK=/tmp/r go test -tags ci -run TestLook ./internal/receipt/
//	pdftoppm -r 80 -png /tmp/r/receipt-a5.pdf /tmp/r/a5
//
// Without the variable it is skipped; the checks live in the other tests.
func TestLook(t *testing.T) {
	dir := os.Getenv("RECEIPT_LOOK")
	if dir == "" {
		t.Skip("set RECEIPT_LOOK=folder to write sample receipts")
	}
	for _, l := range []string{LayoutA5, LayoutRoll} {
		in, _ := input(t, l)
		if err := RenderFile(filepath.Join(dir, "receipt-"+l+".pdf"), in); err != nil {
			t.Fatal(err)
		}
	}
}
