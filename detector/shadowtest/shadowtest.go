// Package shadowtest is the conformance test of detector.Shadow: every
// implementation (the in-memory one replay uses, a store-backed one for
// serve) runs Run from its own tests and must pass it unchanged.
//
// It imports only detector and the standard library; it is test support,
// so production code must not import it.
package shadowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/tfdrift/tfdrift/detector"
)

// Run checks the Shadow contract against fresh instances from newShadow,
// one per subtest. Values are compared as JSON values (a database may
// re-encode them), but numbers must keep their exact text.
func Run(t *testing.T, newShadow func(t *testing.T) detector.Shadow) {
	ctx := context.Background()
	web := detector.ShadowRef{Source: "s3://state/prod.tfstate", Workspace: "default", Address: "aws_security_group.web"}
	rules := `[{"cidr_blocks":["10.0.0.0/8"],"from_port":443,"protocol":"tcp","to_port":443},{"cidr_blocks":["0.0.0.0/0"],"from_port":22,"protocol":"tcp","to_port":22}]`

	t.Run("unknown resource", func(t *testing.T) {
		s := newShadow(t)
		got := mustGet(t, s, web, 1)
		if len(got) != 0 {
			t.Errorf("Get of a resource never written = %v, want nothing", got)
		}
	})

	t.Run("put then get", func(t *testing.T) {
		s := newShadow(t)
		mustPut(t, s, web, 4, map[string]string{
			"ingress": rules,
			"tags":    `{"Owner":"alice","Env":"prod"}`,
			"port":    `12345678901234567890.50`,
			"name":    `"web \"quoted\" \u2028 ünï"`,
		})
		want := map[string]string{
			"ingress": rules, "tags": `{"Env":"prod","Owner":"alice"}`,
			"port": `12345678901234567890.50`, "name": `"web \"quoted\" \u2028 ünï"`,
		}
		checkValues(t, mustGet(t, s, web, 4), want)
	})

	t.Run("put replaces only the attributes it names", func(t *testing.T) {
		s := newShadow(t)
		mustPut(t, s, web, 4, map[string]string{"ingress": `[]`, "tags": `{"a":"1"}`})
		mustPut(t, s, web, 4, map[string]string{"ingress": rules})
		checkValues(t, mustGet(t, s, web, 4), map[string]string{"ingress": rules, "tags": `{"a":"1"}`})
	})

	t.Run("empty value forgets, JSON null is a value", func(t *testing.T) {
		s := newShadow(t)
		mustPut(t, s, web, 4, map[string]string{"ingress": rules, "tags": `{"a":"1"}`, "description": `"x"`})
		if err := s.Put(ctx, web, 4, map[string]json.RawMessage{"ingress": nil, "tags": {}, "description": json.RawMessage(`null`)}); err != nil {
			t.Fatal(err)
		}
		checkValues(t, mustGet(t, s, web, 4), map[string]string{"description": `null`})
		if err := s.Put(ctx, web, 4, map[string]json.RawMessage{"description": nil}); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, web, 4); len(got) != 0 {
			t.Errorf("after forgetting every attribute Get = %v, want nothing", got)
		}
		// Forgetting what was never there is not an error.
		other := web
		other.Address = "aws_security_group.never"
		if err := s.Put(ctx, other, 4, map[string]json.RawMessage{"ingress": nil}); err != nil {
			t.Errorf("forgetting an unknown attribute: %v", err)
		}
	})

	t.Run("values learnt before the state's serial are stale", func(t *testing.T) {
		s := newShadow(t)
		mustPut(t, s, web, 4, map[string]string{"ingress": rules})
		if got := mustGet(t, s, web, 5); len(got) != 0 {
			t.Errorf("Get at a newer serial returned stale values %v", got)
		}
		newer := web
		newer.Address = "aws_security_group.newer"
		mustPut(t, s, newer, 7, map[string]string{"ingress": rules})
		// A reader whose state is behind still gets what the cloud has
		// now: it was learnt against a newer state, not an older one.
		checkValues(t, mustGet(t, s, newer, 6), map[string]string{"ingress": rules})
		checkValues(t, mustGet(t, s, newer, 7), map[string]string{"ingress": rules})
	})

	t.Run("a newer serial supersedes per attribute", func(t *testing.T) {
		s := newShadow(t)
		mustPut(t, s, web, 4, map[string]string{"ingress": `[]`, "tags": `{"a":"1"}`})
		mustPut(t, s, web, 5, map[string]string{"ingress": rules})
		checkValues(t, mustGet(t, s, web, 5), map[string]string{"ingress": rules})
	})

	t.Run("resources are apart", func(t *testing.T) {
		s := newShadow(t)
		refs := []detector.ShadowRef{
			web,
			{Source: web.Source, Workspace: "staging", Address: web.Address},
			{Source: "s3://state/other.tfstate", Workspace: web.Workspace, Address: web.Address},
			{Source: web.Source, Workspace: web.Workspace, Address: "aws_security_group.db"},
			// Parts that would collide if a store joined them naively.
			{Source: web.Source + "/default", Workspace: "", Address: web.Address},
		}
		for i, r := range refs {
			mustPut(t, s, r, 4, map[string]string{"n": fmt.Sprint(i)})
		}
		for i, r := range refs {
			checkValues(t, mustGet(t, s, r, 4), map[string]string{"n": fmt.Sprint(i)})
		}
	})

	t.Run("drop", func(t *testing.T) {
		s := newShadow(t)
		staging := web
		staging.Workspace = "staging"
		otherState := web
		otherState.Source = "s3://state/other.tfstate"
		db := web
		db.Address = "aws_db_instance.main"
		mustPut(t, s, web, 4, map[string]string{"ingress": rules})
		mustPut(t, s, db, 6, map[string]string{"instance_class": `"db.r6g.large"`})
		mustPut(t, s, staging, 4, map[string]string{"ingress": rules})
		mustPut(t, s, otherState, 4, map[string]string{"ingress": rules})
		if err := s.Drop(ctx, web.Source, web.Workspace, 6); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, web, 0); len(got) != 0 {
			t.Errorf("dropped value still returned: %v", got)
		}
		// Learnt at the new state's own serial: newer than that state.
		checkValues(t, mustGet(t, s, db, 0), map[string]string{"instance_class": `"db.r6g.large"`})
		checkValues(t, mustGet(t, s, staging, 0), map[string]string{"ingress": rules})
		checkValues(t, mustGet(t, s, otherState, 0), map[string]string{"ingress": rules})
		if err := s.Drop(ctx, "s3://state/never-seen.tfstate", "default", 9); err != nil {
			t.Errorf("Drop of an unknown state: %v", err)
		}
	})

	t.Run("values are copied", func(t *testing.T) {
		s := newShadow(t)
		in := json.RawMessage(`{"a":"1"}`)
		if err := s.Put(ctx, web, 4, map[string]json.RawMessage{"tags": in}); err != nil {
			t.Fatal(err)
		}
		copy(in, `{"b":"2"}`)
		got := mustGet(t, s, web, 4)
		checkValues(t, got, map[string]string{"tags": `{"a":"1"}`})
		got["tags"] = json.RawMessage(`{"c":"3"}`)
		got["extra"] = json.RawMessage(`1`)
		checkValues(t, mustGet(t, s, web, 4), map[string]string{"tags": `{"a":"1"}`})
	})

	t.Run("concurrent writers", func(t *testing.T) {
		s := newShadow(t)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					attr := fmt.Sprintf("attr_%d_%d", w, i)
					if err := s.Put(ctx, web, 4, map[string]json.RawMessage{attr: json.RawMessage(fmt.Sprint(i))}); err != nil {
						errs <- err
					}
					other := web
					other.Address = fmt.Sprintf("aws_instance.w%d", w)
					if err := s.Put(ctx, other, 4, map[string]json.RawMessage{"i": json.RawMessage(fmt.Sprint(i))}); err != nil {
						errs <- err
					}
					if _, err := s.Get(ctx, other, 4); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got := mustGet(t, s, web, 4)
		if len(got) != writers*each {
			t.Fatalf("%d attributes after %d concurrent puts, want all", len(got), writers*each)
		}
		for w := range writers {
			other := web
			other.Address = fmt.Sprintf("aws_instance.w%d", w)
			checkValues(t, mustGet(t, s, other, 4), map[string]string{"i": fmt.Sprint(each - 1)})
		}
	})
}

