// Package ignore reads a .tfdriftignore file and answers whether a drifted
// attribute of a resource should be dropped.
//
// The file is gitignore-style: one pattern a line, '#' starts a comment
// line, blank lines are skipped, a leading '!' negates (re-includes), and
// the last pattern that matches decides. Unlike gitignore, a negation may
// re-include an attribute under an ignored resource: resources are not
// directories, so there is nothing that would hide the narrower pattern.
//
// A pattern is a Terraform resource address followed by an attribute path,
// joined by dots:
//
//	aws_autoscaling_group.*.desired_capacity   one attribute of every ASG
//	module.app.aws_instance.web.tags           tags (and tags.X) of one resource
//	aws_instance.*                             every attribute of every aws_instance
//	*.tags_all                                 tags_all of every root resource
//	**.tags_all                                tags_all of every resource, any module
//	!aws_instance.critical.tags                re-include what an earlier line dropped
//
// Segments are split at dots outside brackets. '*' matches one segment (a
// resource type, a resource name, a module name or an attribute name) and
// may also be used inside a segment as a glob ("aws_iam_*"). Where a
// resource begins, a lone '*' may also stand for the whole resource (type
// and name), which is what makes "*.tags_all" mean the attribute of every
// resource. '**' matches any number of segments, including none, so
// "**.aws_instance.*" covers every module depth. The keywords "module" and
// "data" only match themselves (or '**'), so "*.*" never swallows a whole
// module.
//
// An instance key belongs to its name segment: a pattern name without a
// key ("web") matches every instance (web[0], web["a"]); with a key
// ("web[0]", web["a"]) it matches that instance only, and "web[*]" any
// keyed instance. A pattern matches a prefix of the subject, so an ignored
// attribute also ignores its nested paths (tags covers tags.Owner, ingress
// covers ingress.0.cidr_blocks) and an ignored resource or module covers
// everything in it. Attribute map keys may be written tags.Owner or
// tags["Owner"]; both spellings are equivalent.
//
// Patterns are anchored at the root module: "aws_instance.*" does not match
// module.app.aws_instance.web; write "**.aws_instance.*" for that.
//
// The package imports only the standard library.
package ignore
