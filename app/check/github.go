package check

import (
	"strings"

	"github.com/tfdrift/tfdrift/action"
)

// githubEnv is what the job reads of a GitHub Actions run.
type githubEnv struct {
	actions     bool   // GITHUB_ACTIONS=true
	stepSummary string // GITHUB_STEP_SUMMARY: the job summary file
	output      string // GITHUB_OUTPUT: the step outputs file
	server      string // GITHUB_SERVER_URL
	repository  string // GITHUB_REPOSITORY: owner/name
	sha         string // GITHUB_SHA: the commit checked out
}

func github(env Env) githubEnv {
	g := githubEnv{actions: env.getenv("GITHUB_ACTIONS") == "true"}
	if !g.actions {
		return g
	}
	g.stepSummary = env.getenv("GITHUB_STEP_SUMMARY")
	g.output = env.getenv("GITHUB_OUTPUT")
	g.server = strings.TrimSuffix(env.getenv("GITHUB_SERVER_URL"), "/")
	g.repository = env.getenv("GITHUB_REPOSITORY")
	g.sha = env.getenv("GITHUB_SHA")
	return g
}

// blobURL is the base of links to the checked commit's files, "" when the
// run does not say which commit of which repository it is.
func (g githubEnv) blobURL() string {
	if g.server == "" || g.repository == "" || g.sha == "" {
		return ""
	}
	return g.server + "/" + g.repository + "/blob/" + g.sha
}

// writeOutputs appends the step outputs to $GITHUB_OUTPUT.
func (g githubEnv) writeOutputs(rep *action.Report, a Args) error {
	if g.output == "" {
		return nil
	}
	w, err := appendTo(g.output)()
	if err != nil {
		return err
	}
	err = action.StepOutputs{W: w, JSONPath: a.JSONFile, SARIFPath: a.SARIFFile}.Write(rep)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
