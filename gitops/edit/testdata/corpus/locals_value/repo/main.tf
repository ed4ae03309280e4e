locals {
  # Shared naming.
  bucket_name = "acme-artifacts"
  retention   = 30
}

resource "aws_s3_bucket" "artifacts" {
  bucket = local.bucket_name
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    id     = "expire"
    status = "Enabled"

    expiration {
      days = local.retention
    }
  }
}
