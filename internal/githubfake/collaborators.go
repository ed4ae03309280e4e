package githubfake

import (
	"net/http"
	"strings"
)

// role is a collaborator's repository role: its name (role_name) and
// the base permission GitHub reports in "permission".
type role struct {
	name, permission string
}

// basePermission maps GitHub's built-in roles to the "permission" field:
// GitHub says "write" for maintain and "read" for triage, so only
// role_name tells them apart.
var basePermission = map[string]string{
	"read": "read", "triage": "read", "write": "write", "maintain": "write", "admin": "admin",
}

// SetPermission gives login a built-in role on the repository: read,
// triage, write, maintain or admin ("" removes it).
func (h *Repo) SetPermission(login, roleName string) {
	if roleName == "" {
		h.with(func(r *repoState) { delete(r.perms, strings.ToLower(login)) })
		return
	}
	base, ok := basePermission[roleName]
	if !ok {
		h.s.tb.Fatalf("githubfake: %q is not a built-in role (read, triage, write, maintain, admin); use SetCustomRole", roleName)
	}
	h.SetCustomRole(login, roleName, base)
}

// SetCustomRole gives login an organization's custom repository role,
// reported as role_name with base ("read", "write" or "admin") as its
// permission.
func (h *Repo) SetCustomRole(login, roleName, base string) {
	h.with(func(r *repoState) {
		h.s.user(login)
		r.perms[strings.ToLower(login)] = role{name: roleName, permission: base}
	})
}

func (s *Server) registerCollaboratorRoutes() {
	s.handle("GET /repos/{owner}/{repo}/collaborators/{username}/permission", accRepo, need{scope: "metadata"}, func(c *call) {
		login := c.r.PathValue("username")
		u, known := s.users[strings.ToLower(login)]
		if !known || u.Type == "Organization" {
			c.errorf(http.StatusNotFound, "Not Found")
			return
		}
		rl, ok := c.repo.perms[strings.ToLower(login)]
		switch {
		case ok:
		case strings.EqualFold(login, c.repo.owner):
			rl = role{name: "admin", permission: "admin"}
		case c.repo.private:
			rl = role{name: "none", permission: "none"}
		default:
			rl = role{name: "read", permission: "read"}
		}
		c.json(http.StatusOK, map[string]any{"permission": rl.permission, "role_name": rl.name, "user": s.ghUser(u)})
	})
}
