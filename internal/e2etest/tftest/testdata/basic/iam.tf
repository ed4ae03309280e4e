resource "aws_iam_role_policy" "app_s3" {
  role = "app"
  name = "s3-read"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/*"]
    }]
  })
}
