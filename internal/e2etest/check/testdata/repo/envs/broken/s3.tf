resource "aws_s3_bucket_public_access_block" "staging" {
  bucket = "acme-staging"

  block_public_acls = true
}
