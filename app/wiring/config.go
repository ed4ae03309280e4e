package wiring

import (
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/app/config"
)

// LoadConfig loads the config file at path; an empty path means none (nil,
// nil). ${VAR} references read lookupEnv. Warnings go to warn, one line
// each. allowMissingEnv turns unset variables into warnings, for
// `config validate` on a machine without the secrets.
func LoadConfig(path string, lookupEnv func(string) (string, bool), warn io.Writer, allowMissingEnv bool) (*config.Config, error) {
	if path == "" {
		return nil, nil
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	opts := []config.Option{config.WithEnv(lookupEnv)}
	if allowMissingEnv {
		opts = append(opts, config.AllowMissingEnv())
	}
	cfg, err := config.Load(path, opts...)
	if err != nil {
		return nil, err
	}
	if warn != nil {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(warn, "tfdrift: warning: %s\n", w.String())
		}
	}
	return cfg, nil
}
