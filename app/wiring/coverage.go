package wiring

import (
	"context"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/state"
)

// StateTypes loads state files and counts their managed resource
// instances by type and provider, in the order first met: the input of
// catalog.Coverage (`tfdrift catalog --coverage`, the demo).
func StateTypes(ctx context.Context, files []string) ([]catalog.TypeUse, error) {
	count := map[catalog.TypeUse]int{}
	var order []catalog.TypeUse
	for _, f := range files {
		snap, _, err := state.Load(ctx, state.NewLocal(f, state.Source{Name: f, Workspace: state.DefaultWorkspace}))
		if err != nil {
			return nil, err
		}
		for _, r := range snap.Resources {
			k := catalog.TypeUse{Type: r.Type, Provider: r.Provider}
			if _, seen := count[k]; !seen {
				order = append(order, k)
			}
			count[k]++
		}
	}
	out := make([]catalog.TypeUse, len(order))
	for i, k := range order {
		k.Instances = count[k]
		out[i] = k
	}
	return out, nil
}
