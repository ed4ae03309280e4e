resource "aws_iam_policy" "reader" {
  name = "log-reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadLogs"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/*"]
      },
    ]
  })
}
