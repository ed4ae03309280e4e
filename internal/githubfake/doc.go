// Package githubfake is a stateful fake of GitHub's REST API and web flow
// on httptest, for tests that drive tfdrift's GitHub code through the real
// go-github v60 and ghinstallation clients.
//
// It checks what it receives the way GitHub does and keeps what was
// written for the test to inspect:
//
//   - Auth: the App's JWT (RS256 against the App's public key, iss = App
//     ID, iat in the past, exp at most 10 minutes ahead) on /app/*;
//     installation tokens (ghs_…) that expire and are scoped to the
//     installation's repositories and the App's permissions; plain tokens
//     (a PAT or an Actions GITHUB_TOKEN) for the Action.
//   - Pagination with Link headers (per_page, default 30, max 100), ETags
//     with If-None-Match → 304 (a 304 does not spend the rate limit), rate
//     limit headers on every response, and fault injection (502s, primary
//     and secondary rate limits).
//   - Repositories as real git objects (blob, tree and commit SHAs are
//     git's), so the contents API, tarballs, the Git data API and pull
//     requests agree with each other.
//   - Issues, comments, labels, reactions, check runs, pulls and review
//     requests, collaborator permissions, the App manifest flow, and
//     signed webhooks built from the fake's state.
//
// Typical use:
//
//	gh := githubfake.New(t, githubfake.Options{})
//	app := gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
//	repo := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
//	sha := repo.Commit(githubfake.CommitSpec{Files: map[string]string{"main.tf": "…"}})
//	inst := gh.AddInstallation(githubfake.InstallationSpec{ID: 7, AppID: 42, Repos: []string{"acme/infra"}})
//	// … point a client at gh.URL with app.PrivateKeyPEM() …
//	issues := repo.Issues()
//
// It is test infrastructure: only tests (and test helpers) import it. It
// imports go-github v60 for the JSON shapes of responses and webhook
// payloads and golang-jwt for the App's JWT, and nothing of tfdrift's.
package githubfake
