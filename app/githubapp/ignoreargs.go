package githubapp

import (
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

// IgnoreArgs are the flags of "/tfdrift ignore": no job runs it, so the
// App defines them here, as a job's RegisterShared would.
type IgnoreArgs struct {
	// Attrs narrows the ignore to these attributes (all when empty).
	Attrs []string
	// For makes it expire after this long (0: for good).
	For time.Duration
}

// RegisterShared binds the flags a "/tfdrift ignore" comment may carry.
func (a *IgnoreArgs) RegisterShared(fs *flag.FlagSet) {
	fs.Var((*job.StringList)(&a.Attrs), "attr", "ignore only this attribute (repeatable)")
	fs.Var((*lifetime)(&a.For), "for", "ignore it for this long (7d, 2w, 12h); for good without it")
}

// lifetime is a positive duration that also takes days and weeks.
type lifetime time.Duration

var daysWeeks = regexp.MustCompile(`^([1-9][0-9]{0,4})([dw])$`)

func (l *lifetime) String() string {
	if l == nil || *l == 0 {
		return ""
	}
	return time.Duration(*l).String()
}

func (l *lifetime) Set(s string) error {
	s = strings.TrimSpace(s)
	if m := daysWeeks.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := 24 * time.Hour
		if m[2] == "w" {
			unit *= 7
		}
		*l = lifetime(time.Duration(n) * unit)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a time to ignore for (write 7d, 2w or 12h)", s)
	}
	*l = lifetime(d)
	return nil
}
