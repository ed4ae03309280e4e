resource "aws_iam_user" "people" {
  for_each = toset(["alice", "bob"])
  name     = each.value
}
