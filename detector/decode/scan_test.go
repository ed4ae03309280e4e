package decode

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/internal/jsonscan"
)

func TestIsValidJSONDepth(t *testing.T) {
	for _, depth := range []int{jsonscan.MaxDepth, jsonscan.MaxDepth + 1} {
		doc := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
		if got, want := isValidJSON(doc), json.Valid(doc); got != want {
			t.Errorf("depth %d: isValidJSON = %v, json.Valid = %v", depth, got, want)
		}
	}
}
