// Package check is the `tfdrift check` job: drift in a pipeline, without a
// daemon. For every root module it runs `terraform init` and an untargeted
// `terraform plan -refresh-only -json -lock=false` (gitops/terraform), and
// sends each resource Terraform found changed through the pieces of the
// daemon's drift pipeline: .tfdriftignore and the ignore: lines of
// .tfdrift.yml, lifecycle.ignore_changes, the drift_rules of the config for
// severity and tags, and the locator (gitops/locate) for the module, file
// and line of the resource and of each changed attribute. The result is the
// daemon's drift record (change_type modified or deleted; no audit event,
// so the cloudtrail fields are empty), rendered by package action: a
// summary on stdout, drift records (--json), SARIF (--sarif), and inside
// GitHub Actions the job summary, annotations and step outputs. With
// --open-issues each drifted resource's GitHub issue is opened or updated
// through the App's issue sink (ticket/ghissue), with the token of the
// environment: a pipeline and the App share one issue per resource. The
// open issues of a checked root's resources that no longer drift are
// closed.
//
// Run decides the exit status; see its documentation. The job reads the
// process environment only through Env, and never exits the process.
//
// It imports app/config, action, detector/{drift,ignore,rules},
// gitops/{ghapi,locate,terraform}, ticket and ticket/ghissue. It must not
// import cmd or another job.
package check
