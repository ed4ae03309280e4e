resource "aws_iam_role_policy" "deploy" {
  role = "deploy"
  name = "ecr-push"

  policy = <<EOF
{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:PutImage",
                "ecr:UploadLayerPart"
            ],
            "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/app"
        }
    ]
}
EOF
}
