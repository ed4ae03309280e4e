package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const codebuildService = "codebuild.amazonaws.com"

// CodeBuild projects, found by name or ARN. A build project runs code with
// its service role's permissions: a changed role, or a project made public,
// matters.
//
// Sources: the CodeBuild API Reference (request syntax of each action; the
// API's members are lower camel case, logged as sent); Panther's fixture of
// UpdateProjectVisibility (rules/aws_cloudtrail_rules/
// aws_codebuild_made_public.yml: projectArn, projectVisibility,
// resourceAccessRole).
var codebuildEntries = []Entry{
	{
		Provider: change.AWS, Service: codebuildService, Event: "CreateProject",
		Doc: "creates a build project",
		Targets: []Target{{
			Type: "aws_codebuild_project", Op: Create, Key: "name", ID: ReqID("name"),
			Attrs: []Attr{{Name: "description", Value: Req("description")}, {Name: "service_role", Value: Req("serviceRole")}},
		}},
	},
	{
		Provider: change.AWS, Service: codebuildService, Event: "UpdateProject",
		Doc: "changes a build project",
		Targets: []Target{{
			Type: "aws_codebuild_project", Op: Modify, Key: "name", ID: ReqID("name"),
			Attrs: []Attr{
				{Name: "description", Value: Req("description")},
				{Name: "service_role", Value: Req("serviceRole")},
				{Name: "build_timeout", Value: ReqNum("timeoutInMinutes")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: codebuildService, Event: "DeleteProject",
		Doc:     "deletes a build project",
		Targets: []Target{{Type: "aws_codebuild_project", Op: Delete, Key: "name", ID: ReqID("name")}},
	},
	{
		Provider: change.AWS, Service: codebuildService, Event: "UpdateProjectVisibility",
		Doc: "makes a project's builds public or private",
		Targets: []Target{{
			Type: "aws_codebuild_project", Op: Modify, Key: "arn", ID: ReqID("projectArn"),
			Attrs: []Attr{{Name: "project_visibility", Value: Req("projectVisibility")}},
		}},
	},
}

func init() { registerGuarded(codebuildEntries) }
