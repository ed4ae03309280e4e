resource "aws_s3_bucket_policy" "site" {
  bucket = "acme-site"
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "PublicRead",
          "Effect": "Allow",
          "Principal": "*",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::acme-site/*"
        }
      ]
    }
  POLICY
}
