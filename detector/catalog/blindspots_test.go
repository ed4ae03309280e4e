package catalog

import "testing"

// TestBlindSpotsAreNotMapped keeps the list honest: an event listed as a
// blind spot must not be in the catalog.
func TestBlindSpotsAreNotMapped(t *testing.T) {
	cat := Default()
	for _, b := range BlindSpots() {
		if b.Why == "" || len(b.Events) == 0 {
			t.Errorf("%s %s: a blind spot needs events and a reason", b.Provider, b.Service)
		}
		for _, ev := range b.Events {
			if cat.LookupService(b.Provider, b.Service, ev) != nil {
				t.Errorf("%s %s %s is mapped but listed as a blind spot", b.Provider, b.Service, ev)
			}
		}
	}
}
