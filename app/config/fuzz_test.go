package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser: it must never panic,
// must return either a Config or a *ValidationError naming the file, and
// must never put an environment value in a message.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/seed/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, "testdata/full.yaml", "testdata/broken.yaml", "testdata/uc09-incident-response-webhooks.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("notifications:\n  webhooks:\n    - &a {url: 'https://a.example.com'}\n    - <<: *a\n"))
	f.Add([]byte("falco: {port: \"${P:-5060}\", hostname: \"$${x}\"}\n"))

	const secret = "fuzz-secret-value"
	env := WithEnv(func(string) (string, bool) { return secret, true })
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, env, withoutTemplateRuns())
		if err == nil {
			if c == nil {
				t.Fatal("nil Config without error")
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %T %v is not a *ValidationError with problems", err, err)
		}
		for _, p := range ve.Problems {
			if p.File != "fuzz.yaml" {
				t.Errorf("problem names file %q", p.File)
			}
		}
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, secret) && !bytes.Contains(bytes.ToLower(data), []byte(secret)) {
			t.Errorf("environment value in message:\n%s", err)
		}
	})
}
