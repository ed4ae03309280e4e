// Package sarifcheck validates SARIF logs in tests: against the OASIS
// SARIF 2.1.0 JSON schema (errata01, the published standard, vendored
// beside this file so no test needs the network), and against what GitHub
// code scanning requires beyond the schema (every result has a file
// location; ruleIndex names the rule).
//
// Test harness: only _test.go files import it (action, app/check).
// It imports the jsonschema validator and the standard library.
package sarifcheck

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaURI is the schema's id, which a log names in $schema.
const SchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

//go:embed sarif-schema-2.1.0.json
var schemaText []byte

var compiled struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

// Schema returns the compiled schema, asserting formats (uri, date-time)
// as well as structure.
func Schema() (*jsonschema.Schema, error) {
	compiled.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaText))
		if err != nil {
			compiled.err = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource(SchemaURI, doc); err != nil {
			compiled.err = err
			return
		}
		compiled.sch, compiled.err = c.Compile(SchemaURI)
	})
	return compiled.sch, compiled.err
}

// Check returns why data is not a SARIF 2.1.0 log that GitHub code
// scanning would take, or nil.
func Check(data []byte) error {
	sch, err := Schema()
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("does not validate against the SARIF 2.1.0 schema: %w", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return err
	}
	for _, run := range log.Runs {
		for i, res := range run.Results {
			if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
				return fmt.Errorf("result %d has no file location: GitHub code scanning refuses the whole upload", i)
			}
			if res.RuleIndex != nil && (*res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID) {
				return fmt.Errorf("result %d: ruleIndex %d does not name rule %q", i, *res.RuleIndex, res.RuleID)
			}
		}
	}
	return nil
}

// Validate fails the test unless data passes Check.
func Validate(t testing.TB, data []byte) {
	t.Helper()
	if err := Check(data); err != nil {
		t.Fatalf("SARIF: %v", err)
	}
}
