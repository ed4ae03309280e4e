package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/app/wiring"
	dcatalog "github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// ErrNoCoverageState is returned for --coverage without a state file.
var ErrNoCoverageState = errors.New("--coverage needs at least one --state FILE: the resource types to report on come from state")

// CoverageReport is the JSON form of `tfdrift catalog --coverage`.
type CoverageReport struct {
	States []string       `json:"states"`
	Types  []TypeCoverage `json:"types"`
}

// TypeCoverage is one resource type of the states.
type TypeCoverage struct {
	Type      string `json:"type"`
	Provider  string `json:"provider"`
	Instances int    `json:"instances"`
	// Audited is false for providers without an audit log the detector
	// reads (random, tls, terraform_data): nothing to watch.
	Audited bool `json:"audited"`
	// Covered is true when some mapped event writes the type, InPlace
	// when one changes its attributes (not only creates or deletes it).
	// Note says what to do when either is false.
	Covered bool            `json:"covered"`
	InPlace bool            `json:"in_place"`
	Note    string          `json:"note,omitempty"`
	Events  []CoverageEvent `json:"events"`
}

// CoverageEvent is one mapped event that writes the type.
type CoverageEvent struct {
	Provider   string   `json:"provider"`
	Service    string   `json:"service"`
	Event      string   `json:"event"`
	Operations []string `json:"operations"`
}

// WriteCoverage reports, for every resource type in the state files, the
// mapped events that can change it and the types none covers, as text or
// json, optionally for one provider.
func WriteCoverage(ctx context.Context, w io.Writer, c *dcatalog.Catalog, files []string, format, provider string) error {
	if provider != "" && provider != string(change.AWS) && provider != string(change.GCP) {
		return fmt.Errorf("unknown provider %q (want aws or gcp)", provider)
	}
	if format != "" && format != "text" && format != "json" {
		return fmt.Errorf("unknown format %q for --coverage (want text or json)", format)
	}
	if len(files) == 0 {
		return ErrNoCoverageState
	}
	uses, err := wiring.StateTypes(ctx, files)
	if err != nil {
		return err
	}
	var cov []dcatalog.TypeCoverage
	for _, t := range c.Coverage(uses) {
		if provider == "" || string(t.Provider) == provider {
			cov = append(cov, t)
		}
	}
	if format != "json" {
		return dcatalog.WriteCoverage(w, files, cov)
	}
	rep := CoverageReport{States: files, Types: make([]TypeCoverage, 0, len(cov))}
	for _, t := range cov {
		jt := TypeCoverage{Type: t.Type, Provider: string(t.Provider), Instances: t.Instances,
			Audited: t.Audited(), Covered: t.Covered(), InPlace: t.InPlace(), Events: []CoverageEvent{}}
		switch {
		case jt.Audited && !jt.Covered:
			jt.Note = dcatalog.NoCoverage
		case jt.Audited && !jt.InPlace:
			jt.Note = dcatalog.NotInPlace
		}
		for _, ev := range t.Events {
			ops := make([]string, len(ev.Ops))
			for i, o := range ev.Ops {
				ops[i] = o.String()
			}
			jt.Events = append(jt.Events, CoverageEvent{Provider: string(ev.Provider), Service: ev.Service, Event: ev.Event, Operations: ops})
		}
		rep.Types = append(rep.Types, jt)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
