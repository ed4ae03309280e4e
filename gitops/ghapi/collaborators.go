package ghapi

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Permission is a repository role, ordered: a role includes every lower
// one.
type Permission int

// The repository roles, lowest first.
const (
	PermissionNone Permission = iota
	PermissionRead
	PermissionTriage
	PermissionWrite
	PermissionMaintain
	PermissionAdmin
)

var permissionNames = []string{"none", "read", "triage", "write", "maintain", "admin"}

func (p Permission) String() string {
	if p < 0 || int(p) >= len(permissionNames) {
		return fmt.Sprintf("Permission(%d)", int(p))
	}
	return permissionNames[p]
}

// ParsePermission reads a role name (.tfdrift.yml's revert_permission):
// none, read, triage, write, maintain or admin.
func ParsePermission(s string) (Permission, error) {
	for i, n := range permissionNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Permission(i), nil
		}
	}
	return PermissionNone, fmt.Errorf("permission %q: want one of %s", s, strings.Join(permissionNames, ", "))
}

// permissionOf reads the permission endpoint's answer. role_name tells
// the built-in roles apart (GitHub's "permission" says write for
// maintain and read for triage); a custom role's name means nothing here,
// so its base permission decides.
func permissionOf(permission, roleName string) Permission {
	if p, err := ParsePermission(roleName); err == nil {
		return p
	}
	if p, err := ParsePermission(permission); err == nil {
		return p
	}
	return PermissionNone
}

// Permission returns a user's role on a repository (GET
// /repos/{owner}/{repo}/collaborators/{user}/permission). A login GitHub
// does not know is a *NotFoundError.
func (c *Client) Permission(ctx context.Context, owner, repo, user string) (Permission, error) {
	what := fmt.Sprintf("permission of %s on %s/%s", user, owner, repo)
	// go-github v60's RepositoryPermissionLevel has no role_name.
	req, err := c.gh.NewRequest("GET", fmt.Sprintf("repos/%s/%s/collaborators/%s/permission",
		url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(user)), nil)
	if err != nil {
		return PermissionNone, fmt.Errorf("%s: %w", what, err)
	}
	var body struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	if _, err := c.gh.Do(ctx, req, &body); err != nil {
		return PermissionNone, Wrap(what, err)
	}
	return permissionOf(body.Permission, body.RoleName), nil
}
