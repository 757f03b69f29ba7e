package chaos

import (
	"os"
	"strings"
	"testing"
)

// The README's table of fault attributes is the one NewFault enforces.
func TestREADMEListsEveryAttributeRange(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := AttributeTable(); !strings.Contains(string(readme), want) {
		t.Fatalf("README.md lacks the current attribute table; put this in its chaos section:\n%s", want)
	}
}
