package githubapp

import (
	"fmt"
	"io"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// IssuePreview writes the Markdown of the issue the App opens for d on
// the repository at htmlURL ("https://github.com/acme/infra"): the
// title as a heading, the labels, then the body, commands included.
// `make demo` prints it for the embedded example.
func IssuePreview(w io.Writer, d *drift.Drift, htmlURL string) error {
	_, err := fmt.Fprintf(w, "# %s\n\nLabels: %s\n\n%s", ghissue.Title(d), strings.Join(ghissue.Labels(d, nil), ", "),
		ghissue.Body(d, ghissue.BodyOptions{HTMLURL: htmlURL, Commands: true}))
	return err
}
