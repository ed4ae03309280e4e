package detector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/shadowtest"
)

func TestMemoryShadowConformance(t *testing.T) {
	shadowtest.Run(t, func(*testing.T) detector.Shadow { return detector.NewMemoryShadow(0) })
}

// TestMemoryShadowIsBounded: past its capacity the shadow forgets the
// oldest resources first, so memory stays flat however many resources a
// long run touches.
func TestMemoryShadowIsBounded(t *testing.T) {
	ctx := context.Background()
	s := detector.NewMemoryShadow(3)
	ref := func(i int) detector.ShadowRef {
		return detector.ShadowRef{Source: "s", Workspace: "default", Address: fmt.Sprintf("aws_instance.i%d", i)}
	}
	put := func(i int) {
		if err := s.Put(ctx, ref(i), 1, map[string]json.RawMessage{"instance_type": json.RawMessage(`"m5.large"`)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		put(i)
	}
	if s.Len() != 3 {
		t.Errorf("holds %d resources, want 3", s.Len())
	}
	for i, want := range []bool{false, false, true, true, true} {
		got, _ := s.Get(ctx, ref(i), 1)
		if (len(got) > 0) != want {
			t.Errorf("resource %d remembered=%v, want %v", i, len(got) > 0, want)
		}
	}
	// A resource forgotten and written again counts once.
	if err := s.Put(ctx, ref(3), 1, map[string]json.RawMessage{"instance_type": nil}); err != nil {
		t.Fatal(err)
	}
	put(3)
	put(5)
	if s.Len() != 3 {
		t.Errorf("holds %d resources after re-adding, want 3", s.Len())
	}
}
