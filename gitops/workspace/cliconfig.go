package workspace

import (
	"fmt"
	"strings"
	"unicode"
)

// cliConfig renders a job's Terraform CLI configuration.
//
// With a filesystem mirror and include patterns, providers matching them
// come only from the mirror (direct excludes the same patterns, so a
// missing one is an init error, not a download) and all others directly.
// With a mirror and no patterns, every provider comes from the mirror and
// nothing from the network. Without a mirror there is no
// provider_installation block: Terraform's default applies.
func cliConfig(pluginCache, mirror string, include []string) (string, error) {
	var b strings.Builder
	b.WriteString("# Written by tfdrift for one job (gitops/workspace).\ndisable_checkpoint = true\n")
	if pluginCache != "" {
		q, err := hclString(pluginCache)
		if err != nil {
			return "", fmt.Errorf("plugin cache dir: %w", err)
		}
		fmt.Fprintf(&b, "plugin_cache_dir = %s\n", q)
	}
	if mirror == "" {
		return b.String(), nil
	}
	q, err := hclString(mirror)
	if err != nil {
		return "", fmt.Errorf("filesystem mirror: %w", err)
	}
	fmt.Fprintf(&b, "\nprovider_installation {\n  filesystem_mirror {\n    path = %s\n", q)
	if len(include) == 0 {
		b.WriteString("  }\n}\n")
		return b.String(), nil
	}
	list, err := hclList(include)
	if err != nil {
		return "", fmt.Errorf("filesystem mirror include: %w", err)
	}
	fmt.Fprintf(&b, "    include = %s\n  }\n  direct {\n    exclude = %s\n  }\n}\n", list, list)
	return b.String(), nil
}

// hclString quotes s for the CLI configuration. Rather than escape, it
// refuses what would need escaping or could be read as a template
// sequence: no path tfdrift is configured with should contain those.
func hclString(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("empty value")
	}
	for _, r := range s {
		if r == '"' || r == '\\' || unicode.IsControl(r) {
			return "", fmt.Errorf("%q: quotes, backslashes and control characters are not supported", s)
		}
	}
	if strings.Contains(s, "${") || strings.Contains(s, "%{") {
		return "", fmt.Errorf("%q: template sequences are not supported", s)
	}
	return `"` + s + `"`, nil
}

func hclList(items []string) (string, error) {
	q := make([]string, len(items))
	for i, s := range items {
		var err error
		if q[i], err = hclString(s); err != nil {
			return "", err
		}
	}
	return "[" + strings.Join(q, ", ") + "]", nil
}
