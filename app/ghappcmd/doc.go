// Package ghappcmd is the `tfdrift app` jobs, the GitHub App's own
// commands:
//
//   - manifest prints the App's manifest (permissions, events, webhook
//     URL) as JSON;
//   - setup runs GitHub's manifest flow from a local page: the browser
//     posts the manifest to GitHub, GitHub sends it back with a code, the
//     code is exchanged for the new App's ID, key and webhook secret;
//     the key and the secret are written to files (mode 0600) and only
//     the github: block that refers to them is printed;
//   - status lists what the App sees: each installation's repositories,
//     their roots and states, the .tfdrift.yml files that do not load,
//     and the configured states no repository claims.
//
// Exit statuses (Run's error, see job.Status):
//
//	0  done (status: nothing to fix)
//	1  it could not run (a bad flag or config, GitHub unreachable, the
//	   flow cancelled)
//	2  usage
//	3  status found something to fix: a .tfdrift.yml or code that does
//	   not load, a root naming no configured state, a configured state
//	   no repository claims
//
// Each is a job with the shape of app/job (Args, RegisterFlags, Run);
// it imports app/githubapp, app/config, app/store and gitops/ghapi,
// never another job.
package ghappcmd
