package receipt

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLook writes the fixture's receipts to $RECEIPT_LOOK for a person to
// look at (skipped otherwise).
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

func TestLookUnknown(t *testing.T) {
	dir := os.Getenv("RECEIPT_LOOK")
	if dir == "" {
		t.Skip()
	}
	in, _ := input(t, LayoutA5)
	in.Procedure.ProcessingDays = 0
	if err := RenderFile(filepath.Join(dir, "unknown.pdf"), in); err != nil {
		t.Fatal(err)
	}
}