func mustGet(t *testing.T, s detector.Shadow, r detector.ShadowRef, serial int64) map[string]json.RawMessage {
	t.Helper()
	got, err := s.Get(context.Background(), r, serial)
	if err != nil {
		t.Fatalf("Get(%+v, %d): %v", r, serial, err)
	}
	return got
}

func mustPut(t *testing.T, s detector.Shadow, r detector.ShadowRef, serial int64, values map[string]string) {
	t.Helper()
	raw := make(map[string]json.RawMessage, len(values))
	for k, v := range values {
		raw[k] = json.RawMessage(v)
	}
	if err := s.Put(context.Background(), r, serial, raw); err != nil {
		t.Fatalf("Put(%+v, %d): %v", r, serial, err)
	}
}

// checkValues compares got with want as JSON values, numbers by their text.
func checkValues(t *testing.T, got map[string]json.RawMessage, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got attributes %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("attribute %s missing", k)
			continue
		}
		if !sameJSON(t, g, []byte(w)) {
			t.Errorf("attribute %s = %s, want %s", k, g, w)
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	va, err := decode(a)
	if err != nil {
		t.Errorf("stored value %q is not JSON: %v", a, err)
		return false
	}
	vb, err := decode(b)
	if err != nil {
		t.Fatalf("test value %q: %v", b, err)
	}
	ca, _ := json.Marshal(va) // sorted keys; json.Number keeps its text
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
