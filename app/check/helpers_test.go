package check

import (
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/tfdrift/tfdrift/detector/ignore"
)

type ignoreMatcher = ignore.Matcher

func parseIgnore(text string) (*ignore.Matcher, error) {
	return ignore.Parse(".tfdriftignore", strings.NewReader(text))
}

// mapFS is a file system of file name → content.
type mapFS map[string]string

func (m mapFS) Open(name string) (fs.File, error) {
	f := fstest.MapFS{}
	for k, v := range m {
		f[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return f.Open(name)
}
