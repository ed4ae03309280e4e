package drift

import (
	"fmt"
	"strings"
)

// Severity of a drift. The zero value is unset; DefaultSeverity applies.
type Severity string

// Severities, lowest to highest.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// DefaultSeverity is given to a drift that matches no rule.
const DefaultSeverity = Medium

var ranks = map[Severity]int{Info: 1, Low: 2, Medium: 3, High: 4, Critical: 5}

// Rank orders severities: Info=1 … Critical=5; unknown is 0.
func (s Severity) Rank() int { return ranks[s] }

// AtLeast reports whether s is as severe as min.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ParseSeverity accepts the five names in any case.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() == 0 {
		return "", fmt.Errorf("unknown severity %q (want one of info, low, medium, high, critical)", s)
	}
	return v, nil
}

// Max returns the more severe of a and b.
func Max(a, b Severity) Severity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}
