package docs

import (
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/app/reconcile"
)

// autoReverts is which of the scenario's drifts the GitHub App would
// revert without a command: the rule that decides it
// (reconcile.AutoRevertRule over the config's rules), per drift.
func autoReverts(w *world, cfg string) string {
	ds, n, failed := drifts(w, cfg)
	if failed != "" {
		return failed
	}
	var lines []string
	for _, d := range ds {
		if rule := reconcile.AutoRevertRule(n.Rules, d); rule != "" {
			lines = append(lines, title(d)+" auto_revert rule="+rule)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
